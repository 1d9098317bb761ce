"""A standard 5-field crontab expression, parsed once into what fires it: the APScheduler trigger
of the foreground scheduler, a crontab line and a systemd timer, all at the same times.

Cron's rules, not APScheduler's: weekdays count from Sunday = 0 (7 is Sunday too), and when
both the day of month and the day of week are restricted (neither field starts with `*`), a day
matching either one fires. Times are wall-clock times in the zone (the machine's unless one is
named). In the hour a DST change skips, nothing fires; in the hour it repeats, each time fires
once, at its first occurrence: as systemd does. Vixie cron and cronie differ there: they run a
skipped fixed time just after the jump, and wildcard minutes or hours twice in a repeated hour.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from tzlocal import get_localzone

MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (label, lowest, highest, names from the lowest): the day of week takes 7 for Sunday as well
FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
_ELEMENT = re.compile(r"(?:(\*)|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:/([0-9]+))?")
# February counts 29: a day that exists only in leap years still fires
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_UNIT_NAME = re.compile(r"[A-Za-z0-9:_.-]+")


class CronError(ValueError):
    """An expression or time zone the schedule cannot use; `key` is `cron` or `timezone`."""

    def __init__(self, message: str, key: str = "cron") -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class CronSpec:
    expression: str
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int]
    month: frozenset[int]
    # cron numbering: 0 = Sunday .. 6 = Saturday
    weekday: frozenset[int]
    day_restricted: bool
    weekday_restricted: bool
    timezone: str | None
    # the five fields as every cron reads them: macros expanded, names and a/n spelled out
    fields: tuple[str, ...]

    @property
    def either_day(self) -> bool:
        """Cron's rule: both day fields restricted means a day matching either one fires."""
        return self.day_restricted and self.weekday_restricted


def parse(expression: str, timezone: str | None = None) -> CronSpec:
    """Raises CronError naming the field and what it allows."""
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CronError(
                f"unknown time zone {timezone!r}: expected an IANA name like Europe/Berlin",
                "timezone",
            ) from None
    text = expression.strip()
    if text.startswith("@"):
        if text.lower() not in MACROS:
            raise CronError(f"{text} is not supported: use one of {', '.join(MACROS)}")
        text = MACROS[text.lower()]
    parts = text.split()
    if len(parts) != 5:
        got = "nothing" if not parts else str(len(parts))
        extra = ": cron has no seconds or years field" if len(parts) > 5 else ""
        raise CronError(
            "expected 5 fields (minute hour day-of-month month day-of-week) or a macro such "
            f"as @daily, got {got}{extra}"
        )
    parsed = [_field(p, f) for p, f in zip(parts, FIELDS, strict=True)]
    minute, hour, day, month, weekday = (values for values, _ in parsed)
    fields = tuple(text for _, text in parsed)
    restricted = [not p.startswith("*") for p in parts]
    spec = CronSpec(
        expression.strip(),
        minute,
        hour,
        day,
        month,
        weekday,
        restricted[2],
        restricted[4],
        timezone,
        fields,
    )
    if not spec.either_day and not _dates_exist(spec):
        raise CronError(
            f"day of month {fields[2]} never occurs in month {fields[3]}: it would never run"
        )
    return spec


def _field(text: str, field: tuple[str, int, int, tuple[str, ...]]) -> tuple[frozenset[int], str]:
    label, low, high, names = field
    allowed = f"{low}-{high}" + (
        " (0 and 7 are Sunday) or sun-sat" if names is DAYS else " or jan-dec" if names else ""
    )
    found: set[int] = set()
    elements = text.split(",")
    for element in elements:
        match = _ELEMENT.fullmatch(element.lower())
        star, first, last, step = match.groups() if match else (None, None, None, None)
        bounds = [low, high] if star else [_value(t, low, names) for t in (first, last) if t]
        if not bounds or None in bounds:
            extension = (
                " (the L, W, # and ? extensions are not standard cron)"
                if re.search(r"[#?]|^l|^[0-9]*[lw]$", element, re.IGNORECASE)
                else ""
            )
            raise CronError(
                f"{label}: {element!r} is not valid{extension}: expected {allowed}, a range "
                "a-b, a step */n, a-b/n or a/n, or a list of these"
            )
        if star and len(elements) > 1:
            raise CronError(f"{label}: '*' must stand alone or as */n, not in a list")
        for value in bounds:
            if not low <= value <= high:
                raise CronError(f"{label}: {value} is out of range {allowed}")
        if bounds[-1] < bounds[0]:
            raise CronError(f"{label}: {element!r} runs backwards: write it as a list")
        by = int(step) if step else 1
        if not 1 <= by <= high - low + 1:
            raise CronError(f"{label}: step /{step} is out of range 1-{high - low + 1}")
        # a/n runs to the end of the field, as */n does
        end = high if step and len(bounds) == 1 else bounds[-1]
        found.update(range(bounds[0], end + 1, by))
    if names is DAYS:
        found = {d % 7 for d in found}
    values = frozenset(found)
    return values, text if text.startswith("*") else _runs(values)


