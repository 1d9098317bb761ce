"""`auditor practice review`: a roster of 12 members with current, stale, missing, malformed,
newer-format and other-practice summaries; every figure of the JSON review asserted."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
import responses
import responses.matchers

from auditor import cli
from auditor.errors import ConfigError
from auditor.practice import review
from auditor.practice import roster as roster_mod

TODAY = date.today()


def account(role, status, methods, high=0, findings=()):
    return {
        "ref": "account-1",
        "platform": "x",
        "role": role,
        "handle": None,
        "two_factor": {"status": status, "methods": list(methods)},
        "private": None,
        "findings": [{"check": c, "severity": s, "title": c} for c, s in findings],
        "risky_posts": {
            "content.patient-identifiers": {
                "critical": 0,
                "high": high,
                "medium": 1,
                "low": 0,
                "info": 0,
            }
        },
        "risky_posts_total": high + 1,
    }


def summary(accounts, age=3, practice="Cedar Family Practice", schema="auditor.share/1"):
    return {
        "schema": schema,
        "generated_at": "2026-01-01T08:00:00Z",
        "audit_date": (TODAY - timedelta(days=age)).isoformat(),
        "tool": {"name": "footprint-auditor", "version": "0.1.0"},
        "member": {"name": "x", "email": None, "practice": practice},
        "working_conditions_included": False,
        "accounts": accounts,
        "coverage": {"sources_read": 1, "errors": 0},
    }


MEMBERS = {
    # name: what their summary is
    "ana": summary(
        [account("professional", "enabled", ["totp"]), account("personal", "disabled", [])]
    ),
    "ben": summary([account("professional", "sms", ["sms"])]),
    "cara": summary([account("practice", "enabled", ["key"])]),
    "dev": summary([account("professional", "disabled", [], high=2)]),
    "eli": summary([account("professional", "enabled", ["totp"])], age=60),
    "fay": None,  # no file
    "gus": "{not json",
    "hal": summary([account("professional", "enabled", ["totp"])], schema="auditor.share/2"),
    "ivy": summary([account("professional", "enabled", ["totp"])], practice="Oak Clinic"),
    "jo": summary(
        [account("professional", "enabled", ["app"], findings=[("content.mixed-account", "low")])]
    ),
    "kit": summary([account("professional", "unknown", [])]),
    "lee": summary(
        [account("professional", "enabled", ["totp"], findings=[("security.sessions", "high")])]
    ),
}


# what each member's summary is found to be
STATUS = {
    "ana": "current",
    "ben": "current",
    "cara": "current",
    "dev": "current",
    "eli": "stale",
    "fay": "missing",
    "gus": "malformed",
    "hal": "newer-schema",
    "ivy": "other-practice",
    "jo": "current",
    "kit": "current",
    "lee": "current",
}


@pytest.fixture
def roster_file(tmp_path):
    return write_roster_file(tmp_path, MEMBERS)


def write_roster_file(tmp_path, members, key=lambda name, n: name):
    """roster.toml in tmp_path, with each member's summary (None: no file) in summaries/;
    key(name, n) names the member's file and e-mail address."""
    folder = tmp_path / "summaries"
    folder.mkdir()
    lines = [
        'name = "Cedar Family Practice"',
        "[policy]",
        'required_two_factor = "app"',
        "max_audit_age_days = 45",
    ]
    for n, (name, data) in enumerate(members.items()):
        if data is not None:
            text = data if isinstance(data, str) else json.dumps(data)
            (folder / f"{key(name, n)}.json").write_text(text)
        lines += [
            "[[members]]",
            f"name = {json.dumps(name)}",
            f'email = "{key(name, n)}@cedar.example"',
            f'summary = "summaries/{key(name, n)}.json"',
        ]
    path = tmp_path / "roster.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_figure_of_the_review(roster_file, tmp_path, capsys):
    out = tmp_path / "review.json"
    assert (
        cli.main(["practice", "review", str(roster_file), "-f", "json", "-o", str(out), "-q"]) == 0
    )
    doc = json.loads(out.read_text())
    assert doc["schema"] == "auditor.practice-review/1"
    status = {m["name"]: m["summary"]["status"] for m in doc["members"]}
    assert status == STATUS
    # in scope: the professional and practice accounts of ana ben cara dev eli jo kit lee
    assert doc["figures"] == {
        "members": 12,
        "members_with_current_audit": 7,
        "members_with_open_high": 2,  # dev (posts), lee (sessions)
        "members_without_usable_summary": 4,
        "accounts_in_scope": 8,
        "accounts_with_two_factor": 6,  # all but dev (off) and kit (unknown)
        "accounts_with_app_or_key": 5,  # ana eli cara jo lee
        "accounts_meeting_policy": 5,
        "share_with_two_factor": 0.75,
        "share_with_app_or_key": 0.625,
        "share_current_audit": 0.583,
        "members_in_organisation_mfa": 0,
        "members_organisation_mfa_meeting_policy": 0,
    }
    checklist = {c["rule"]: c["passed"] for c in doc["checklist"]}
    assert not any(checklist.values())
    assert "jo" in doc["checklist"][3]["detail"]
    assert len(doc["actions"]) == 5
    assert doc["actions"][0].startswith("dev: 2 open critical or high")
    assert doc["actions"][1].startswith("lee: 1 open critical or high")
    assert "hal" in " ".join(doc["actions"]) or "fay" in " ".join(doc["actions"])
    by_name = {m["name"]: m for m in doc["members"]}
    assert "auditor.share/2 is newer" in by_name["hal"]["summary"]["detail"]
    assert "a summary for Oak Clinic" in by_name["ivy"]["summary"]["detail"]
    assert by_name["ana"]["accounts"] == 1  # the personal account is out of scope

    assert cli.main(["practice", "review", str(roster_file)]) == 0
    text = capsys.readouterr().out
    assert "Security review: Cedar Family Practice" in text
    assert "never counted as clean" in text and "MISSING" in text

    assert cli.main(["practice", "review", str(roster_file), "-f", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "## Policy checklist" in markdown and "- [ ] every member audited" in markdown
    assert "| Member " in markdown and "| UNREADABLE " in markdown
    assert cli.main(["practice", "review", str(roster_file), "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["name"]: r["summary_status"] for r in rows} == status
    assert {r["name"]: r["open_high"] for r in rows if r["open_high"] != "0"} == {
        "dev": "2",
        "lee": "1",
    }


def test_the_roster_is_validated_by_key_path(tmp_path):
    path = tmp_path / "roster.toml"
    path.write_text(
        'name = "Cedar"\n[policy]\nrequired_two_factor = "email"\nmax_audit_age_days = 0\n'
        '[[members]]\nname = "A"\nemail = "nope"\n[[members]]\nemail = "b@cedar.example"\n'
    )
    with pytest.raises(ConfigError) as caught:
        roster_mod.load(path)
    text = str(caught.value)
    for expected in (
        "policy.required_two_factor: expected sms|app|key",
        "policy.max_audit_age_days: expected a whole number",
        "members[0].email: expected an e-mail address",
        "members[1].name: missing (required)",
    ):
        assert expected in text


def test_the_example_roster_is_valid():
    from conftest import ROOT

    roster = roster_mod.load(ROOT / "roster.example.toml")
    assert roster.name == "Cedar Family Practice" and roster.members[0].email.endswith(".example")


GRAPH = "https://graph.example.test"
LOGIN = "https://login.example.test"
ADMIN = "https://admin.example.test"
TOKEN = "https://oauth.example.test/token"


def with_mfa(roster_file):
    roster_file.write_text(
        roster_file.read_text().replace(
            "[policy]",
            f"""[mfa.microsoft]
tenant = "cedar.example"
client_id = "app-1"
client_secret = "keyring:microsoft/cedar"
login_url = "{LOGIN}"
graph_url = "{GRAPH}"

[mfa.google]
credentials = "keyring:google/cedar"
admin_url = "{ADMIN}"
token_url = "{TOKEN}"

[policy]""",
            1,
        )
    )
    return roster_file


def graph_user(name, methods, registered=True):
    return {
        "userPrincipalName": f"{name.upper()}@cedar.example",
        "isMfaRegistered": registered,
        "methodsRegistered": methods,
    }


@responses.activate
def test_microsoft_graph_and_google_workspace_mfa_are_matched_by_email(roster_file, memory_keyring):
    memory_keyring.set_password("microsoft", "cedar", "graph-secret")
    memory_keyring.set_password(
        "google",
        "cedar",
        json.dumps({"client_id": "g", "client_secret": "s", "refresh_token": "r"}),
    )
    responses.post(f"{LOGIN}/cedar.example/oauth2/v2.0/token", json={"access_token": "gt"})
    report = f"{GRAPH}/v1.0/reports/authenticationMethods/userRegistrationDetails"
    responses.get(
        report,
        json={
            "value": [
                graph_user("ana", ["microsoftAuthenticatorPush"]),
                graph_user("ben", ["mobilePhone"]),
                graph_user("cara", ["fido2", "mobilePhone"]),
            ],
            "@odata.nextLink": f"{report}?$skiptoken=2",
        },
        match=[responses.matchers.query_param_matcher({})],
    )
    responses.get(f"{report}?$skiptoken=2", status=429, headers={"Retry-After": "0"})
    responses.get(
        f"{report}?$skiptoken=2",
        json={"value": [graph_user("dev", [], registered=False)]},
    )
    responses.post(TOKEN, json={"access_token": "wt"})
    users = f"{ADMIN}/admin/directory/v1/users"
    responses.get(
        users,
        json={
            "users": [
                {
                    "primaryEmail": "eli@cedar.example",
                    "isEnrolledIn2Sv": True,
                    "isEnforcedIn2Sv": True,
                }
            ],
            "nextPageToken": "p2",
        },
        match=[
            responses.matchers.query_param_matcher({"customer": "my_customer", "maxResults": "500"})
        ],
    )
    responses.get(
        users,
        json={"users": [{"primaryEmail": "fay@cedar.example", "isEnrolledIn2Sv": False}]},
        match=[
            responses.matchers.query_param_matcher(
                {"customer": "my_customer", "maxResults": "500", "pageToken": "p2"}
            )
        ],
    )
    roster = roster_mod.load(with_mfa(roster_file))
    doc = review.review(roster, org=review.organisation_mfa(roster, sleep=lambda s: None))
    assert doc["organisation_mfa_sources"] == [
        {"source": "microsoft", "users": 4, "error": None},
        {"source": "google", "users": 2, "error": None},
    ]
    org = {m["name"]: m["organisation_mfa"] for m in doc["members"]}
    assert {n: (o["level"], o["meets_policy"]) for n, o in org.items() if o} == {
        "ana": ("app", True),
        "ben": ("sms", False),
        "cara": ("key", True),
        "dev": ("none", False),
        "eli": ("unknown", False),  # enrolled, method not said: meets an SMS policy only
        "fay": ("none", False),
    }
    assert doc["figures"]["members_in_organisation_mfa"] == 6
    assert doc["figures"]["members_organisation_mfa_meeting_policy"] == 2
    assert org["eli"]["enforced"] is True
    for call in responses.calls:
        assert call.request.method == "GET" or call.request.url.endswith("/token")
    assert "Bearer gt" in responses.calls[1].request.headers["Authorization"]


@responses.activate
def test_a_failing_identity_provider_is_one_line_and_the_review_completes(
    roster_file, memory_keyring
):
    memory_keyring.set_password("microsoft", "cedar", "revoked")
    responses.post(f"{LOGIN}/cedar.example/oauth2/v2.0/token", status=401)
    roster = roster_mod.load(with_mfa(roster_file))
    doc = review.review(roster, org=review.organisation_mfa(roster, sleep=lambda s: None))
    microsoft, google = doc["organisation_mfa_sources"]
    assert "Microsoft Graph: the credentials were refused (HTTP 401)" in microsoft["error"]
    assert "Google Workspace: no secret stored as keyring:google/cedar" in google["error"]
    assert doc["figures"]["members"] == 12
    assert all(m["organisation_mfa"] is None for m in doc["members"])
