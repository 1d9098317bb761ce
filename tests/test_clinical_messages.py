"""content.clinical-messages on conversations written for these tests, through the generic
post file (records with `messages`), the engine's conversation pass and classify."""

import json

import pytest

from auditor.engine import open_source
from auditor.plugins import discover

from conftest import DATA, run_cli

FILE = DATA / "messages" / "conversations.jsonl"
CASES = [json.loads(line) for line in FILE.read_text().splitlines()]


def test_post_file_reads_conversations_as_messages_never_posts(tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"id": "p1", "text": "hello world", "platform": "x"}\n' + FILE.read_text())
    imp = open_source(mixed, discover())
    assert [p.id for p in imp.posts] == ["p1"]
    messages = list(imp.messages)
    assert len(messages) == 10
    assert [(m.conversation, m.from_user) for m in messages[:2]] == [("c1", False), ("c1", True)]
    assert messages[0].sent_at.isoformat() == "2023-04-02T20:00:00+00:00"
    assert {m.account for m in messages if m.conversation == "c2"} == {"facebook:mixed"}


def test_classify_prints_one_line_per_conversation(tmp_path):
    proc = run_cli("classify", FILE, "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    got = {line["id"]: "content.clinical-messages" in line["checks"] for line in lines}
    assert got == {c["id"]: c["labels"]["clinical"] for c in CASES}


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "csv"])
def test_finding_never_shows_the_messages(tmp_path, fmt):
    proc = run_cli("scan", FILE, "-f", fmt, "-q", "--show-text", "--fail-on", "none", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "content.clinical-messages" in out
    for case in CASES:
        for m in case["messages"]:
            for fragment in (m["text"][:25], "hydrocortisone", "Dad"):
                assert fragment not in out


def test_finding_names_platform_dates_and_identifier_kinds(tmp_path):
    proc = run_cli("scan", FILE, "-f", "json", "-q", "--fail-on", "none", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    found = {f["account"]: f for f in doc["findings"] if f["check"] == "content.clinical-messages"}
    assert set(found) == {"instagram:conversations", "facebook:conversations"}
    c1 = found["instagram:conversations"]
    assert c1["post"] is None
    assert c1["title"].startswith("Instagram direct messages on 2023-04-02 discuss")
    assert "an age" in c1["title"] and c1["severity"] == "high"
    assert all(e["text"] is None for e in c1["evidence"])
    assert found["facebook:conversations"]["severity"] == "medium"
    accounts = {a["key"]: a["messages_scanned"] for a in doc["accounts"]}
    assert accounts["instagram:conversations"] == 2 and accounts["x:conversations"] == 6
