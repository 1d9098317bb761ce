"""The schedule's cron expression: the APScheduler trigger fires exactly when croniter (cron's
reference rules, either-day included) and `systemd-analyze calendar` on the printed timer say,
Sundays, DST changes and rejected expressions included."""

import os
import re
import shlex
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.combining import OrTrigger
from croniter import croniter

from auditor.schedule import cron

COMMAND = ["/opt/audit tools/bin/auditor", "schedule", "--once", "--config", "/home/dr/100%.toml"]
NEW_YORK = "America/New_York"
# (expression, zone, start): New York's daily and weekly runs cross the March DST change
CASES = [
    ("0 7 * * 1", "UTC", datetime(2026, 1, 1)),
    ("30 6 * * 0", "UTC", datetime(2026, 1, 1)),
    ("0 7 * * 7", "UTC", datetime(2026, 1, 1)),
    ("0 7 * * sun", "UTC", datetime(2026, 1, 1)),
    ("0 9 * * 1-5", NEW_YORK, datetime(2026, 2, 28)),
    ("0 7 1,15 * 1", "UTC", datetime(2026, 1, 1)),
    ("*/20 8-10 * * mon,wed,fri", NEW_YORK, datetime(2026, 3, 5)),
    ("0 7 1 * *", NEW_YORK, datetime(2026, 1, 1)),
    ("0 0 29 2 *", "UTC", datetime(2026, 1, 1)),
    ("0 7 * jan,jul 0", "UTC", datetime(2026, 1, 1)),
    ("@monthly", "UTC", datetime(2026, 1, 1)),
    ("@weekly", NEW_YORK, datetime(2026, 2, 20)),
    ("@daily", NEW_YORK, datetime(2026, 2, 28)),
    ("@hourly", "UTC", datetime(2026, 1, 1)),
    ("0 7 * * *", NEW_YORK, datetime(2026, 2, 28)),
    ("15 9 1-7 * 5", "UTC", datetime(2026, 1, 1)),
    ("0 12 * * 5-7", "UTC", datetime(2026, 1, 1)),
    ("5/15 6 * * 1-7/2", "UTC", datetime(2026, 1, 1)),
    ("0 0 1 * 1", "UTC", datetime(2026, 5, 1)),
    ("0 7 30 2 1", "UTC", datetime(2026, 1, 1)),
]


def utc(times):
    return [t.astimezone(UTC) for t in times]


def start_in(zone, naive):
    return naive.replace(tzinfo=ZoneInfo(zone))


def systemd_times(calendars, base, count=20):
    """What systemd-analyze says each OnCalendar value elapses at (strictly after `base`),
    merged, as systemd fires a timer at the union of its OnCalendar lines."""
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze is missing (Debian package: systemd)")
    when = base.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    found = set()
    for calendar in calendars:
        proc = subprocess.run(
            [exe, "calendar", f"--iterations={count}", f"--base-time={when}", calendar],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": "UTC"},
            timeout=60,
            check=True,
        )
        for line in proc.stdout.splitlines():
            match = re.match(
                r"\s*(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$", line
            )
            if match:
                found.add(datetime.fromisoformat(match[1]).replace(tzinfo=UTC))
    return sorted(found)[:count]


def croniter_times(fields, start, count=20):
    reference = croniter(fields, start, day_or=True)
    return utc(reference.get_next(datetime) for _ in range(count))


@pytest.mark.parametrize(("expression", "zone", "naive"), CASES)
def test_the_trigger_fires_when_croniter_and_systemd_say(expression, zone, naive):
    spec = cron.parse(expression, zone)
    start = start_in(zone, naive)
    fired = utc(cron.next_times(spec, 20, start))
    assert len(fired) == 20 and fired == sorted(set(fired)) and fired[0] > start
    assert fired == croniter_times(expression, start)
    line = cron.crontab_line(spec, COMMAND).splitlines()[-1]
    assert fired == croniter_times(" ".join(line.split()[:5]), start)
    assert fired == systemd_times(cron.on_calendar(spec), start)


def test_sunday_is_0_and_7_and_monday_is_1():
    start = start_in("UTC", datetime(2026, 1, 1))
    for expression in ("0 7 * * 0", "0 7 * * 7", "0 7 * * SUN", "0 7 * * Sun"):
        times = cron.next_times(cron.parse(expression, "UTC"), 5, start)
        assert {t.strftime("%a %H:%M") for t in times} == {"Sun 07:00"}
    assert cron.next_times(cron.parse("0 7 * * 1", "UTC"), 1, start)[0].strftime("%a") == "Mon"


