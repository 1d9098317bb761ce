"""`auditor secrets set|delete|list` on the in-memory keyring of conftest (never the OS's)."""

import io

import keyring
import pytest

from auditor import secrets
from auditor.cli import main


def test_set_list_delete(monkeypatch, capsys, memory_keyring):
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-123-secret\n"))
    assert main(["secrets", "set", "mastodon/med.social", "--stdin"]) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt: "hibp-key-456")
    assert main(["secrets", "set", "hibp/api-key"]) == 0
    err = capsys.readouterr().err
    assert "keyring:mastodon/med.social" in err and "tok-123" not in err
    assert main(["secrets", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["hibp/api-key", "mastodon/med.social"]
    assert "tok-123" not in out and "hibp-key" not in out
    assert secrets.get_secret("keyring:mastodon/med.social") == "tok-123-secret"
    assert memory_keyring.entries[("mastodon", "med.social")] == "tok-123-secret"
    assert main(["secrets", "delete", "mastodon/med.social"]) == 0
    assert main(["secrets", "delete", "mastodon/med.social"]) == 2
    assert secrets.names() == ["hibp/api-key"]
    assert secrets.get_secret("keyring:mastodon/med.social") is None


def test_a_bad_name_fails_before_asking(monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked"))
    assert main(["secrets", "set", "no-slash"]) == 2
    assert "expected SERVICE/NAME" in capsys.readouterr().err


def test_no_usable_keyring_says_how_to_configure_one(capsys):
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    assert main(["secrets", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PYTHON_KEYRING_BACKEND" in err and "Traceback" not in err
