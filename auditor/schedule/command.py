"""What `auditor schedule` does with its options: serve, run once, list the next runs, or print
the equivalent crontab line or systemd units."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import AuditorError, ConfigError
from auditor.schedule import cron, job

if TYPE_CHECKING:
    from auditor.config import Config
    from auditor.plugins import Plugins

EXIT_OK, EXIT_PARTIAL = 0, 3


def run(args: argparse.Namespace, config: Config, plugins: Plugins) -> int:
    spec = cron.parse(config.schedule.cron, config.schedule.timezone)
    if args.next is not None:
        if args.next < 1:
            raise AuditorError("--next takes a number of run times, 1 or more")
        print(f"{cron.describe(spec)} ({spec.expression}):")
        for when in cron.next_times(spec, args.next):
            print(f"  {when.strftime('%a %Y-%m-%d %H:%M %Z')}")
        return EXIT_OK
    if args.print_cron:
        sys.stdout.write(cron.crontab_line(spec, once_command(config)) + "\n")
        return EXIT_OK
    if args.print_systemd:
        service, timer = cron.systemd_units(spec, once_command(config))
        sys.stdout.write(f"{service}\n{timer}")
        return EXIT_OK

    problems = job.unknown_formats(config, plugins)
    if problems:
        raise ConfigError(str(config.path or "config"), problems)
    if not config.accounts:
        raise ConfigError(
            str(config.path or "config"),
            [
                "accounts: none: a scheduled audit audits the config's accounts; `auditor init` "
                "writes a config with them"
            ],
        )
    _logging(args)
    if args.once:
        outcome = job.run_once(config, plugins)
        return EXIT_PARTIAL if outcome is not None and outcome.failed else EXIT_OK
    from auditor.schedule import runner

    runner.serve(config, plugins)
    return EXIT_OK


def once_command(config: Config) -> list[str]:
    """How cron or a timer runs one scheduled audit: this installation's `auditor`, with the
    config spelled out (neither has the shell's working directory or PATH)."""
    found = shutil.which("auditor")
    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if here is not None and here.name == "auditor" and here.exists():
        command = [str(here)]
    elif found:
        command = [str(Path(found).resolve())]
    else:
        command = [sys.executable, "-m", "auditor"]
    command += ["schedule", "--once"]
    if config.path is not None:
        command += ["--config", str(Path(config.path).resolve())]
    return command


def _logging(args: argparse.Namespace) -> None:
    """One timestamped line per event on stderr: what cron mails, what journald keeps."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    ours = logging.getLogger("auditor.schedule")
    ours.handlers[:] = [handler]
    ours.setLevel(logging.WARNING if args.quiet else logging.INFO)
    ours.propagate = False
    # APScheduler's own lines ("Added job", "Running job") only when debugging
    logging.getLogger("apscheduler").setLevel(logging.INFO if args.debug else logging.WARNING)
    if args.debug:
        logging.getLogger("apscheduler").addHandler(handler)
