"""`auditor facts` and the protected facts in content.self-exposure, with the in-memory
keyring of conftest (never the OS keyring)."""

import json

import keyring
import keyring.errors
import pytest

from auditor import facts
from auditor.checks import CheckContext
from auditor.checks.content.self_exposure import SelfExposure
from auditor.cli import main
from auditor.model import Account, Post, Severity
from auditor.text.analysis import default_analyser


def test_add_list_remove(capsys, memory_keyring):
    assert main(["facts", "add", "Maple   Crescent"]) == 0
    assert main(["facts", "add", "maple crescent"]) == 0  # already there, any case
    assert main(["facts", "add", "Ava"]) == 0
    assert "already protected" in capsys.readouterr().err
    assert main(["facts", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["Maple Crescent", "Ava"]
    # one keyring entry, nothing on disk
    stored = memory_keyring.entries[(facts.SERVICE, facts.ENTRY)]
    assert json.loads(stored) == ["Maple Crescent", "Ava"]
    assert main(["facts", "remove", "MAPLE CRESCENT"]) == 0
    assert main(["facts", "remove", "Oak Road"]) == 2
    assert "not a protected fact: Oak Road" in capsys.readouterr().err
    assert facts.load() == ("Ava",)
    assert main(["facts", "remove", "Ava"]) == 0
    assert (facts.SERVICE, facts.ENTRY) not in memory_keyring.entries


def test_too_short_a_fact_is_refused(capsys):
    assert main(["facts", "add", "Al"]) == 2
    assert "too short" in capsys.readouterr().err


def findings(text, protected):
    account = Account("x", "drtest")
    post = Post("p", text, account.key)
    ctx = CheckContext(today=None, protected_facts=protected)
    return list(SelfExposure().check_post(post, default_analyser().analyse(text), account, ctx))


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Snow again on maple  crescent this morning, shovels out!", True),
        ("Ava lost her first tooth today 🦷", True),
        ("Java conference next week, slides soon.", False),  # a fact only as a whole word
        ("Snow again on the hill this morning.", False),
    ],
)
def test_a_post_mentioning_a_protected_fact_is_high(text, flagged):
    got = findings(text, ("Maple Crescent", "Ava"))
    assert bool(got) is flagged
    if flagged:
        (f,) = got
        assert f.severity is Severity.HIGH and "one of your protected facts" in f.title
        assert f.evidence[0].kind == "protected_fact"


def test_scan_flags_protected_facts_and_masks_them(tmp_path, capsys):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        json.dumps({"id": "1", "text": "Home by six to Maple Crescent, kettle on."}) + "\n"
    )
    main(["facts", "add", "Maple Crescent"])
    out = tmp_path / "report.json"
    assert main(["scan", str(posts), "-o", str(out), "-q", "--fail-on", "none"]) == 0
    doc = json.loads(out.read_text())
    (f,) = [f for f in doc["findings"] if f["check"] == "content.self-exposure"]
    assert f["severity"] == "high"
    assert "Maple Crescent" not in out.read_text()  # masked unless --show-text


class BrokenKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service, username):
        raise keyring.errors.KeyringLocked("the collection is locked")


def test_a_locked_keyring_is_one_line_and_the_audit_still_runs(tmp_path, capsys):
    keyring.set_keyring(BrokenKeyring())
    assert main(["facts", "add", "Maple Crescent"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "OS keyring" in err and "never in a file" in err
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "text": "Hello"}) + "\n")
    assert main(["scan", str(posts), "-q", "-f", "json", "--fail-on", "none"]) == 0
    captured = capsys.readouterr()
    assert "protected facts not checked" in captured.err
    assert json.loads(captured.out)["summary"]["posts_scanned"] == 1


def test_no_keyring_at_all_is_silent(tmp_path, capsys):
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "text": "Hello"}) + "\n")
    assert main(["scan", str(posts), "-q", "-f", "json", "--fail-on", "none"]) == 0
    assert capsys.readouterr().err == ""
