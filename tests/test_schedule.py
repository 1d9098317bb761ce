"""`auditor schedule`: the foreground scheduler through two runs (dated reports, history rows,
what changed), one run at a time under the lock, a clean stop on SIGTERM, and the crontab line
and systemd units that fire when it does."""

import json
import os
import signal
import sqlite3
import threading
from datetime import datetime

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from croniter import croniter
from filelock import FileLock

from auditor import cli
from auditor import config as config_mod
from auditor.plugins import discover
from auditor.schedule import cron, job, runner

from conftest import EXAMPLE


def write_config(tmp_path, schedule="", formats='["json", "markdown"]', keep=5):
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[[accounts]]
platform = "x"
handle = "DrMayaOkafor"
role = "professional"
source = "{EXAMPLE}"

[history]
path = "{tmp_path / "history.sqlite"}"

[share]
path = "{tmp_path / "summary.json"}"

[schedule]
formats = {formats}
report_dir = "{tmp_path / "reports"}"
keep = {keep}
{schedule}
"""
    )
    return path


def test_the_scheduler_audits_twice_then_stops_cleanly_on_sigterm(tmp_path, caplog):
    config = config_mod.load(write_config(tmp_path))
    outcomes = []

    def after(outcome):
        outcomes.append(outcome)
        if len(outcomes) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    # should the second run never come, stop anyway: the asserts then say what is missing
    watchdog = threading.Timer(120, os.kill, (os.getpid(), signal.SIGTERM))
    watchdog.start()
    with caplog.at_level("INFO", logger="auditor.schedule"):
        # a fast trigger: a fire while the first audit runs is skipped (one at a time), the next
        # one after it runs the second
        runner.serve(config, discover(), trigger=IntervalTrigger(seconds=1), on_run=after)
    watchdog.cancel()
    assert signal.getsignal(signal.SIGTERM) is before

    assert [len(o.reports) for o in outcomes] == [2, 2]
    reports = sorted((tmp_path / "reports").iterdir())
    assert len(reports) == 4 and {p.suffix for p in reports} == {".json", ".md"}
    first, second = (json.loads(o.reports[0].read_text()) for o in outcomes)
    assert first["changes"]["previous"] is None
    assert second["changes"]["previous"]["audit"] == first["changes"]["audit"]
    assert second["changes"]["still_open"] == second["summary"]["findings"]
    rows = sqlite3.connect(tmp_path / "history.sqlite").execute("SELECT command FROM audits")
    assert [r[0] for r in rows] == ["audit", "audit"]
    log = caplog.text
    found = second["summary"]["findings"]
    assert log.count("audit started") == 2
    assert log.count(f"audit finished: {found} finding(s)") == 2
    assert "since audit 1: 0 new, 0 reopened, 0 resolved" in log
    assert "Terminated received: stopping" in log and "scheduler stopped" in log


def test_a_run_while_another_audit_holds_the_lock_is_skipped(tmp_path, capsys):
    path = write_config(tmp_path)
    config = config_mod.load(path)
    with FileLock(job.lock_path(config)):
        assert cli.main(["schedule", "--once", "--config", str(path)]) == 0
    assert "an audit is still running" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    assert cli.main(["schedule", "--once", "--config", str(path)]) == 0
    err = capsys.readouterr().err
    assert "audit finished: " in err and "reports: " in err
    assert len(list((tmp_path / "reports").iterdir())) == 2
    assert json.loads((tmp_path / "summary.json").read_text())["schema"] == "auditor.share/1"
    assert "summary for the employer written to" in err


@pytest.mark.parametrize(
    "expression",
    ["0 8 1 * *", "30 6 * * 0", "0 7 * * 1-5", "15 9 1,15 * 5", "*/30 7-9 * * sat,sun"],
)
def test_print_cron_and_the_scheduler_fire_at_the_same_times(tmp_path, capsys, expression):
    path = write_config(tmp_path, schedule=f'cron = "{expression}"')
    assert cli.main(["schedule", "--print-cron", "--config", str(path)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    fields, command = line.split()[:5], line.split()[5:]
    assert command[-4:] == ["schedule", "--once", "--config", str(path.resolve())]
    config = config_mod.load(path)
    spec = cron.parse(config.schedule.cron, config.schedule.timezone)
    start = datetime(2026, 12, 2, 12, 0).astimezone()
    expected = croniter(" ".join(fields), start, day_or=True)
    assert cron.next_times(spec, 20, start) == [expected.get_next(datetime) for _ in range(20)]


def test_next_lists_the_run_times_and_bad_settings_are_named(tmp_path, capsys):
    path = write_config(tmp_path, schedule='cron = "0 7 * * 0"')
    assert cli.main(["schedule", "--next", "3", "--config", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(line.startswith("  Sun ") for line in out[1:])
    assert cli.main(["schedule", "--next", "0", "--config", str(path)]) == 2
    assert "--next takes a number of run times" in capsys.readouterr().err
    bad = write_config(tmp_path, schedule='cron = "0 7 * * 8"', keep=0)
    assert cli.main(["schedule", "--once", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "schedule.cron:" in err and "schedule.keep: expected a whole number" in err
    path = write_config(tmp_path, formats='["pdf"]')
    assert cli.main(["schedule", "--once", "--config", str(path)]) == 2
    assert "schedule.formats: unknown format 'pdf'" in capsys.readouterr().err