def _value(token: str, low: int, names: tuple[str, ...]) -> int | None:
    if token in names:
        return names.index(token) + low
    return int(token) if token.isdigit() else None


def _dates_exist(spec: CronSpec) -> bool:
    return any(d <= _MONTH_DAYS[m - 1] for d in spec.day for m in spec.month)


def zone(spec: CronSpec) -> tzinfo:
    """The spec's zone, or the machine's, as APScheduler finds it."""
    return ZoneInfo(spec.timezone) if spec.timezone else get_localzone()


def trigger(spec: CronSpec) -> BaseTrigger:
    """CronTriggers on wall-clock times (two OR-ed under cron's either-day rule), wrapped to
    place those times in the zone."""
    built = [
        CronTrigger(
            minute=_spell(spec.minute, 60),
            hour=_spell(spec.hour, 24),
            day=_spell(days, 31) if days else "*",
            month=_spell(spec.month, 12),
            day_of_week=",".join(DAYS[d] for d in sorted(weekdays)) if weekdays else "*",
            timezone=UTC,
        )
        for days, weekdays in _halves(spec)
    ]
    return WallClockTrigger(built[0] if len(built) == 1 else OrTrigger(built), zone(spec), spec)


def _halves(spec: CronSpec) -> list[tuple[frozenset[int] | None, frozenset[int] | None]]:
    """(days, weekdays) of each rule that fires, None for any; under the either-day rule one
    per day field, the days left out when no month has them."""
    days = spec.day if len(spec.day) < 31 else None
    weekdays = spec.weekday if len(spec.weekday) < 7 else None
    if not spec.either_day:
        return [(days, weekdays)]
    if not _dates_exist(spec):
        return [(None, weekdays)]
    return [(days, None), (None, weekdays)]


class WallClockTrigger(BaseTrigger):
    """`inner` works in UTC, where no hour is skipped or repeated, on wall-clock times; this
    places them in the zone. APScheduler 3.11's CronTrigger in a DST zone can return the same
    time forever in a repeated hour, and the scheduler then spins (agronholm/apscheduler#1021)."""

    def __init__(self, inner: BaseTrigger, zone: tzinfo, spec: CronSpec) -> None:
        self.inner = inner
        self.zone = zone
        self.spec = spec

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # like CronTrigger: strictly after the previous fire time, else from now on
        after = previous_fire_time or now
        wall = after.astimezone(self.zone).replace(tzinfo=UTC, fold=0)
        candidate = self.inner.get_next_fire_time(previous_fire_time and wall, wall)
        while candidate is not None:
            local = candidate.replace(tzinfo=self.zone)
            exists = local.astimezone(UTC).astimezone(self.zone).replace(tzinfo=UTC) == candidate
            # in a repeated hour a wall-clock time can lie before `after`: its first occurrence
            # has passed
            if exists and (
                local.timestamp() > after.timestamp()
                or (previous_fire_time is None and local.timestamp() == after.timestamp())
            ):
                # a fixed offset, so that APScheduler's comparisons with its own aware `now`
                # (which ignore fold within one zone) are exact
                return local.astimezone(timezone(local.utcoffset(), local.tzname()))
            candidate = self.inner.get_next_fire_time(candidate, candidate)
        return None

    def __str__(self) -> str:
        return f"cron[{self.spec.expression}, {self.zone}]"


def next_times(spec: CronSpec, count: int, start: datetime | None = None) -> list[datetime]:
    """The next `count` fire times strictly after `start` (default: now)."""
    fires = trigger(spec)
    when: datetime | None = start or datetime.now(zone(spec))
    times = []
    while len(times) < count and when is not None:
        when = fires.get_next_fire_time(when, when)
        if when is not None:
            times.append(when)
    return times


def crontab_line(spec: CronSpec, command: Sequence[str]) -> str:
    """Comment lines and the crontab line that runs `command` when the scheduler would."""
    if any("\n" in arg or "\r" in arg for arg in command):
        raise ValueError("a crontab line cannot hold a command with a line break")
    lines = [f"# auditor self-audit {describe(spec)} ({spec.expression}); add with `crontab -e`"]
    if spec.timezone:
        lines += [
            "# CRON_TZ applies to every line below it; cronie honours it, but not every cron",
            "# does, and one that does not uses the machine's zone",
            f"CRON_TZ={spec.timezone}",
        ]
    # cron turns an unescaped % into a line break, before the shell sees the command
    quoted = shlex.join(command).replace("%", "\\%")
    lines.append(f"{' '.join(spec.fields)} {quoted}")
    return "\n".join(lines)


