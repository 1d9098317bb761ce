"""`auditor audit` with a Mastodon account read live (HTTP mocked with responses): paging to
the end, rate limits with a faked clock, faults as one line, the post cache, GET only."""

import json

import pytest
import responses
from live_helpers import audit

from auditor import cli

BASE = "https://med.example"
ME = {
    "id": "42",
    "username": "drjlee",
    "acct": "drjlee",
    "url": "https://med.example/@drjlee",
    "display_name": "Dr. J. Lee",
    "locked": False,
    "discoverable": True,
    "indexable": False,
    "statuses_count": 3,
    "note": "<p>Runner and baker.</p>",
    "fields": [],
}
STATUSES = f"{BASE}/api/v1/accounts/42/statuses"


def status(sid, text, visibility="public", **extra):
    return {
        "id": sid,
        "created_at": f"2026-02-{int(sid) % 27 + 1:02d}T18:04:11.120Z",
        "visibility": visibility,
        "content": f"<p>{text}</p>",
        "spoiler_text": "",
        "url": f"{BASE}/@drjlee/{sid}",
        "in_reply_to_id": None,
        "reblog": None,
        "media_attachments": [],
        "mentions": [],
        **extra,
    }


PATIENT = "Saw a 91-year-old retired fire chief from Brookfield in the ED tonight, bed 4"


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "mastodon"\nhandle = "drjlee@med.example"\n'
        'role = "personal"\nsource = "api"\n'
    )
    return path


def pages(*batches):
    for n, batch in enumerate(batches):
        headers = {}
        if n + 1 < len(batches):
            headers["Link"] = f'<{STATUSES}?limit=40&max_id=p{n + 1}>; rel="next"'
        match = [
            responses.matchers.query_param_matcher(
                {"limit": "40", **({"max_id": f"p{n}"} if n else {})}
            )
        ]
        responses.get(STATUSES, json=batch, headers=headers, match=match)


@responses.activate
def test_paging_to_the_end_and_every_check(config, tmp_path, monkeypatch):
    monkeypatch.setattr("auditor.live.http.time.sleep", lambda s: None)
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    pages(
        [status("3", PATIENT), status("2", "Long run today")],
        [status("1", "Bread day", visibility="unlisted"), status("0", "hi", visibility="direct")],
    )
    code, doc = audit(config, tmp_path)
    assert code == 0
    [acct] = doc["accounts"]
    assert acct["key"] == "mastodon:drjlee@med.example" and acct["posts_scanned"] == 3
    checks = {f["check"] for f in doc["findings"]}
    assert "content.patient-identifiers" in checks
    # the live settings read like the archive's: a personal account offered to strangers
    assert {"settings.discoverable-personal-account", "settings.open-friend-requests"} <= checks
    assert all(c.request.method == "GET" for c in responses.calls)


@responses.activate
def test_the_second_audit_fetches_only_new_posts(config, tmp_path):
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    pages([status("3", PATIENT), status("2", "Long run today")], [status("1", "Bread day")])
    first = audit(config, tmp_path)[1]
    calls = len(responses.calls)
    responses.reset()
    responses.get(f"{BASE}/api/v1/accounts/lookup", json={**ME, "statuses_count": 4})
    responses.get(
        STATUSES,
        json=[status("4", "New post"), status("3", PATIENT)],
        headers={"Link": f'<{STATUSES}?limit=40&max_id=p1>; rel="next"'},
    )
    code, second = audit(config, tmp_path)
    assert code == 0 and len(responses.calls) == 2  # the lookup and one page: the rest is cached
    assert second["accounts"][0]["posts_scanned"] == 4
    fps = {f["fingerprint"] for f in first["findings"]}
    assert fps <= {f["fingerprint"] for f in second["findings"]}
    assert calls == 3


@responses.activate
def test_rate_limit_waits_then_a_long_one_stops_the_account_keeping_the_posts(
    config, tmp_path, monkeypatch
):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: 1_000_000.0)
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    responses.get(STATUSES, status=429, headers={"Retry-After": "7"})
    responses.get(
        STATUSES,
        json=[status("3", PATIENT)],
        headers={"Link": f'<{STATUSES}?max_id=p1>; rel="next"'},
    )
    responses.get(STATUSES, status=429, headers={"Retry-After": "3600"})
    code, doc = audit(config, tmp_path, "--refresh")
    assert code == 3 and 7.0 in waits
    [source] = doc["coverage"]["sources"]
    [err] = source["errors"]
    assert "asks to wait 60 min" in err["message"] and "1 posts in the cache" in err["message"]
    assert doc["accounts"][0]["posts_scanned"] == 1  # what was fetched is audited