def test_either_day_rule_fires_once_when_both_days_match():
    # 2026-06-01 is a Monday: day 1 and Monday both match, and the OrTrigger yields it once
    spec = cron.parse("0 7 1 * 1", "UTC")
    assert isinstance(cron.trigger(spec).inner, OrTrigger)
    times = cron.next_times(spec, 3, start_in("UTC", datetime(2026, 5, 31)))
    assert [t.strftime("%a %m-%d") for t in times] == ["Mon 06-01", "Mon 06-08", "Mon 06-15"]
    assert len(cron.on_calendar(spec)) == 2


def test_a_star_step_day_field_keeps_cron_and_rule():
    # `*/2` starts with `*`, so cron ANDs it with the weekday (croniter, which ORs any day list
    # that is not a bare `*`, differs here); systemd ANDs a date and a weekday on one line
    spec = cron.parse("0 7 */2 * 1", "UTC")
    start = start_in("UTC", datetime(2026, 1, 1))
    times = cron.next_times(spec, 20, start)
    assert all(t.strftime("%a") == "Mon" and t.day % 2 == 1 for t in times)
    assert utc(times) == systemd_times(cron.on_calendar(spec), start)


@pytest.mark.parametrize(
    ("expression", "naive"),
    [
        ("30 2 * * *", datetime(2026, 3, 6)),
        ("30 1 * * *", datetime(2026, 10, 30)),
        ("@hourly", datetime(2026, 3, 8)),
        ("@hourly", datetime(2026, 11, 1)),
        ("*/30 1-3 * * *", datetime(2026, 3, 7, 12)),
        ("*/30 1-3 * * *", datetime(2026, 10, 31, 12)),
    ],
)
def test_dst_changes_fire_as_systemd_does(expression, naive):
    """The skipped hour fires nothing, the repeated hour once: systemd's rule (cron and croniter
    differ only there), and APScheduler's own loop in the repeated hour is never reached."""
    spec = cron.parse(expression, NEW_YORK)
    start = start_in(NEW_YORK, naive)
    fired = utc(cron.next_times(spec, 20, start))
    assert fired == sorted(set(fired))
    assert fired == systemd_times(cron.on_calendar(spec), start)
    local = [t.astimezone(ZoneInfo(NEW_YORK)).strftime("%m-%d %H:%M") for t in fired]
    assert "03-08 02:30" not in local and "03-08 02:00" not in local
    assert len(local) == len(set(local))


def test_the_scheduler_loop_passes_the_repeated_hour():
    """APScheduler calls get_next_fire_time(previous, now) until a time after `now`."""
    fires = cron.trigger(cron.parse("30 1 * * *", NEW_YORK))
    ny = ZoneInfo(NEW_YORK)
    previous = fires.get_next_fire_time(None, datetime(2026, 11, 1, tzinfo=ny))
    now = datetime(2026, 11, 1, 6, 45, tzinfo=UTC).astimezone(ny)  # 01:45, the second time
    assert previous.utcoffset() == timedelta(hours=-4)
    following = fires.get_next_fire_time(previous, now)
    assert following.isoformat() == "2026-11-02T01:30:00-05:00"
    assert fires.get_next_fire_time(None, now) == following


def test_crontab_text():
    spec = cron.parse("*/15 9-17 * * 1-5")
    lines = cron.crontab_line(spec, COMMAND).splitlines()
    assert all(line.startswith("#") for line in lines[:-1]) and "CRON_TZ" not in "".join(lines)
    quoted = shlex.join(COMMAND).replace("%", "\\%")
    assert lines[-1] == f"*/15 9-17 * * 1-5 {quoted}"
    assert "'/opt/audit tools/bin/auditor'" in lines[-1] and "100\\%.toml" in lines[-1]
    berlin = cron.crontab_line(cron.parse("@monthly", "Europe/Berlin"), ["auditor"]).splitlines()
    assert berlin[-2:] == ["CRON_TZ=Europe/Berlin", "0 0 1 * * auditor"]
    assert "not every cron" in "\n".join(berlin)
    names = cron.crontab_line(cron.parse("0 7 * jan,JUL sun"), ["auditor"]).splitlines()
    assert names[-1] == "0 7 * 1,7 0 auditor"


