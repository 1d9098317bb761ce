"""The config's `[schedule]` and `[schedule.mail]` tables, checked like the rest of the config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from auditor.config_fields import keys, positive_int, show, string

# a monthly self-audit, as professional guidance asks, unless the config says otherwise
DEFAULT_CRON = "0 8 1 * *"
DEFAULT_FORMATS = ("html", "json")
MAIL_FORMATS = ("html", "markdown")


@dataclass(frozen=True)
class MailConfig:
    to: tuple[str, ...]
    sender: str
    server: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    # keyring:SERVICE/NAME of the SMTP password: the reference, never the password
    password: str | None = None
    format: str = "html"


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str = DEFAULT_CRON
    timezone: str | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    report_dir: Path | None = None
    keep: int = 12
    # a run the machine slept through still runs if it wakes within this many minutes
    misfire_grace_minutes: int = 12 * 60
    mail: MailConfig | None = None

    @property
    def reports(self) -> Path:
        return self.report_dir or Path(platformdirs.user_data_dir("auditor")) / "reports"


def parse(raw: dict[str, Any], problems: list[str]) -> ScheduleConfig:
    """The `[schedule]` table (already known to be a table); problems appended, never raised."""
    from auditor.schedule import cron

    keys(
        raw,
        "schedule.",
        {"cron", "timezone", "formats", "report_dir", "keep", "misfire_grace_minutes", "mail"},
        problems,
    )
    expression = string(raw, "cron", "schedule.cron", problems) or DEFAULT_CRON
    zone = string(raw, "timezone", "schedule.timezone", problems)
    try:
        cron.parse(expression, zone)
    except cron.CronError as exc:
        problems.append(f"schedule.{exc.key}: {exc}")
    formats = raw.get("formats", list(DEFAULT_FORMATS))
    if (
        not isinstance(formats, list)
        or not formats
        or not all(isinstance(f, str) and f for f in formats)
    ):
        problems.append(
            f'schedule.formats: expected a list of report formats like ["html", "json"], '
            f"got {show(formats)}"
        )
        formats = list(DEFAULT_FORMATS)
    where = string(raw, "report_dir", "schedule.report_dir", problems)
    mail = raw.get("mail")
    if mail is not None and not isinstance(mail, dict):
        problems.append(f"schedule.mail: expected a table ([schedule.mail]), got {show(mail)}")
        mail = None
    return ScheduleConfig(
        cron=expression,
        timezone=zone,
        formats=tuple(dict.fromkeys(formats)),
        report_dir=Path(where).expanduser() if where else None,
        keep=positive_int(raw, "keep", "schedule.keep", 12, problems),
        misfire_grace_minutes=positive_int(
            raw, "misfire_grace_minutes", "schedule.misfire_grace_minutes", 12 * 60, problems
        ),
        mail=_mail(mail, problems) if mail is not None else None,
    )


def _mail(raw: dict[str, Any], problems: list[str]) -> MailConfig | None:
    keys(
        raw,
        "schedule.mail.",
        {"to", "from", "server", "port", "starttls", "user", "password", "format"},
        problems,
    )
    before = len(problems)
    to = raw.get("to")
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not to or not all(isinstance(t, str) and "@" in t for t in to):
        problems.append(
            f"schedule.mail.to: expected an address or a list of addresses, got {show(to)}"
        )
    sender = string(raw, "from", "schedule.mail.from", problems, required=True)
    server = string(raw, "server", "schedule.mail.server", problems, required=True)
    port = positive_int(raw, "port", "schedule.mail.port", 587, problems)
    starttls = raw.get("starttls", True)
    if not isinstance(starttls, bool):
        problems.append(f"schedule.mail.starttls: expected true or false, got {show(starttls)}")
    user = string(raw, "user", "schedule.mail.user", problems)
    password = string(raw, "password", "schedule.mail.password", problems)
    if password is not None and not password.startswith("keyring:"):
        # a password written into a file would sit in backups and dotfile repositories
        problems.append(
            "schedule.mail.password: expected a keyring reference like keyring:smtp/USER, not "
            "the password itself: store it with `auditor secrets set smtp/USER`"
        )
    if user and password is None:
        problems.append(
            "schedule.mail.password: missing: with a user, give the keyring reference of the "
            'password, e.g. password = "keyring:smtp/USER"'
        )
    fmt = raw.get("format", "html")
    if fmt not in MAIL_FORMATS:
        problems.append(f"schedule.mail.format: expected html or markdown, got {show(fmt)}")
    if len(problems) > before:
        return None
    return MailConfig(
        to=tuple(to),
        sender=sender or "",
        server=server or "",
        port=port,
        starttls=starttls,
        user=user,
        password=password,
        format=fmt,
    )
