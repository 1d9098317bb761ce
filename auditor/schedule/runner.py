"""`auditor schedule` in the foreground: APScheduler's BlockingScheduler on the config's cron
expression, one audit at a time, a missed run made up once, clean stop on SIGINT and SIGTERM."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger

from auditor.schedule import cron, job

if TYPE_CHECKING:
    from auditor.config import Config
    from auditor.plugins import Plugins

log = logging.getLogger("auditor.schedule")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def serve(
    config: Config,
    plugins: Plugins,
    trigger: BaseTrigger | None = None,
    on_run: Callable[[job.Outcome | None], None] | None = None,
) -> None:
    """Run the audit on schedule until SIGINT or SIGTERM. `trigger` replaces the config's
    cron expression (tests use a fast one); `on_run` sees each run's outcome."""
    settings = config.schedule
    spec = cron.parse(settings.cron, settings.timezone)
    scheduler = BlockingScheduler(
        timezone=cron.zone(spec),
        job_defaults={
            # runs missed while the machine slept become one run, not a burst
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_minutes * 60,
        },
    )

    def audit() -> None:
        outcome = job.run_once(config, plugins)
        if on_run is not None:
            on_run(outcome)

    scheduled = scheduler.add_job(audit, trigger or cron.trigger(spec), id="self-audit")

    def after(event: JobExecutionEvent) -> None:
        if event.exception is not None:
            log.error("audit failed: %s: %s", type(event.exception).__name__, event.exception)
        if scheduler.running and scheduled.next_run_time is not None:
            log.info("next audit at %s", scheduled.next_run_time.isoformat(timespec="minutes"))

    scheduler.add_listener(after, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping (a running audit finishes first)", signal.strsignal(signum))
        scheduler.shutdown(wait=False)

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    try:
        log.info(
            "scheduler started: %s (%s); first audit at %s; reports in %s",
            cron.describe(spec),
            spec.expression,
            _first(scheduled, scheduler),
            settings.reports,
        )
        scheduler.start()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    log.info("scheduler stopped")


def _first(scheduled, scheduler) -> str:  # noqa: ANN001 - APScheduler's Job and scheduler
    """The first fire time: the job gets it only once the scheduler starts."""
    from datetime import datetime

    now = datetime.now(scheduler.timezone)
    when = scheduled.trigger.get_next_fire_time(None, now)
    return when.isoformat(timespec="minutes") if when else "never"