def test_systemd_units():
    spec = cron.parse("0 7 1,15 * 1", "Europe/Berlin")
    service, timer = cron.systemd_units(spec, COMMAND + ["$HOME"])
    assert "~/.config/systemd/user/" in service and "Type=oneshot" in service
    assert "systemctl --user daemon-reload" in service
    assert "systemctl --user enable --now auditor-audit.timer" in service
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert exec_start == (
        'ExecStart="/opt/audit tools/bin/auditor" schedule --once --config '
        "/home/dr/100%%.toml $$HOME"
    )
    assert [line for line in timer.splitlines() if line.startswith("OnCalendar=")] == [
        "OnCalendar=*-*-01,15 07:00:00 Europe/Berlin",
        "OnCalendar=Mon *-*-* 07:00:00 Europe/Berlin",
    ]
    assert "Persistent=true" in timer and "next boot" in timer
    local = cron.on_calendar(cron.parse("*/15 9-17 * * 1-5"))
    assert local == ["Mon,Tue,Wed,Thu,Fri *-*-* 09..17:00,15,30,45:00"]


def test_the_machine_zone_by_default():
    spec = cron.parse("0 7 * * *")
    assert spec.timezone is None and cron.zone(spec).utcoffset(datetime(2026, 1, 1)) is not None
    assert cron.next_times(spec, 1)[0] > datetime.now(UTC)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "expected 5 fields (minute hour day-of-month month day-of-week)"),
        ("   ", "got nothing"),
        ("0 0 7 * * *", "got 6: cron has no seconds or years field"),
        ("0 7 * *", "got 4"),
        ("@reboot", "@reboot is not supported: use one of @hourly"),
        ("60 7 * * *", "minute: 60 is out of range 0-59"),
        ("0 24 * * *", "hour: 24 is out of range 0-23"),
        ("0 7 0 * *", "day of month: 0 is out of range 1-31"),
        ("0 7 * 13 *", "month: 13 is out of range 1-12 or jan-dec"),
        ("0 7 * * 8", "day of week: 8 is out of range 0-7 (0 and 7 are Sunday) or sun-sat"),
        ("0 7 L * *", "day of month: 'L' is not valid (the L, W, # and ? extensions"),
        ("0 7 15W * *", "'15W' is not valid (the L, W, # and ? extensions"),
        ("0 7 * * 5L", "'5L' is not valid (the L, W, # and ? extensions"),
        ("0 7 * * 1#2", "day of week: '1#2' is not valid (the L, W, # and ?"),
        ("0 7 ? * 1", "day of month: '?' is not valid"),
        ("0 7 * * monday", "day of week: 'monday' is not valid: expected 0-7"),
        ("0 7 * * sat-sun", "day of week: 'sat-sun' runs backwards: write it as a list"),
        ("*/0 * * * *", "minute: step /0 is out of range 1-60"),
        ("*,5 * * * *", "minute: '*' must stand alone"),
        ("0 7 30 2 *", "day of month 30 never occurs in month 2"),
        ("0 7 1,,2 * *", "day of month: '' is not valid"),
    ],
)
def test_rejected_expressions_say_why(expression, message):
    with pytest.raises(cron.CronError, match=re.escape(message)) as caught:
        cron.parse(expression)
    assert caught.value.key == "cron"


def test_an_unknown_time_zone_is_named():
    with pytest.raises(cron.CronError, match="unknown time zone 'Mars/Olympus'") as caught:
        cron.parse("0 7 * * *", "Mars/Olympus")
    assert caught.value.key == "timezone"


@pytest.mark.parametrize(
    ("expression", "wording"),
    [
        ("0 7 1 * *", "at 07:00 on day 1 of every month"),
        ("0 9 * * 1-5", "at 09:00 on Monday to Friday"),
        ("30 6 * * 7", "at 06:30 on Sunday"),
        ("0 7,19 * * sat,sun", "at 07:00 and 19:00 on Saturday and Sunday"),
        ("0 7 1,15 * 1", "at 07:00 on day 1 and 15 of every month, and on Monday"),
        ("0 0 29 2 *", "at 00:00 on day 29 of February"),
        ("0 7 * jan,jul 0", "at 07:00 on Sunday in January and July"),
        ("@daily", "at 00:00 every day"),
        ("@hourly", "at minute 0 of every hour"),
        ("*/20 8-10 * * mon,wed,fri", "*/20 8-10 * * mon,wed,fri"),
    ],
)
def test_describe(expression, wording):
    assert cron.describe(cron.parse(expression)) == wording