@responses.activate
def test_server_errors_then_success_and_bad_answers(config, tmp_path, monkeypatch):
    monkeypatch.setattr("auditor.live.http.time.sleep", lambda s: None)
    responses.get(f"{BASE}/api/v1/accounts/lookup", status=500)
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    responses.get(STATUSES, body="<html>oops</html>")
    code, doc = audit(config, tmp_path)
    assert code == 3
    [err] = doc["coverage"]["sources"][0]["errors"]
    assert err["file"] == "mastodon:drjlee@med.example" and "not JSON" in err["message"]


@responses.activate
def test_a_revoked_token_names_the_login_command(tmp_path, memory_keyring):
    memory_keyring.set_password("mastodon", "med.example", "s3cr3t-T0KEN")
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "mastodon"\nhandle = "drjlee@med.example"\n'
        'role = "personal"\nsource = "api"\ntoken = "keyring:mastodon/med.example"\n'
    )
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", status=401)
    code, doc = audit(path, tmp_path)
    assert code == 3
    [err] = doc["coverage"]["sources"][0]["errors"]
    assert "auditor login mastodon --account mastodon:drjlee@med.example" in err["message"]
    assert "s3cr3t-T0KEN" not in json.dumps(doc)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer s3cr3t-T0KEN"


def test_an_invalid_config_is_named_before_any_call(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "facebook"\nhandle = "m"\nrole = "personal"\nsource = "api"\n'
        '[[accounts]]\nplatform = "x"\nhandle = "m"\nrole = "professional"\nsource = "api"\n'
        '[[accounts]]\nplatform = "mastodon"\nhandle = "m"\nrole = "personal"\nsource = "api"\n'
    )
    assert cli.main(["audit", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "accounts[0].source: facebook has no live API connector" in err
    assert "accounts[1].token: missing" in err and "run `auditor login x`" in err
    assert "accounts[2].base_url: missing: the Mastodon instance" in err


@responses.activate
def test_a_429_without_hints_backs_off_and_the_iso_reset_is_waited_for(
    config, tmp_path, monkeypatch
):
    waits = []
    monkeypatch.setattr("auditor.live.http.time.sleep", waits.append)
    monkeypatch.setattr("auditor.live.http.time.time", lambda: 1_767_225_600.0)  # 2026-01-01
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    responses.get(STATUSES, status=429)  # no Retry-After, no X-RateLimit-*: back off
    responses.get(
        STATUSES,
        json=[status("3", PATIENT)],
        headers={
            "Link": f'<{STATUSES}?max_id=p1>; rel="next"',
            "x-ratelimit-remaining": "0",
            "X-RateLimit-Reset": "2026-01-01T00:00:45.000Z",
        },
    )
    responses.get(STATUSES, json=[])
    code, doc = audit(config, tmp_path)
    assert code == 0 and doc["accounts"][0]["posts_scanned"] == 1
    assert waits == [1.0, 45.0]  # the backoff, then the wait for the window's reset


@responses.activate
def test_an_empty_account_is_audited_with_no_posts(config, tmp_path):
    responses.get(f"{BASE}/api/v1/accounts/lookup", json={**ME, "statuses_count": 0})
    responses.get(STATUSES, json=[])
    code, doc = audit(config, tmp_path)
    assert code == 0
    assert doc["accounts"][0]["posts_scanned"] == 0
    assert not [f for f in doc["findings"] if f["check"].startswith("content.")]


@responses.activate
def test_one_failing_account_never_stops_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr("auditor.live.http.time.sleep", lambda s: None)
    path = tmp_path / "config.toml"
    path.write_text(
        '[[accounts]]\nplatform = "mastodon"\nhandle = "drjlee@down.example"\n'
        'role = "personal"\nsource = "api"\n'
        '[[accounts]]\nplatform = "mastodon"\nhandle = "drjlee@med.example"\n'
        'role = "personal"\nsource = "api"\n'
    )
    responses.get("https://down.example/api/v1/accounts/lookup", status=503)
    responses.get(f"{BASE}/api/v1/accounts/lookup", json=ME)
    pages([status("3", PATIENT)])
    code, doc = audit(path, tmp_path)
    assert code == 3
    failed, fine = doc["coverage"]["sources"]
    [err] = failed["errors"]
    assert err["file"] == "mastodon:drjlee@down.example" and "HTTP 503 4 times" in err["message"]
    assert fine["errors"] == []
    assert "content.patient-identifiers" in {f["check"] for f in doc["findings"]}
