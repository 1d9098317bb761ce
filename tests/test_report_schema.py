"""The JSON report (`auditor.report/1`) of real scans validates against reports/report.schema.json.

Every scan runs in-process through `auditor.cli.main`, with HOME and the XDG directories moved
into tmp_path so no user config is read.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from auditor.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_PARTIAL, main
from auditor.reports.document import mask

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT / "examples" / "dr-maya-okafor-twitter-archive.zip"
POSTS = ROOT / "examples" / "posts.jsonl"
DOC = ROOT / "docs" / "report-schema.md"
SEVERITIES = ("critical", "high", "medium", "low", "info")

# jsonschema asserts no formats unless told to, and its own date-time check needs an extra
# package: check the two formats the schema uses here, strictly.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        return False
    return datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\d", value)) and date.fromisoformat(value) is not None


@pytest.fixture(scope="module")
def report_env(tmp_path_factory) -> dict[str, str]:
    """HOME and XDG dirs inside the test's temporary tree; one cache for the whole module."""
    home = tmp_path_factory.mktemp("report-home")
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


@pytest.fixture(autouse=True)
def no_user_config(report_env, tmp_path, monkeypatch):
    for var, value in report_env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def schema() -> dict:
    resource = files("auditor.reports") / "report.schema.json"
    return json.loads(resource.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def scan(capsys, *args: object) -> tuple[int, dict]:
    """Run `auditor scan ARGS --format json --quiet`; its exit code and the parsed document."""
    capsys.readouterr()
    rc = main(["scan", *(str(a) for a in args), "--format", "json", "--quiet"])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def problems(validator: Draft202012Validator, doc: dict) -> list[str]:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def assert_valid(validator: Draft202012Validator, doc: dict) -> None:
    found = problems(validator, doc)
    assert not found, "report does not match the schema:\n" + "\n".join(found)


def assert_consistent(doc: dict) -> None:
    """What the schema cannot say: the summary counts this document, muted findings apart."""
    summary = doc["summary"]
    findings = doc["findings"]
    assert summary["findings"] == len(findings)
    assert summary["muted"] == len(doc["muted"])
    assert summary["accounts"] == len(doc["accounts"])
    assert summary["posts_scanned"] == sum(a["posts_scanned"] for a in doc["accounts"])
    assert summary["by_severity"] == {
        s: sum(f["severity"] == s for f in findings) for s in SEVERITIES
    }
    by_check: dict[str, int] = {}
    for f in findings:
        by_check[f["check"]] = by_check.get(f["check"], 0) + 1
    assert summary["by_check"] == by_check
    sources = doc["coverage"]["sources"]
    errors = sum(len(s["errors"]) for s in sources) + len(doc["coverage"]["check_errors"])
    assert summary["errors"] == errors
    keys = {a["key"] for a in doc["accounts"]}
    for f in findings + doc["muted"]:
        assert f["account"] in keys
    for s in sources:
        assert s["reposts_skipped"] <= s["posts_read"]


def evidence_texts(doc: dict) -> list[str]:
    return [
        e["text"]
        for f in doc["findings"] + doc["muted"]
        for e in f["evidence"]
        if e["text"] is not None
    ]


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("source", [ARCHIVE, POSTS], ids=["x-archive", "posts-jsonl"])
def test_scan_report_matches_schema(capsys, validator, source):
    rc, doc = scan(capsys, source)
    assert rc == EXIT_FINDINGS  # both examples hold a finding at or above the default "high"
    assert_valid(validator, doc)
    assert_consistent(doc)
    assert doc["schema"] == "auditor.report/1"
    assert doc["findings"], "the example should produce findings"
    assert [s["path"] for s in doc["coverage"]["sources"]] == [str(source)]
    assert doc["evidence_masked"] is True
    texts = evidence_texts(doc)
    assert texts
    assert all(mask(t) == t for t in texts), "masked evidence must not carry the words"


def test_show_text_report_matches_schema_and_keeps_fingerprints(capsys, validator):
    _, masked = scan(capsys, POSTS)
    rc, shown = scan(capsys, POSTS, "--show-text")
    assert rc == EXIT_FINDINGS
    assert_valid(validator, shown)
    assert_consistent(shown)
    assert shown["evidence_masked"] is False
    assert any(mask(t) != t for t in evidence_texts(shown)), "--show-text should show the words"
    assert [f["fingerprint"] for f in shown["findings"]] == [
        f["fingerprint"] for f in masked["findings"]
    ]


def test_fingerprints_do_not_follow_severity(capsys, tmp_path, validator):
    _, before = scan(capsys, ARCHIVE)
    check = before["findings"][-1]["check"]
    level = "low" if before["findings"][-1]["severity"] == "info" else "info"
    config = tmp_path / "config.toml"
    config.write_text(f'[checks.severity]\n"{check}" = "{level}"\n', "utf-8")
    _, after = scan(capsys, ARCHIVE, "--config", config)
    assert_valid(validator, after)
    assert_consistent(after)
    old = {f["fingerprint"]: f for f in before["findings"]}
    new = {f["fingerprint"]: f for f in after["findings"]}
    assert old.keys() == new.keys()
    for fp, f in new.items():
        assert f["severity"] == (level if f["check"] == check else old[fp]["severity"])


def test_muted_findings_match_schema(capsys, tmp_path, validator):
    _, before = scan(capsys, ARCHIVE)
    first, second = before["findings"][-1], before["findings"][-2]
    config = tmp_path / "config.toml"
    config.write_text(
        "[[mutes]]\n"
        f'fingerprint = "{first["fingerprint"]}"\n'
        'reason = "reviewed with the privacy officer"\n'
        "until = 2999-12-31\n"
        "\n"
        "[[mutes]]\n"
        f'fingerprint = "{second["fingerprint"]}"\n'
        'reason = "not a patient"\n',
        "utf-8",
    )
    rc, doc = scan(capsys, ARCHIVE, "--config", config)
    assert rc == EXIT_FINDINGS
    assert_valid(validator, doc)
    assert_consistent(doc)
    muted = {m["fingerprint"]: m for m in doc["muted"]}
    assert muted.keys() == {first["fingerprint"], second["fingerprint"]}
    assert muted[first["fingerprint"]]["mute"] == {
        "reason": "reviewed with the privacy officer",
        "until": "2999-12-31",
    }
    assert muted[second["fingerprint"]]["mute"] == {"reason": "not a patient", "until": None}
    active = {f["fingerprint"] for f in doc["findings"]}
    assert not active & muted.keys()
    assert doc["summary"]["findings"] == before["summary"]["findings"] - 2
    assert doc["summary"]["muted"] == 2
    for fp, entry in muted.items():
        original = next(f for f in before["findings"] if f["fingerprint"] == fp)
        assert {k: v for k, v in entry.items() if k != "mute"} == original


def test_missing_second_source_is_a_coverage_error(capsys, tmp_path, validator):
    missing = tmp_path / "no-such-archive.zip"
    rc, doc = scan(capsys, POSTS, missing)
    assert rc == EXIT_PARTIAL  # a source failed but the rest ran
    assert_valid(validator, doc)
    assert_consistent(doc)
    read, failed = doc["coverage"]["sources"]
    assert read["path"] == str(POSTS) and read["platform"] == "posts" and not read["errors"]
    assert failed["path"] == str(missing)
    assert failed["platform"] is None and failed["layout"] is None
    assert failed["posts_read"] == 0 and failed["checks_run"] == []
    assert [e["file"] for e in failed["errors"]] == [str(missing)]
    assert failed["errors"][0]["message"]
    assert doc["summary"]["errors"] == 1
    assert doc["findings"], "the readable source is still audited"


def test_no_readable_source_writes_no_report(capsys, tmp_path):
    capsys.readouterr()
    rc = main(["scan", str(tmp_path / "nothing.zip"), "--format", "json", "--quiet"])
    out, err = capsys.readouterr()
    assert rc == EXIT_INPUT
    assert out == ""
    assert "nothing.zip" in err


def _set(doc: dict, path: tuple, value: object) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _drop(doc: dict, path: tuple) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return doc


BREAKAGES = {
    "bad severity": lambda d: _set(d, ("findings", 0, "severity"), "severe"),
    "upper-case severity": lambda d: _set(d, ("findings", 0, "severity"), "HIGH"),
    "bad two-factor status": lambda d: _set(d, ("accounts", 0, "two_factor", "status"), "fine"),
    "bad role": lambda d: _set(d, ("accounts", 0, "role"), "work"),
    "private as a string": lambda d: _set(d, ("accounts", 0, "private"), "no"),
    "short fingerprint": lambda d: _set(d, ("findings", 0, "fingerprint"), "abc123"),
    "upper-case fingerprint": lambda d: _set(
        d, ("findings", 0, "fingerprint"), d["findings"][0]["fingerprint"].upper() + "A"
    ),
    "other schema": lambda d: _set(d, ("schema",), "auditor.report/2"),
    "missing summary": lambda d: _drop(d, ("summary",)),
    "missing evidence text": lambda d: _drop(d, ("findings", 0, "evidence", 0, "text")),
    "negative count": lambda d: _set(d, ("summary", "posts_scanned"), -1),
    "date-time not a string": lambda d: _set(d, ("generated_at",), 1700000000),
    "date-time without offset": lambda d: _set(d, ("generated_at",), "2024-01-09T10:00:00"),
    "muted entry without mute": lambda d: _set(d, ("muted",), [d["findings"][0]]),
}


@pytest.fixture(scope="module")
def archive_doc(report_env) -> dict:
    """One real report of the example archive, for the tests that break or extend it."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        for var, value in report_env.items():
            mp.setenv(var, value)
        main(["scan", str(ARCHIVE), "--format", "json", "--quiet"])
    return json.loads(out.getvalue())


@pytest.mark.parametrize("breakage", list(BREAKAGES), ids=list(BREAKAGES))
def test_schema_rejects_broken_documents(validator, archive_doc, breakage):
    assert not problems(validator, archive_doc)
    broken = BREAKAGES[breakage](archive_doc)
    assert problems(validator, broken), f"schema accepted a document with {breakage}"


def test_schema_accepts_added_fields(validator, archive_doc):
    """Later versions of auditor.report/1 add fields: a validator of today must accept them."""
    doc = copy.deepcopy(archive_doc)
    doc["new_top_level"] = {"anything": [1, 2]}
    doc["accounts"][0]["display_name"] = "Dr. Maya Okafor"
    doc["accounts"][0]["two_factor"]["checked_at"] = None
    doc["findings"][0]["confidence"] = 0.9
    doc["findings"][0]["post"]["media"] = []
    doc["findings"][0]["evidence"][0]["start"] = 12
    doc["coverage"]["sources"][0]["bytes_read"] = 1024
    doc["coverage"]["extra"] = []
    doc["summary"]["by_severity"]["unrated"] = 0
    doc["tool"]["commit"] = "abc"
    assert_valid(validator, doc)


def test_example_in_docs_matches_schema(validator):
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)
    assert blocks, f"{DOC} should hold a ```json example"
    for block in blocks:
        doc = json.loads(block)
        assert_valid(validator, doc)
        assert_consistent(doc)