def systemd_units(
    spec: CronSpec, command: Sequence[str], name: str = "auditor-audit"
) -> tuple[str, str]:
    """The service and timer files (their texts) that run `command` when the scheduler would."""
    if not _UNIT_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a systemd unit name: use letters, digits and :_.-")
    if any("\n" in arg or "\r" in arg for arg in command):
        raise ValueError("a systemd unit cannot hold a command with a line break")
    service = f"""\
# {name}.service: put it and {name}.timer in ~/.config/systemd/user/, then run
#   systemctl --user daemon-reload
#   systemctl --user enable --now {name}.timer
# A user timer runs only while you are logged in, unless `loginctl enable-linger` is on.
[Unit]
Description=auditor self-audit

[Service]
Type=oneshot
ExecStart={" ".join(_systemd_quote(arg) for arg in command)}
"""
    calendars = "".join(f"OnCalendar={c}\n" for c in on_calendar(spec))
    timer = f"""\
# {name}.timer: {describe(spec)} ({spec.expression})
[Unit]
Description=auditor self-audit, {describe(spec)}

[Timer]
{calendars}# a timer otherwise fires up to a minute late, to batch wake-ups
AccuracySec=1s
# an audit missed while the machine was off runs at the next boot, like the scheduler's
# misfire grace (but however late)
Persistent=true

[Install]
WantedBy=timers.target
"""
    return service, timer


def on_calendar(spec: CronSpec) -> list[str]:
    """The OnCalendar values: one per rule of `_halves` (systemd fires at their union)."""
    zone_name = f" {spec.timezone}" if spec.timezone else ""
    values = []
    for days, weekdays in _halves(spec):
        weekday = ",".join(DAYS[d].title() for d in sorted(weekdays)) + " " if weekdays else ""
        date = f"*-{_spell(spec.month, 12, '..')}-{_spell(days, 31, '..') if days else '*'}"
        clock = f"{_spell(spec.hour, 24, '..')}:{_spell(spec.minute, 60, '..')}:00"
        values.append(f"{weekday}{date} {clock}{zone_name}")
    return values


WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def describe(spec: CronSpec) -> str:
    """A short wording, e.g. "at 07:00 on day 1 of every month"; the expression itself where
    the schedule is too busy for a short one."""
    if len(spec.hour) == 24:
        if len(spec.minute) > 4:
            return spec.expression
        times = f"at minute {_join(map(str, sorted(spec.minute)))} of every hour"
    elif len(spec.hour) * len(spec.minute) <= 4:
        times = "at " + _join(
            f"{h:02}:{m:02}" for h in sorted(spec.hour) for m in sorted(spec.minute)
        )
    else:
        return spec.expression
    months = (
        "every month"
        if len(spec.month) == 12
        else _join(MONTH_NAMES[m - 1] for m in sorted(spec.month))
    )
    in_months = "" if len(spec.month) == 12 else f" in {months}"
    rules = []
    for days, weekdays in _halves(spec):
        if days and weekdays:
            return spec.expression
        if days:
            rules.append(f"on day {_join(map(str, sorted(days)))} of {months}")
        elif weekdays:
            # Monday first, as people list the week
            week = [WEEKDAY_NAMES[d] for d in sorted(weekdays, key=lambda d: (d - 1) % 7)]
            run = len(week) > 2 and _runs((d - 1) % 7 for d in weekdays).count("-") == 1
            names = f"{week[0]} to {week[-1]}" if run else _join(week)
            rules.append(f"on {names}{in_months}")
        else:
            every = "" if len(spec.hour) == 24 else " every day"
            return f"{times}{every}{in_months}"
    return f"{times} {', and '.join(rules)}"


def _join(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _systemd_quote(arg: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_@%+=:,./$-]+", arg):
        arg = '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg.replace("%", "%%").replace("$", "$$")


def _spell(values: Iterable[int], size: int, dash: str = "-") -> str:
    """`*` for a whole field, else `_runs`; systemd's (`..` ranges) with two digits, as it
    writes them itself."""
    values = frozenset(values)
    return "*" if len(values) == size else _runs(values, dash, "02" if dash == ".." else "")


def _runs(values: Iterable[int], dash: str = "-", width: str = "") -> str:
    """A list of numbers, runs of three or more as ranges."""
    runs: list[list[int]] = []
    for v in sorted(values):
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ",".join(
        f"{r[0]:{width}}{dash}{r[-1]:{width}}"
        if len(r) > 2
        else ",".join(f"{v:{width}}" for v in r)
        for r in runs
    )
