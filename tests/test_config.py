import json
from datetime import date

import pytest

from auditor import config as cfg
from auditor.errors import ConfigError
from auditor.model import Severity

from conftest import EXAMPLE, ROOT, run_cli


def test_example_config_is_valid():
    c = cfg.load(ROOT / "config.example.toml")
    assert c.owner_name == "Dr. Maya Okafor"
    assert c.account_role("x", "@drmayaokafor") == "professional"
    assert c.account_role("instagram", None) == "personal"  # the platform's only account


def test_fediverse_handles_match_with_or_without_the_server():
    c = cfg.parse({"accounts": [{"platform": "mastodon", "handle": "@ann", "role": "personal"}]})
    assert c.account_role("mastodon", "ann@example.social") == "personal"
    assert c.account_role("mastodon", "bob@example.social") is None


def test_no_config_is_an_empty_one():
    assert cfg.load(None) == cfg.Config()


def test_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        cfg.load(tmp_path / "nope.toml")


def problems(text, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        cfg.load(path)
    return exc.value.problems


def test_every_problem_is_named_by_key_path(tmp_path):
    found = problems(
        """
[owner]
name = "A"
colour = "blue"
[[accounts]]
platform = "x"
handle = "a"
role = "professional"
[[accounts]]
platform = "myspace"
handle = "b"
role = "personal"
[[accounts]]
platform = "x"
handle = "c"
role = "pro"
[checks]
disabled = "content.patient-encounter"
[checks.severity]
"security.two-factor" = "urgent"
[[mutes]]
reason = "reviewed"
until = "soon"
""",
        tmp_path,
    )
    assert "owner.colour: unknown key (expected one of email, name, practice)" in found
    assert any(p.startswith("accounts[1].platform: expected x|facebook") for p in found)
    assert 'accounts[2].role: expected personal|professional|practice, got "pro"' in found
    assert any(p.startswith("checks.disabled: expected a list") for p in found)
    assert any(
        p.startswith('checks.severity."security.two-factor": expected critical') for p in found
    )
    assert "mutes[0].fingerprint: missing (required)" in found
    assert any(p.startswith("mutes[0].until: expected a date") for p in found)


def test_bad_toml_names_the_file(tmp_path):
    found = problems("[owner\nname = 1", tmp_path)
    assert found[0].startswith("not valid TOML")


def test_mutes_and_expiry():
    c = cfg.parse(
        {
            "mutes": [
                {"fingerprint": "a" * 20, "reason": "ok", "until": date(2026, 1, 31)},
                {"fingerprint": "b" * 20, "reason": "forever"},
            ],
            "checks": {"severity": {"security.two-factor": "low"}},
        }
    )
    assert c.mutes[0].active(date(2026, 1, 31)) and not c.mutes[0].active(date(2026, 2, 1))
    assert c.mutes[1].active(date(2099, 1, 1))
    assert c.severity_overrides == {"security.two-factor": Severity.LOW}


def scan_json(tmp_path, config_text, *extra):
    path = tmp_path / "config.toml"
    path.write_text(config_text)
    proc = run_cli("scan", EXAMPLE, "--config", path, "-f", "json", "-q", *extra, cwd=tmp_path)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def test_config_disables_overrides_and_mutes_in_a_scan(tmp_path):
    _, base = scan_json(tmp_path, "")
    tfa = next(f for f in base["findings"] if f["check"] == "security.two-factor")
    critical = [f for f in base["findings"] if f["severity"] == "critical"]
    text = f"""
[[accounts]]
platform = "x"
handle = "DrMayaOkafor"
role = "professional"
[checks]
disabled = ["content.patient-encounter"]
[checks.severity]
"security.two-factor" = "low"
[[mutes]]
fingerprint = "{critical[0]["fingerprint"]}"
reason = "reviewed with the privacy officer"
until = 2999-01-01
[[mutes]]
fingerprint = "{tfa["fingerprint"]}"
reason = "expired mute"
until = 2020-01-01
"""
    proc, doc = scan_json(tmp_path, text)
    assert doc["accounts"][0]["role"] == "professional"
    checks = {f["check"] for f in doc["findings"]}
    assert "content.patient-encounter" not in checks
    skipped = doc["coverage"]["sources"][0]["checks_skipped"]
    assert skipped == [
        {"check": "content.patient-encounter", "reason": "disabled in the config's [checks]"}
    ]
    tfa_now = next(f for f in doc["findings"] if f["check"] == "security.two-factor")
    assert tfa_now["severity"] == "low" and tfa_now["fingerprint"] == tfa["fingerprint"]
    assert [m["fingerprint"] for m in doc["muted"]] == [critical[0]["fingerprint"]]
    assert doc["muted"][0]["mute"] == {
        "reason": "reviewed with the privacy officer",
        "until": "2999-01-01",
    }
    assert doc["summary"]["muted"] == 1
    assert doc["summary"]["findings"] == len(doc["findings"])


def test_muted_findings_do_not_count_toward_the_exit_code(tmp_path):
    proc, base = scan_json(tmp_path, "")
    assert proc.returncode == 1
    mutes = "".join(
        f'[[mutes]]\nfingerprint = "{f["fingerprint"]}"\nreason = "r"\n'
        for f in base["findings"]
        if f["severity"] in ("critical", "high")
    )
    proc, doc = scan_json(tmp_path, mutes)
    assert proc.returncode == 0, proc.stderr
    assert doc["muted"]


def test_invalid_config_stops_before_any_work(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[accounts]]\nplatform = "x"\nhandle = "a"\nrole = "pro"\n')
    proc = run_cli("scan", tmp_path / "does-not-exist.zip", "--config", path, cwd=tmp_path)
    assert proc.returncode == 2
    assert "accounts[0].role: expected personal|professional|practice" in proc.stderr
    assert "does-not-exist" not in proc.stderr


def test_unknown_check_in_config_is_an_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[checks]\ndisabled = ["content.patient-identifier"]\n')
    proc = run_cli("scan", EXAMPLE, "--config", path, cwd=tmp_path)
    assert proc.returncode == 2 and "unknown check 'content.patient-identifier'" in proc.stderr


def test_default_config_location_is_used(tmp_path, isolated_home):
    target = isolated_home / ".config" / "auditor" / "config.toml"
    target.parent.mkdir(parents=True)
    target.write_text('[checks]\ndisabled = ["security.two-factor"]\n')
    proc = run_cli("scan", EXAMPLE, "-f", "json", "-q", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert "security.two-factor" not in {f["check"] for f in doc["findings"]}
