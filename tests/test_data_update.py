"""`auditor data update`: the 2fa.directory fetched over HTTPS (mocked with responses) into
the user data directory, checked before it replaces anything, and named in every report."""

import json
import stat
from datetime import UTC, datetime
from importlib import resources

import pytest
import responses

from auditor import cli, twofa_directory
from auditor.net import ServiceError

from conftest import EXAMPLE, run_cli

API = "https://api.2fa.directory/v4/all.json"


def bundled():
    text = resources.files("auditor.data").joinpath("twofa_directory.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture(autouse=True)
def fresh_directory():
    twofa_directory.current.cache_clear()
    yield
    twofa_directory.current.cache_clear()


def newer_directory():
    data = bundled()
    data["instagram.com"] = {"methods": ["sms", "totp", "u2f"], "documentation": "https://ig.test"}
    return data


@responses.activate
def test_update_replaces_the_copy_in_use_and_reports_name_it(capsys, isolated_home):
    responses.get(API, json=newer_directory())
    assert twofa_directory.lookup("instagram.com").methods == ("totp", "sms")
    assert cli.main(["data", "update"]) == 0
    err = capsys.readouterr().err
    assert "sites from https://api.2fa.directory/v4/all.json" in err
    assert "was: the bundled snapshot of 2026-08-05" in err
    path = twofa_directory.user_copy()
    assert path.is_relative_to(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = twofa_directory.current()
    assert data.source == API and data.snapshot == datetime.now(UTC).date()
    assert twofa_directory.lookup("instagram.com").methods == ("u2f", "totp", "sms")
    # the request named us and asked for JSON
    assert responses.calls[0].request.headers["User-Agent"].startswith("footprint-auditor/")
    assert cli.main(["data", "show"]) == 0
    assert f"fetched from {API}" in capsys.readouterr().out


@responses.activate
def test_a_mirror_from_the_config(tmp_path, capsys):
    responses.get("https://mirror.test/2fa/v4/all.json", json=newer_directory())
    config = tmp_path / "config.toml"
    config.write_text('[endpoints]\ntwofa_directory = "https://mirror.test/2fa/"\n')
    assert cli.main(["data", "update", "--config", str(config)]) == 0
    assert twofa_directory.current().source == "https://mirror.test/2fa/v4/all.json"


@pytest.mark.parametrize(
    "body, expect",
    [
        ("<html>maintenance</html>", "not the 2fa.directory data set"),
        (json.dumps({"x.com": {"methods": ["totp"]}}), "only 1 sites"),
        (json.dumps({k: v for k, v in bundled().items() if k != "x.com"}), "no record for x.com"),
        (json.dumps(["x.com"]), "not a JSON object"),
    ],
)
@responses.activate
def test_a_wrong_answer_is_refused_and_the_current_copy_kept(body, expect, capsys):
    responses.get(API, body=body)
    assert cli.main(["data", "update"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2fa.directory not updated: api.2fa.directory" in err
    assert expect in err
    assert not twofa_directory.user_copy().exists()
    assert twofa_directory.current().source == "bundled"


@responses.activate
def test_server_errors_are_retried_then_one_line(monkeypatch):
    monkeypatch.setattr("auditor.net.time.sleep", lambda s: None)
    responses.get(API, status=503)
    with pytest.raises(ServiceError, match="HTTP 503 after 3 tries"):
        twofa_directory.update("https://api.2fa.directory")
    assert len(responses.calls) == 3


@responses.activate
def test_a_damaged_copy_falls_back_to_the_bundled_snapshot_with_a_note(tmp_path):
    responses.get(API, json=newer_directory())
    twofa_directory.update("https://api.2fa.directory")
    twofa_directory.user_copy().write_text('{"x.com": ')  # cut short
    twofa_directory.current.cache_clear()
    data = twofa_directory.current()
    assert data.source == "bundled" and "unreadable" in data.note
    assert "auditor data update" in data.note


@responses.activate
def test_a_scan_report_says_which_copy_it_used(tmp_path):
    responses.get(API, json=newer_directory())
    twofa_directory.update("https://api.2fa.directory")
    proc = run_cli("scan", EXAMPLE, "-f", "json", "--fail-on", "none")
    [entry] = json.loads(proc.stdout)["data_sets"]
    assert entry["source"] == API and entry["age_days"] == 0
    text = run_cli("scan", EXAMPLE, "--fail-on", "none").stdout
    assert "2fa.directory copy of" in text


def test_the_bundled_snapshot_in_a_report_asks_for_a_refresh_when_old():
    proc = run_cli("scan", EXAMPLE, "--fail-on", "none")
    age = twofa_directory.age_days(datetime.now(UTC).date())
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("2fa.directory"))
    assert line.startswith("2fa.directory bundled snapshot of 2026-08-05")
    assert ("`auditor data update` refreshes it" in line) is (age > 90)
