"""A scheduled run's reports: dated files kept to the newest N (nothing else in the folder
touched), and the mail, sent to a real SMTP server on 127.0.0.1 (aiosmtpd), with STARTTLS and
a login, or failing without losing the report."""

import email
import email.policy
import logging
import ssl
import stat
from datetime import datetime

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from auditor.schedule import delivery
from auditor.schedule.settings import MailConfig

DOC_FORMATS = ("json", "markdown")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port():
    """A port nothing listens on (aiosmtpd's Controller needs one named)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accept(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (user, password)
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture
def tls_server(monkeypatch):
    """An SMTP server on 127.0.0.1 offering STARTTLS with a certificate from a throwaway CA
    the client is made to trust (as a real server's would be by the system's store)."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)

    def trusting():
        ctx = ssl.create_default_context()
        ca.configure_trust(ctx)
        return ctx

    monkeypatch.setattr(delivery, "tls_context", trusting)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=accept("maya@example.org", "s3cret-smtp"),
        auth_required=True,
    )
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def doc(tmp_path):
    """A real report document: the bundled example's scan, with its history's `changes`."""
    import json

    from auditor import cli

    from conftest import EXAMPLE

    out = tmp_path / "scan.json"
    cli.main(["scan", str(EXAMPLE), "-q", "-o", str(out)])
    return json.loads(out.read_text())


@pytest.fixture
def reports():
    from auditor.plugins import discover

    return discover().reports


def mail_config(port, **over):
    given = {
        "to": ("maya@example.org",),
        "sender": "auditor@example.org",
        "server": "127.0.0.1",
        "port": port,
        "user": "maya@example.org",
        "password": "keyring:smtp/maya@example.org",
        "format": "markdown",
    }
    given.update(over)
    return MailConfig(**given)


def test_dated_reports_are_owner_only_and_only_the_newest_runs_kept(tmp_path, doc, reports):
    folder = tmp_path / "reports"
    folder.mkdir()
    mine = folder / "notes.md"
    mine.write_text("the user's own file")
    lookalike = folder / "audit-final.json"
    lookalike.write_text("{}")
    runs = []
    for day in (1, 2, 3, 3):
        run = delivery.stamp(datetime(2026, 12, day, 8, 0), folder)
        runs.append(run)
        written = delivery.write_reports(doc, DOC_FORMATS, reports, folder, run)
        assert [p.name for p in written] == [f"audit-{run}.json", f"audit-{run}.md"]
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert runs == ["2026-12-01T0800", "2026-12-02T0800", "2026-12-03T0800", "2026-12-03T0800-2"]
    removed = delivery.prune(folder, keep=2)
    assert sorted(p.name for p in removed) == [
        "audit-2026-12-01T0800.json",
        "audit-2026-12-01T0800.md",
        "audit-2026-12-02T0800.json",
        "audit-2026-12-02T0800.md",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "audit-2026-12-03T0800-2.json",
        "audit-2026-12-03T0800-2.md",
        "audit-2026-12-03T0800.json",
        "audit-2026-12-03T0800.md",
        "audit-final.json",
        "notes.md",
    ]
    assert not list(folder.glob(".*partial"))


def test_the_report_is_mailed_over_starttls_with_the_keyring_password(
    tmp_path, doc, reports, tls_server, memory_keyring
):
    inbox, port = tls_server
    memory_keyring.set_password("smtp", "maya@example.org", "s3cret-smtp")
    [report] = delivery.write_reports(doc, ["markdown"], reports, tmp_path, "2026-12-01T0800")
    delivery.send(
        mail_config(port), delivery.Mail("Footprint audit", delivery.summary_text(doc), report)
    )
    [(sender, to, raw)] = inbox.messages
    assert sender == "auditor@example.org" and to == ["maya@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "Footprint audit"
    body = message.get_body(("plain",)).get_content()
    assert "11 finding(s)" in body and "Since last audit" in body
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "audit-2026-12-01T0800.md"
    assert attached.get_content().replace("\r\n", "\n") == report.read_text()
    assert "s3cret-smtp" not in raw.decode()


def test_a_refused_login_or_a_missing_password_says_so(
    tmp_path, doc, reports, tls_server, memory_keyring
):
    _, port = tls_server
    [report] = delivery.write_reports(doc, ["markdown"], reports, tmp_path, "2026-12-01T0800")
    mail = delivery.Mail("s", "b", report)
    with pytest.raises(delivery.MailError, match="no password stored as keyring:smtp/maya"):
        delivery.send(mail_config(port), mail)
    memory_keyring.set_password("smtp", "maya@example.org", "wrong")
    with pytest.raises(delivery.MailError, match="login as maya@example.org was refused"):
        delivery.send(mail_config(port), mail)


def test_a_server_without_starttls_is_refused_before_the_login(
    tmp_path, doc, reports, memory_keyring
):
    memory_keyring.set_password("smtp", "maya@example.org", "s3cret-smtp")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        [report] = delivery.write_reports(doc, ["markdown"], reports, tmp_path, "r")
        with pytest.raises(delivery.MailError, match="does not offer STARTTLS"):
            delivery.send(mail_config(controller.port), delivery.Mail("s", "b", report))
        # a local relay without TLS or login, when the config says so
        delivery.send(
            mail_config(controller.port, starttls=False, user=None, password=None),
            delivery.Mail("s", "b", report),
        )
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_a_dead_mail_server_is_logged_and_the_report_kept(tmp_path, doc, reports, caplog):
    from auditor.config import Config
    from auditor.schedule import job
    from auditor.schedule.settings import ScheduleConfig

    port = free_port()
    mail = mail_config(port, user=None, password=None, format="markdown")
    written = delivery.write_reports(doc, ["markdown"], reports, tmp_path, "2026-12-01T0800")
    config = Config(schedule=ScheduleConfig(mail=mail, formats=("markdown",)))
    with caplog.at_level(logging.INFO, logger="auditor.schedule"):
        assert job.send_report(config.schedule.mail, doc, written, reports) is False
    assert f"mail server 127.0.0.1:{port}" in caplog.text
    assert f"it is kept at {written[0]}" in caplog.text
    assert written[0].exists()
