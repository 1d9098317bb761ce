"""Self-attested two-factor in the config: validated, named as the user's, dated, and stale
after a year."""

from datetime import date

import pytest

from auditor import config, engine
from auditor.errors import ConfigError
from auditor.model import two_factor_status
from auditor.plugins import discover

from conftest import EXAMPLE


def cfg(**extra):
    acc = {"platform": "x", "handle": "DrMayaOkafor", "role": "professional", **extra}
    return config.parse({"accounts": [acc]})


def test_valid_and_invalid_entries():
    ok = cfg(two_factor="key", two_factor_checked=date(2026, 1, 31)).accounts[0]
    assert (ok.two_factor, ok.two_factor_checked) == ("key", date(2026, 1, 31))
    with pytest.raises(ConfigError) as err:
        cfg(two_factor="yes", two_factor_checked="2026-01-31")
    text = str(err.value) + " ".join(getattr(err.value, "problems", []))
    assert "accounts[0].two_factor: expected none|sms|totp|key" in text
    assert "accounts[0].two_factor_checked: expected a date" in text


def x_account(c, today):
    result = engine.run([EXAMPLE], c, discover(), today=today)
    [acct] = [a for a in result.accounts if a.account.platform == "x"]
    return acct, result


def test_attested_key_is_evidence_named_as_the_users():
    acct, result = x_account(
        cfg(two_factor="key", two_factor_checked=date(2026, 11, 1)), date(2026, 12, 2)
    )
    state = two_factor_status(acct.security)
    assert state.status == "enabled" and "key" in state.methods
    assert any("you say so in the config (checked 2026-11-01)" in e for e in state.evidence)
    assert not any(f.check == "security.two-factor" for f in result.findings)


def test_stale_and_none():
    acct, _ = x_account(
        cfg(two_factor="totp", two_factor_checked=date(2024, 1, 1)), date(2026, 12, 2)
    )
    assert any("look again" in e for e in two_factor_status(acct.security).evidence)
    acct, _ = x_account(cfg(two_factor="none"), date(2026, 12, 2))
    # the archive shows SMS login verification; the user says none: the evidence wins
    state = two_factor_status(acct.security)
    assert state.status == "sms"


def test_credential_paths_in_the_config(tmp_path):
    c = config.parse({"credentials": {"authenticator": ["~/a.json"], "passwords": "v.csv"}})
    assert c.authenticators[0].name == "a.json" and "~" not in str(c.authenticators[0])
    assert [p.name for p in c.password_exports] == ["v.csv"]
    with pytest.raises(ConfigError) as err:
        config.parse({"credentials": {"passwords": [1], "vault": []}})
    text = str(err.value) + " ".join(getattr(err.value, "problems", []))
    assert "credentials.passwords: expected a list of file paths" in text


def test_scan_reads_the_configs_credential_exports(tmp_path):
    import json

    from conftest import run_cli

    vault = tmp_path / "chrome.csv"
    vault.write_text(
        "name,url,username,password\ntwitter.com,https://twitter.com/,a,Same-1!x\n"
        "github.com,https://github.com/,b,Same-1!x\n"
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[credentials]\npasswords = ["{vault}"]\n')
    out = tmp_path / "r.json"
    proc = run_cli(
        "scan", EXAMPLE, "--config", cfg, "--offline", "-o", out, "--fail-on", "none", "-q"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["coverage"]["credentials"][0]["path"] == str(vault)
    assert any(f["check"] == "security.password-reused" for f in doc["findings"])
