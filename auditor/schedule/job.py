"""One scheduled self-audit: the config's audit, its dated reports, the history, the mail.
Run by the foreground scheduler and by `auditor schedule --once` (what cron and a systemd
timer call), under one lock so two audits never overlap, even from two processes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from filelock import FileLock, Timeout

from auditor.errors import AuditorError

if TYPE_CHECKING:
    from auditor.config import Config
    from auditor.plugins import Plugins
    from auditor.reports import Report
    from auditor.schedule.settings import MailConfig

log = logging.getLogger("auditor.schedule")


@dataclass(frozen=True)
class Outcome:
    """What one run left behind, for its log line and for tests."""

    run: str
    reports: tuple[Path, ...]
    findings: int
    failed: bool
    removed: tuple[Path, ...] = ()
    mailed: bool | None = None  # None: no mail configured
    problems: tuple[str, ...] = field(default=())


def lock_path(config: Config) -> Path:
    """Next to the history: the same person's audits share it."""
    base = config.history_path.parent if config.history_path else None
    return (base or Path(platformdirs.user_data_dir("auditor"))) / "audit.lock"


def unknown_formats(config: Config, plugins: Plugins) -> list[str]:
    """Problems for `[schedule] formats` no installed report has, checked before any run."""
    return [
        f"schedule.formats: unknown format {fmt!r} (known: {', '.join(plugins.reports)})"
        for fmt in config.schedule.formats
        if fmt not in plugins.reports
    ] + [
        f"schedule.mail.format: {m.format!r} is not among schedule.formats: add it"
        for m in [config.schedule.mail]
        if m is not None and m.format not in config.schedule.formats
    ]


def run_once(config: Config, plugins: Plugins, now: datetime | None = None) -> Outcome | None:
    """Audit once, unless another audit holds the lock (then None, and a log line)."""
    lock = lock_path(config)
    lock.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    guard = FileLock(lock, timeout=0, mode=0o600)
    try:
        guard.acquire()
    except Timeout:
        log.warning("an audit is still running (it holds %s): this run is skipped", lock)
        return None
    try:
        return _audit(config, plugins, now or datetime.now().astimezone())
    finally:
        guard.release()


def _audit(config: Config, plugins: Plugins, started: datetime) -> Outcome:
    from auditor import engine, facts, history
    from auditor.live import audit
    from auditor.media.stage import MediaStage
    from auditor.progress import Progress
    from auditor.reports.document import build
    from auditor.schedule import delivery

    settings = config.schedule
    log.info("audit started (%d account(s))", len(config.accounts))
    chosen = audit.chosen_accounts(config, ())
    protected, problem = facts.load_quietly()
    if problem:
        log.warning("protected facts not checked: %s", problem)
    paths = [Path(a.source) for a in chosen if not a.live and a.source]
    with audit.LiveRun(quiet=True, log=log.info) as live_run, MediaStage() as media:
        result = engine.run(
            paths,
            config,
            plugins,
            progress=Progress(enabled=False),
            protected_facts=protected,
            authenticators=config.authenticators,
            vaults=config.password_exports,
            live=[live_run.source(a) for a in chosen if a.live],
            media=media,
        )
    for note in media.notes:
        log.warning("%s", note)
    problems = [f"{e.file}: {e.message}" for c in result.coverage for e in c.errors]
    problems += [f"{e.file}: {e.message}" for e in result.check_errors]
    problems += [c.error for c in result.credentials if c.error]
    for line in problems:
        log.warning("%s", line)

    doc = build(result)
    history.keep(doc, "audit", config.history_path, log.warning)
    if config.share_path is not None:
        from auditor.practice import share

        try:
            share.write(config.share_path, share.summary(doc, config, share.check_titles()))
            log.info("summary for the employer written to %s", config.share_path)
        except AuditorError as exc:
            log.error("%s", exc)
    run = delivery.stamp(started, settings.reports)
    written = delivery.write_reports(doc, settings.formats, plugins.reports, settings.reports, run)
    removed = delivery.prune(settings.reports, settings.keep)
    mailed = None
    if settings.mail is not None:
        mailed = send_report(settings.mail, doc, written, plugins.reports)
    summary = doc["summary"]
    changes = doc.get("changes")
    changed = (
        f"; since audit {changes['previous']['audit']}: {len(changes['new'])} new, "
        f"{len(changes['reopened'])} reopened, {len(changes['resolved'])} resolved"
        if changes and changes["previous"]
        else ""
    )
    log.info(
        "audit finished: %d finding(s)%s; reports: %s%s",
        summary["findings"],
        changed,
        ", ".join(str(p) for p in written),
        f"; {len(removed)} old report file(s) removed (keep = {settings.keep})" if removed else "",
    )
    return Outcome(
        run,
        tuple(written),
        summary["findings"],
        result.failed,
        tuple(removed),
        mailed,
        tuple(problems),
    )


def send_report(
    mail: MailConfig,
    doc: dict[str, Any],
    written: Sequence[Path],
    reports: Mapping[str, type[Report]],
) -> bool:
    """Mail the run's report in the mail's format; a failure is logged, the report kept."""
    from auditor.schedule import delivery

    suffix = reports[mail.format].suffix
    report = next(p for p in written if p.suffix == suffix)
    status = doc["summary"]
    subject = f"Footprint audit: {status['findings']} finding(s)"
    changes = doc.get("changes")
    if changes and changes["previous"]:
        subject += f", {len(changes['new']) + len(changes['reopened'])} new or reopened"
    try:
        delivery.send(mail, delivery.Mail(subject, delivery.summary_text(doc), report))
    except delivery.MailError as exc:
        log.error("report not mailed: %s; it is kept at %s", exc, report)
        return False
    log.info("report mailed to %s", ", ".join(mail.to))
    return True


class ScheduleError(AuditorError):
    """The schedule cannot start: says what to fix."""
