"""Where a scheduled audit's reports go: dated files in the report directory (the newest N
runs kept), and optionally one of them by e-mail."""

from __future__ import annotations

import io
import os
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from auditor.reports import Report
from auditor.schedule.settings import MailConfig
from auditor.secrets import get_secret

# audit-2026-12-01T0800.html: the only names pruning ever touches
NAME = re.compile(r"^audit-(?P<stamp>\d{4}-\d{2}-\d{2}T\d{4}(?:-\d+)?)\.[a-z0-9]+$")
MAIL_TIMEOUT_S = 60


class MailError(Exception):
    """The report could not be mailed: says which server and why (the report is kept)."""


def stamp(when: datetime, report_dir: Path) -> str:
    """A run's name part: its local start minute, with a counter if that minute is taken."""
    base = when.strftime("%Y-%m-%dT%H%M")
    taken = {m["stamp"] for m in map(NAME.match, _names(report_dir)) if m}
    n, candidate = 1, base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def write_reports(
    doc: dict[str, Any],
    formats: Sequence[str],
    reports: Mapping[str, type[Report]],
    report_dir: Path,
    run: str,
) -> list[Path]:
    """Each format's report as `audit-RUN.SUFFIX`, readable by the owner only. A file is
    written under a temporary name and renamed, so an interrupted run leaves no half report."""
    report_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for fmt in formats:
        cls = reports[fmt]
        path = report_dir / f"audit-{run}{cls.suffix}"
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8", newline="") as out:
            cls().render(doc, out)
        os.replace(partial, path)
        written.append(path)
    return written


def prune(report_dir: Path, keep: int) -> list[Path]:
    """Remove the reports of all but the newest `keep` runs; only files this module named."""
    runs: dict[str, list[Path]] = {}
    for name in _names(report_dir):
        m = NAME.match(name)
        if m:
            runs.setdefault(m["stamp"], []).append(report_dir / name)
    removed = []
    for old in sorted(runs, key=_order)[:-keep] if len(runs) > keep else ():
        for path in runs[old]:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _order(run: str) -> tuple[str, int]:
    base, _, n = run[:15], "", run[16:]
    return base, int(n or 1)


def _names(report_dir: Path) -> list[str]:
    try:
        return os.listdir(report_dir)
    except FileNotFoundError:
        return []


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates and host-name checks: a mail server must prove who it
    is before it gets the login."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    attachment: Path


def send(mail: MailConfig, message: Mail) -> None:
    """Send one report by SMTP (STARTTLS unless the config turns it off; login when a user is
    given, with the password from the keyring). Raises MailError naming the server."""
    where = f"mail server {mail.server}:{mail.port}"
    password = None
    if mail.user:
        try:
            password = get_secret(mail.password or "")
        except Exception as exc:  # a keyring error or a malformed reference
            raise MailError(f"{where}: the password could not be read: {exc}") from exc
        if password is None:
            raise MailError(
                f"{where}: no password stored as {mail.password}: store it with "
                f"`auditor secrets set {(mail.password or '').removeprefix('keyring:')}`"
            )
    msg = EmailMessage()
    msg["Subject"] = message.subject
    msg["From"] = mail.sender
    msg["To"] = ", ".join(mail.to)
    msg.set_content(message.body)
    subtype = "html" if message.attachment.suffix == ".html" else "markdown"
    msg.add_attachment(
        message.attachment.read_text(encoding="utf-8"),
        subtype=subtype,
        filename=message.attachment.name,
    )
    try:
        with smtplib.SMTP(mail.server, mail.port, timeout=MAIL_TIMEOUT_S) as smtp:
            if mail.starttls:
                smtp.starttls(context=tls_context())
            if mail.user:
                smtp.login(mail.user, password or "")
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"{where}: the login as {mail.user} was refused ({exc.smtp_code}): check the user "
            "and the stored password"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(
            f"{where}: the server does not offer STARTTLS: use its TLS port or, on a local "
            "relay only, starttls = false"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"{where}: {type(exc).__name__}: {exc}") from exc


def summary_text(doc: dict[str, Any]) -> str:
    """The mail's body: the report's opening and what changed, worded as in the text report."""
    from auditor.reports.sections import sections

    out = io.StringIO()
    for sec in sections(doc):
        if sec.heading not in ("Footprint audit", "Since last audit"):
            break
        out.write(f"{sec.heading}\n")
        for line in sec.lines:
            out.write(f"{line}\n")
        for row in sec.rows:
            change, severity, account, finding = row
            out.write(f"- {change} {severity} {account}: {finding.splitlines()[0]}\n")
        out.write("\n")
    out.write("The full report is attached. Its evidence is masked, as in every report.\n")
    return out.getvalue()
