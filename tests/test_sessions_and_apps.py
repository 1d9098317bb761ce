"""security.authorized-apps and security.sessions on the evidence the importers collect."""

from datetime import UTC, date, datetime

from auditor.checks import CheckContext
from auditor.checks.security.authorized_apps import AuthorizedApps
from auditor.checks.security.sessions import Sessions
from auditor.model import Account, AccountReport, ConnectedApp, Login, SecurityState, Session

TODAY = date(2026, 12, 2)
CTX = CheckContext(today=TODAY)


def report(**security):
    return AccountReport(Account("x", "DrMayaOkafor"), SecurityState(**security), 0, 0, 0)


def at(y, m, d):
    return datetime(y, m, d, tzinfo=UTC)


def test_apps_old_and_powerful():
    apps = (
        ConnectedApp("Scheduler", ("read", "write"), at(2021, 3, 1), "Buffer"),
        ConnectedApp("Reader", ("read",), at(2026, 10, 1)),
    )
    [f] = AuthorizedApps().check_account(report(connected_apps=apps), CTX)
    assert f.severity.value == "medium"
    assert "2 third-party apps" in f.title and "1 approved over a year ago" in f.title
    assert "Scheduler by Buffer approved 2021-03-01 may read, write" in f.evidence[0].label


def test_a_recent_read_only_app_is_low_and_none_is_nothing():
    [f] = AuthorizedApps().check_account(
        report(connected_apps=(ConnectedApp("Reader", ("read",), at(2026, 10, 1)),)), CTX
    )
    assert f.severity.value == "low" and "(" not in f.title
    assert not AuthorizedApps().check_account(report(), CTX)


def test_many_sessions():
    sessions = tuple(Session(c) for c in ["Chrome on Windows"] * 4 + ["iPhone", "Ward PC"])
    [f] = Sessions().check_account(report(sessions=sessions), CTX)
    assert "6 sessions" in f.title and f.evidence[0].label == "4 x Chrome on Windows"
    assert not Sessions().check_account(report(sessions=sessions[:3]), CTX)


def test_logins_from_a_rare_country():
    logins = tuple(Login(at(2026, 1, d), country="GB") for d in range(1, 20))
    logins += (Login(at(2026, 2, 3), country="RU"),)
    [f] = Sessions().check_account(report(logins=logins), CTX)
    assert "RU" in f.title and "19 of 20 from GB" in f.title and f.severity.value == "medium"
    assert "2026-02-03" in f.evidence[0].label
    # no dominant country, or no countries at all: nothing to say
    mixed = tuple(Login(at(2026, 1, d), country=("GB", "FR")[d % 2]) for d in range(1, 21))
    assert not Sessions().check_account(report(logins=mixed), CTX)
    assert not Sessions().check_account(
        report(logins=tuple(Login(at(2026, 1, 1)) for _ in range(9))), CTX
    )


def test_each_finding_names_the_platforms_menu():
    from auditor.checks.security.two_factor import platform_guides

    for name, guide in platform_guides().items():
        assert {"name", "verify", "apps", "sessions"} <= set(guide), name
    apps = (ConnectedApp("Scheduler", ("read", "write"), at(2021, 3, 1)),)
    [f] = AuthorizedApps().check_account(report(connected_apps=apps), CTX)
    assert "Apps and sessions > Connected apps" in f.remediation
    sessions = tuple(Session("Chrome") for _ in range(6))
    [f] = Sessions().check_account(report(sessions=sessions), CTX)
    assert "Apps and sessions > Sessions" in f.remediation
