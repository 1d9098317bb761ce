"""Runs an audit: sources -> one pass over the posts -> account and profile checks -> result.

Posts stream through once: each is analysed, handed to every post check, counted, and
forgotten, so memory does not grow with the archive. A source or check that fails becomes an
error entry in the result and the rest of the audit goes on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from auditor.archive import Archive
from auditor.checks import AccountCheck, Check, CheckContext, PostCheck, ProfileCheck
from auditor.config import Config
from auditor.errors import InputError
from auditor.model import (
    Account,
    AccountReport,
    AuditResult,
    Coverage,
    Finding,
    MutedFinding,
    Post,
    SecurityState,
    SkippedCheck,
    SourceError,
)
from auditor.plugins import Plugins
from auditor.progress import Progress
from auditor.sources.base import Detection, Source, SourceImport
from auditor.text.analysis import Analyser, default_analyser

# Called for each post after the post checks, with the ids of the checks that fired.
PostHook = Callable[[Post, list[str]], None]
TICK = 512


@dataclass
class _AccountTally:
    account: Account
    security: SecurityState
    posts: int = 0


def open_source(path: Path, plugins: Plugins, platform: str | None = None) -> SourceImport:
    """Recognise the export at `path` and start reading it; InputError if it cannot be."""
    archive = Archive(path)
    if platform:
        source_cls = plugins.sources.get(platform)
        if source_cls is None:
            known = ", ".join(sorted(plugins.sources))
            raise InputError(str(path), f"unknown --platform {platform!r} (known: {known})")
        detection = source_cls.detect(archive)
        if detection is None:
            raise InputError(
                str(path), f"does not look like a {source_cls.title}: its marker files are absent"
            )
        return source_cls().read(archive, detection)
    best: tuple[Detection, type[Source]] | None = None
    for source_cls in plugins.sources.values():
        detection = source_cls.detect(archive)
        if detection and (best is None or detection.score > best[0].score):
            best = (detection, source_cls)
    if best is None:
        titles = "; ".join(s.title for s in plugins.sources.values())
        raise InputError(str(path), f"not a recognised export (expected one of: {titles})")
    return best[1]().read(archive, best[0])


def run(
    paths: Sequence[Path],
    config: Config,
    plugins: Plugins,
    *,
    platform: str | None = None,
    progress: Progress | None = None,
    on_post: PostHook | None = None,
    show_text: bool = False,
    today: date | None = None,
    analyser: Analyser | None = None,
) -> AuditResult:
    progress = progress or Progress(enabled=False)
    ctx = CheckContext(
        today=today or datetime.now(UTC).date(),
        owner=config.owner_name,
        practice=config.practice,
        show_text=show_text,
    )
    enabled = {cid: c for cid, c in plugins.checks.items() if cid not in config.disabled_checks}
    skipped = [
        SkippedCheck(cid, "disabled in the config's [checks]")
        for cid in plugins.checks
        if cid in config.disabled_checks
    ]
    post_checks = [c for c in enabled.values() if isinstance(c, PostCheck)]
    account_checks = [c for c in enabled.values() if isinstance(c, AccountCheck)]
    profile_checks = [c for c in enabled.values() if isinstance(c, ProfileCheck)]
    analyser = analyser or (default_analyser() if post_checks else None)

    findings: list[Finding] = []
    check_errors: dict[str, SourceError] = {}
    tallies: dict[str, _AccountTally] = {}
    coverage: list[Coverage] = []

    def failed(check: Check, exc: Exception, subject: str) -> None:
        check_errors.setdefault(
            check.meta.id,
            SourceError(check.meta.id, f"check failed on {subject}: {type(exc).__name__}: {exc}"),
        )

    for path in paths:
        try:
            imp = open_source(path, plugins, platform)
        except InputError as exc:
            coverage.append(
                Coverage(str(path), None, None, errors=(SourceError(exc.where, exc.message),))
            )
            continue
        progress.start(path.name)
        read = reposts = 0

        def tally(key: str, imp: SourceImport = imp) -> _AccountTally:
            t = tallies.get(key)
            if t is None:
                account, security = imp.accounts.get(
                    key, (Account("unknown", None), SecurityState())
                )
                role = config.account_role(account.platform, account.handle)
                if role:
                    account = dataclasses.replace(account, role=role)
                t = tallies[key] = _AccountTally(account, security)
            return t

        for key in imp.accounts:
            tally(key)
        last_key, last = None, None
        try:
            for post in imp.posts:
                read += 1
                if read % TICK == 0:
                    progress.update(read)
                if post.is_repost:
                    reposts += 1
                    continue
                if post.account != last_key:
                    last_key, last = post.account, tally(post.account)
                last.posts += 1
                analysis = analyser.analyse(post.text) if analyser else None
                fired: list[str] = []
                for check in post_checks:
                    try:
                        got = check.check_post(post, analysis, last.account, ctx)
                    except Exception as exc:  # one faulty check must not sink the audit
                        failed(check, exc, f"post {post.id}")
                        continue
                    if got:
                        fired.append(check.meta.id)
                        findings.extend(got)
                if on_post is not None:
                    on_post(post, fired)
        except InputError as exc:
            imp.error(exc.where, exc.message)
        finally:
            progress.finish()
        for key in imp.accounts:
            tally(key)  # accounts a streaming source only discovered while reading
        coverage.append(
            Coverage(
                path=imp.path,
                platform=imp.platform,
                layout=imp.layout,
                files_found=tuple(imp.files_found),
                files_missing=tuple(imp.files_missing),
                checks_run=tuple(enabled),
                checks_skipped=tuple(skipped),
                errors=tuple(imp.errors),
                posts_read=read,
                reposts_skipped=reposts,
            )
        )

    reports = tuple(AccountReport(t.account, t.security, t.posts) for t in tallies.values())
    for check in account_checks:
        for report in reports:
            try:
                findings.extend(check.check_account(report, ctx) or ())
            except Exception as exc:
                failed(check, exc, report.account.key)
    for check in profile_checks:
        try:
            findings.extend(check.check_profile(reports, ctx) or ())
        except Exception as exc:
            failed(check, exc, "the profile")

    for error in plugins.errors:
        check_errors.setdefault(error, SourceError("plugins", error))
    active, muted = _apply_config(findings, config, ctx.today)
    return AuditResult(
        generated_at=datetime.now(UTC),
        accounts=reports,
        findings=active,
        muted=muted,
        coverage=tuple(coverage),
        check_errors=tuple(check_errors.values()),
    )


def _apply_config(
    findings: list[Finding], config: Config, today: date
) -> tuple[tuple[Finding, ...], tuple[MutedFinding, ...]]:
    mutes = {m.fingerprint: m for m in config.mutes if m.active(today)}
    active: list[Finding] = []
    muted: list[MutedFinding] = []
    for f in findings:
        override = config.severity_overrides.get(f.check)
        if override is not None and override is not f.severity:
            f = dataclasses.replace(f, severity=override)
        mute = mutes.get(f.fingerprint)
        if mute is not None:
            muted.append(MutedFinding(f, mute))
        else:
            active.append(f)
    active.sort(key=_order)
    muted.sort(key=lambda m: _order(m.finding))
    return tuple(active), tuple(muted)


def _order(f: Finding) -> tuple:
    """Worst first; within a severity, oldest post first (the clean-up order)."""
    when = f.post.created_at.timestamp() if f.post and f.post.created_at else float("inf")
    return (-f.severity.rank, f.account, when, f.check, f.subject)
