"""Runs an audit: sources -> one pass over the posts -> account and profile checks -> result.

Posts stream through once: each is analysed, handed to every post check, counted, and
forgotten, so memory does not grow with the archive. A source or check that fails becomes an
error entry in the result and the rest of the audit goes on.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from auditor import net, secrets
from auditor.archive import Archive
from auditor.checks import (
    AccountCheck,
    Check,
    CheckContext,
    ConversationCheck,
    PostCheck,
    ProfileCheck,
    post_date,
)
from auditor.checks.security.logins import judged_logins
from auditor.config import Config
from auditor.credentials import authenticator, breached_accounts, breaches, pwned, vault
from auditor.credentials.totp import TotpEntry
from auditor.credentials.vault import Login
from auditor.errors import InputError
from auditor.model import (
    PHOTO_EVIDENCE,
    Account,
    AccountReport,
    AuditResult,
    Conversation,
    Coverage,
    CredentialCoverage,
    Evidence,
    Finding,
    MediaCoverage,
    Message,
    MutedFinding,
    PhotoFacts,
    Post,
    PostRef,
    PostSample,
    SecurityState,
    SkippedCheck,
    SourceError,
    TwoFactorMethod,
)
from auditor.plugins import Plugins
from auditor.progress import Progress
from auditor.sources.base import Detection, Source, SourceImport
from auditor.text.analysis import Analyser, Scan, default_analyser
from auditor.text.domain import post_domain
from auditor.text.worker import AVAILABLE as WORKER_AVAILABLE
from auditor.text.worker import KindsWorker, WorkerGone
from auditor.threads import Thread, ThreadWindow

if TYPE_CHECKING:
    from auditor.media.stage import MediaStage

# Called for each post after the post checks, with the ids of the checks that fired and the
# post's domain (None when no text analysis ran).
PostHook = Callable[[Post, list[str], str | None], None]
# The same for each conversation (or window of a long one) after the conversation checks.
ConversationHook = Callable[[Conversation, list[str]], None]
# A conversation longer than this is judged in windows, so memory stays bounded.
CONVERSATION_WINDOW = 1000
# Posts analysed and checked together (threads too): small enough to keep memory flat.
T = TypeVar("T")
BATCH = 256
STALE_ATTESTATION_DAYS = 365  # a self-attested second factor older than this: look again
# Example posts kept per account and reason, for account-level findings.
SAMPLES = 3


@dataclass
class _AccountTally:
    account: Account
    security: SecurityState
    posts: int = 0
    comments: int = 0
    messages: int = 0
    domains: Counter[str] = dataclasses.field(default_factory=Counter)
    practice_mentions: int = 0
    samples: dict[str, list[PostSample]] = dataclasses.field(default_factory=dict)
    public_by_day: Counter[date] = dataclasses.field(default_factory=Counter)
    places: int = 0

    def sample(self, reason: str, post: Post) -> None:
        kept = self.samples.setdefault(reason, [])
        if len(kept) < SAMPLES:
            ref = PostRef(post.id, post.url, post.created_at)
            kept.append(PostSample(reason, ref, _excerpt(post.text)))

    def report(self) -> AccountReport:
        return AccountReport(
            self.account,
            self.security,
            self.posts,
            self.comments,
            self.messages,
            domains=dict(self.domains),
            practice_mentions=self.practice_mentions,
            samples=tuple(s for kept in self.samples.values() for s in kept),
            public_by_day=dict(self.public_by_day),
            posts_with_place=self.places,
        )


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


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
                str(path),
                f"--platform {platform} ({source_cls.title}) finds none of its marker files "
                "here: check the path, or drop --platform to detect the export",
            )
        imp = source_cls().read(archive, detection)
        imp.archive = archive
        return imp
    best: tuple[Detection, type[Source]] | None = None
    for source_cls in plugins.sources.values():
        detection = source_cls.detect(archive)
        if detection and (best is None or detection.score > best[0].score):
            best = (detection, source_cls)
    if best is None:
        titles = "; ".join(s.title for s in plugins.sources.values())
        raise InputError(str(path), f"not a recognised export (expected one of: {titles})")
    imp = best[1]().read(archive, best[0])
    imp.archive = archive  # the media stage reads the attached photos from it
    return imp


def run(
    paths: Sequence[Path],
    config: Config,
    plugins: Plugins,
    *,
    platform: str | None = None,
    progress: Progress | None = None,
    on_post: PostHook | None = None,
    on_conversation: ConversationHook | None = None,
    show_text: bool = False,
    today: date | None = None,
    analyser: Analyser | None = None,
    debug: bool = False,
    protected_facts: Sequence[str] = (),
    parallel: bool = True,
    authenticators: Sequence[Path] = (),
    vaults: Sequence[Path] = (),
    all_logins: bool = False,
    offline: bool = False,
    live: Sequence[LiveSource] = (),
    media: MediaStage | None = None,
) -> AuditResult:
    """Audit the exports at `paths`. With `debug`, an unexpected error in a source is raised
    (for its traceback) instead of being recorded and survived. With `parallel`, an archive of
    more than one batch of posts is scanned by a second process (`auditor.text.worker`). With
    `media`, the photos attached to posts are read too (`auditor.media`), and the posts with
    something in them are judged again."""
    audit = _Audit(
        config, plugins, progress or Progress(enabled=False), on_post, analyser, parallel
    )
    audit.on_conversation = on_conversation
    audit.debug = debug
    audit.ctx = CheckContext(
        today=today or datetime.now(UTC).date(),
        owner=config.owner_name,
        practice=config.practice,
        show_text=show_text,
        old_post_years=config.old_post_years,
        protected_facts=tuple(protected_facts),
    )
    audit.read_authenticators(authenticators)
    audit.read_vaults(vaults, all_logins)
    audit.offline = offline
    audit.media = media
    seen: set[Path] = set()
    try:
        for path in paths:
            if path.resolve() in seen:
                continue  # the same export given twice: read once, or every finding doubles
            seen.add(path.resolve())
            audit.read_source(path, platform)
        for source in live:
            audit.read_import(source.where, source.label, source.open)
    finally:
        audit.stop_worker()
    return audit.finish()


@dataclass(frozen=True)
class LiveSource:
    """A source that is not a path: `open` returns its SourceImport (a live connector's
    snapshot of one account) or raises InputError; `where` and `label` name it."""

    where: str
    label: str
    open: Callable[[], SourceImport]


class _Audit:
    """The state of one audit run: what the checks found, per account and per source."""

    def __init__(
        self,
        config: Config,
        plugins: Plugins,
        progress: Progress,
        on_post: PostHook | None,
        analyser: Analyser | None,
        parallel: bool = True,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.progress = progress
        self.on_post = on_post
        self.ctx = CheckContext(today=datetime.now(UTC).date())
        # Casefolded once: every post is searched for the practice's name.
        self.practice = (config.practice or "").casefold() or None
        disabled = config.disabled_checks
        self.enabled = {cid: c for cid, c in plugins.checks.items() if cid not in disabled}
        self.skipped = tuple(
            SkippedCheck(cid, "disabled in the config's [checks]")
            for cid in plugins.checks
            if cid in disabled
        )
        checks = self.enabled.values()
        self.post_checks = [c for c in checks if isinstance(c, PostCheck)]
        self.account_checks = [c for c in checks if isinstance(c, AccountCheck)]
        self.profile_checks = [c for c in checks if isinstance(c, ProfileCheck)]
        self.conversation_checks = [c for c in checks if isinstance(c, ConversationCheck)]
        needs_text = self.post_checks or self.conversation_checks
        self.analyser = analyser or (default_analyser() if needs_text else None)
        self.on_conversation: ConversationHook | None = None
        self.threads = ThreadWindow() if self.post_checks and self.analyser else None
        self.pending_threads: list[Thread] = []
        # What was read but not yet checked, in order: batches of posts, and of threads
        # joined into one text each; and whether the worker is scanning each.
        self.inflight: deque[tuple[str, Any, bool]] = deque()
        self.parallel = parallel
        self.worker: KindsWorker | None = None
        self.findings: list[Finding] = []
        self.check_errors: dict[str, SourceError] = {}
        self.tallies: dict[str, _AccountTally] = {}
        self.coverage: list[Coverage] = []
        self.debug = False
        self.authenticator_reads: list[authenticator.AuthenticatorExport] = []
        self.vault_reads: list[vault.VaultExport] = []
        self.offline = False
        self.media: MediaStage | None = None

    def failed(self, check: Check, exc: Exception, subject: str) -> None:
        self.check_errors.setdefault(
            check.meta.id,
            SourceError(check.meta.id, f"check failed on {subject}: {type(exc).__name__}: {exc}"),
        )

    def tally(self, imp: SourceImport, key: str) -> _AccountTally:
        t = self.tallies.get(key)
        if t is None:
            account, security = imp.accounts.get(key, (Account("unknown", None), SecurityState()))
            role = self.config.account_role(account.platform, account.handle)
            if role:
                account = dataclasses.replace(account, role=role)
            t = self.tallies[key] = _AccountTally(account, security)
        return t

    def read_source(self, path: Path, platform: str | None) -> None:
        self.read_import(str(path), path.name, lambda: open_source(path, self.plugins, platform))

    def read_import(self, where: str, label: str, opener: Callable[[], SourceImport]) -> None:
        """Audit what one source yields: an export opened from a path, or a live connector's
        snapshot of an account (`auditor.live`). `where` names it in the coverage."""
        try:
            imp = opener()
        except InputError as exc:
            error = SourceError(exc.where, exc.message)
            self.coverage.append(Coverage(where, None, None, errors=(error,)))
            return
        except Exception as exc:  # a bug in a source must not sink the other sources
            if self.debug:
                raise
            error = SourceError(where, _internal(exc))
            self.coverage.append(Coverage(where, None, None, errors=(error,)))
            return
        for key in imp.accounts:
            self.tally(imp, key)
        self.progress.start(label)
        read = reposts = 0
        batch: list[Post] = []
        with_media: list[Post] = []
        photos = None
        try:
            for post in imp.posts:
                read += 1
                if post.is_repost:
                    reposts += 1
                    continue
                batch.append(post)
                if post.media:
                    with_media.append(post)
                if len(batch) == BATCH:
                    self.check_batch(imp, batch)
                    batch = []
                    self.progress.update(read)
            self.check_batch(imp, batch)
            self.drain(imp)
        except InputError as exc:
            self.drain(imp)  # the batches read before the fault are audited
            imp.error(exc.where, exc.message)
        except HookError:
            raise
        except Exception as exc:
            if self.debug:
                raise
            # the fault may lie in the checks: leave the rest unchecked, and the worker's
            # answers still owed with it
            self.inflight.clear()
            self.stop_worker()
            imp.error(where, f"{_internal(exc)}; the posts before it were audited")
        finally:
            self.progress.finish()
        if self.media is not None and imp.archive is not None and with_media:
            photos = self.check_photos(imp, with_media, label)
        if self.threads is not None:
            # also after an error: the threads read so far are judged, none spans two sources
            for thread in self.threads.flush():
                self.check_thread(imp, thread)
            self.judge_threads(imp)
            self.drain(imp)
        messages = self.read_messages(imp, where)
        for key in imp.accounts:
            self.tally(imp, key)  # accounts a streaming source only discovered while reading
        self.coverage.append(
            Coverage(
                path=imp.path,
                platform=imp.platform,
                layout=imp.layout,
                files_found=tuple(imp.files_found),
                files_missing=tuple(imp.files_missing),
                checks_run=tuple(self.enabled),
                checks_skipped=self.skipped,
                errors=tuple(imp.errors),
                posts_read=read,
                reposts_skipped=reposts,
                messages_read=messages,
                photos=photos,
            )
        )

    def check_photos(
        self, imp: SourceImport, posts: list[Post], label: str
    ) -> MediaCoverage | None:
        """Run the media stage on the posts with attachments, then judge again each post whose
        photos hold something (text, a code, a face, skin, a location), with the photos' text
        after the caption: its findings replace the caption's own."""
        assert self.media is not None and imp.archive is not None
        try:
            facts, coverage = self.media.run(imp.archive, posts, label, self.ctx.protected_facts)
        except Exception as exc:  # the photos must never sink the posts' audit
            if self.debug:
                raise
            imp.error(imp.path, f"the photos could not be analysed: {_internal(exc)}")
            return None
        judged = [
            dataclasses.replace(p, photos=facts[p.id], text=with_photo_text(p, facts[p.id]))
            for p in posts
            if any(_telling(f) for f in facts.get(p.id, ()))
        ]
        if not judged:
            return coverage
        ids = {(p.account, p.id) for p in judged}
        kept: list[Finding] = []
        on_caption: set[tuple[str, str]] = set()  # (post id, check) fired on the caption alone
        for f in self.findings:
            if f.post is not None and f.subject == f.post.id and (f.account, f.subject) in ids:
                on_caption.add((f.subject, f.check))
            else:
                kept.append(f)
        self.findings = kept
        analyses = self.analyser.analyse_many([p.text for p in judged]) if self.analyser else None
        captions = {p.id: p.text for p in posts}
        for n, post in enumerate(judged):
            account = self.tally(imp, post.account).account
            for check in self.post_checks:
                try:
                    got = check.check_post(
                        post, analyses[n] if analyses else None, account, self.ctx
                    )
                except Exception as exc:
                    self.failed(check, exc, f"post {post.id} with its photos")
                    continue
                self.findings.extend(
                    _photo_evidence(
                        f, captions[post.id], post.photos, (post.id, f.check) not in on_caption
                    )
                    for f in got or ()
                )
        return coverage

    def read_messages(self, imp: SourceImport, where: str) -> int:
        """Read the direct messages, a conversation at a time, into the conversation checks.
        They are read after the posts so a source can stream both from one file, and they
        never reach a post check or a report."""
        read = 0
        run: list[Message] = []
        try:
            for message in imp.messages:
                read += 1
                if run and (
                    message.conversation != run[0].conversation
                    or message.account != run[0].account
                    or len(run) == CONVERSATION_WINDOW
                ):
                    self.check_conversation(imp, run)
                    run = []
                run.append(message)
            if run:
                self.check_conversation(imp, run)
        except InputError as exc:
            imp.error(exc.where, exc.message)
        except HookError:
            raise
        except Exception as exc:
            if self.debug:
                raise
            imp.error(where, f"{_internal(exc)} while reading direct messages")
        return read

    def check_conversation(self, imp: SourceImport, run: list[Message]) -> None:
        first = run[0]
        tally = self.tally(imp, first.account)
        tally.messages += len(run)
        if not self.conversation_checks and self.on_conversation is None:
            return
        conversation = Conversation(first.conversation, first.account, first.platform, tuple(run))
        analyses = self.analyser.analyse_many([m.text for m in run]) if self.analyser else []
        fired: list[str] = []
        for check in self.conversation_checks:
            try:
                got = check.check_conversation(conversation, analyses, tally.account, self.ctx)
            except Exception as exc:
                self.failed(check, exc, f"conversation {first.conversation}")
                continue
            if got:
                fired.append(check.meta.id)
                self.findings.extend(got)
        if self.on_conversation is not None:
            try:
                self.on_conversation(conversation, fired)
            except Exception as exc:
                raise HookError(exc) from exc

    def check_batch(self, imp: SourceImport, batch: list[Post]) -> None:
        """Check a batch of posts; with a worker, one batch behind: the worker scans this
        batch while what was sent before it is checked here."""
        if not batch:
            return
        full = len(batch) == BATCH
        if self.worker is None and self.parallel and full and self.inflight:
            self.worker = self._start_worker()  # a second full batch: worth a second process
        if self.worker is None:
            if self.parallel and full and not self.inflight:
                self.inflight.append(("posts", batch, False))  # held: a worker if more follow
                return
            self.drain(imp)
            self.check_posts(imp, batch)
            return
        before = len(self.inflight)
        self.inflight.append(("posts", batch, self._send([p.text for p in batch])))
        for _ in range(before):  # what came before this batch; threads it queues wait
            self._process(imp, self.inflight.popleft())

    def drain(self, imp: SourceImport) -> None:
        """Check everything still sent or held, threads included."""
        while self.inflight:
            self._process(imp, self.inflight.popleft())

    def _send(self, texts: list[str]) -> bool:
        if self.worker is None:
            return False
        try:
            self.worker.submit(texts)
            return True
        except WorkerGone:
            self.stop_worker()
            return False

    def _process(self, imp: SourceImport, item: tuple[str, Any, bool]) -> None:
        what, payload, sent = item
        found = None
        if sent and self.worker is not None:
            try:
                found = self.worker.result()
            except WorkerGone:
                self.stop_worker()
        if what == "posts":
            self.check_posts(imp, payload, found)
        else:
            self._judge_joined(imp, *payload, found)

    def _start_worker(self) -> KindsWorker | None:
        if self.analyser is None or self.analyser.engine != "hyperscan" or not WORKER_AVAILABLE:
            self.parallel = False
            return None
        try:
            asking = [
                c for c in self.post_checks if type(c).wants_spans is not PostCheck.wants_spans
            ]

            def wants_spans(kinds: frozenset[str]) -> bool:
                try:
                    return any(c.wants_spans(kinds) for c in asking)
                except Exception:  # a faulty check only loses the head start
                    return False

            return KindsWorker(self.analyser, wants_spans)
        except Exception:  # no second process (a sandbox, a resource limit): scan here
            self.parallel = False
            return None

    def stop_worker(self) -> None:
        """Scan in-process from here on; results still owed by the worker are recomputed."""
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        self.parallel = False

    def check_posts(
        self,
        imp: SourceImport,
        batch: list[Post],
        found: Scan | None = None,
    ) -> None:
        if not batch:
            return
        analyses = None
        if self.analyser is not None:
            texts = [p.text for p in batch]
            if found is None:
                analyses = self.analyser.analyse_many(texts)
            else:
                analyses = self.analyser.analyses(texts, *found)
        ctx, findings, on_post = self.ctx, self.findings, self.on_post
        practice, threads = self.practice, self.threads
        last_key, last = None, None
        for n, post in enumerate(batch):
            if post.account != last_key:
                last_key, last = post.account, self.tally(imp, post.account)
                if last.account.role is None and post.role:
                    last.account = dataclasses.replace(last.account, role=post.role)
            if post.kind == "comment":
                last.comments += 1
            else:
                last.posts += 1
            if post.created_at is not None and post.visibility in (None, "public"):
                last.public_by_day[post.created_at.date()] += 1
            if post.place:
                last.places += 1
                last.sample("place", post)
            analysis = analyses[n] if analyses else None
            domain = None
            if analysis is not None:
                domain = post_domain(analysis.kinds, post.text, post.role or last.account.role)
                last.domains[domain] += 1
                last.sample(domain, post)
            if practice and practice in post.text.casefold():
                last.practice_mentions += 1
                last.sample("practice", post)
            fired: list[str] = []
            for check in self.post_checks:
                try:
                    got = check.check_post(post, analysis, last.account, ctx)
                except Exception as exc:  # one faulty check must not sink the audit
                    self.failed(check, exc, f"post {post.id}")
                    continue
                if got:
                    fired.append(check.meta.id)
                    findings.extend(got)
            if on_post is not None:
                try:
                    on_post(post, fired, domain)
                except Exception as exc:
                    raise HookError(exc) from exc
            if threads is not None:
                for thread in threads.add(post, fired):
                    self.check_thread(imp, thread)

    def check_thread(self, imp: SourceImport, thread: Thread) -> None:
        """Queue a finished thread (two or more posts, as ThreadWindow builds them); queued
        threads are judged a batch at a time (one analysis call), like posts."""
        self.pending_threads.append(thread)
        if len(self.pending_threads) >= BATCH:
            self.judge_threads(imp)

    def judge_threads(self, imp: SourceImport) -> None:
        """Judge the queued threads again, each as one text, with the checks that fired on
        none of its posts: their findings name every post of the thread."""
        threads, self.pending_threads = self.pending_threads, []
        if not threads or self.analyser is None:
            return
        runs = [t.ordered() for t in threads]
        joined = [
            dataclasses.replace(
                posts[0],
                text="\n".join(p.text for p in posts),
                has_media=any(p.has_media for p in posts),
                media=tuple(m for p in posts for m in p.media),
            )
            for posts in runs
        ]
        texts = [j.text for j in joined]
        if self.worker is not None:  # judged when the worker answers, after the posts before
            self.inflight.append(("threads", (threads, runs, joined), self._send(texts)))
            return
        self._judge_joined(imp, threads, runs, joined, None)

    def _judge_joined(
        self,
        imp: SourceImport,
        threads: list[Thread],
        runs: list[list[Post]],
        joined: list[Post],
        found: Scan | None,
    ) -> None:
        if self.analyser is None:
            return
        texts = [j.text for j in joined]
        if found is None:
            analyses = self.analyser.analyse_many(texts)
        else:
            analyses = self.analyser.analyses(texts, *found)
        for thread, posts, post, analysis in zip(threads, runs, joined, analyses, strict=True):
            account = self.tally(imp, post.account).account
            for check in self.post_checks:
                if check.meta.id in thread.fired:
                    continue
                try:
                    got = check.check_post(post, analysis, account, self.ctx)
                except Exception as exc:
                    self.failed(check, exc, f"the thread of post {post.id}")
                    continue
                self.findings.extend(_thread_finding(f, posts) for f in got or ())

    def read_authenticators(self, paths: Sequence[Path]) -> None:
        """Read the authenticator exports first: their entries are evidence for every
        account, and secrets never pass through a source or a post check."""
        entries: list[TotpEntry] = []
        for path in paths:
            got = authenticator.read(path)
            self.authenticator_reads.append(got)
            entries.extend(got.entries)
        self.ctx = dataclasses.replace(self.ctx, authenticator=tuple(entries))

    def _ask_pwned(self, reports: Sequence[AccountReport]) -> None:
        """Breach counts for the passwords the checks judge, when a vault was given, the
        check is on and the audit is not --offline (k-anonymity: see credentials/pwned.py)."""
        check = "security.password-breached"
        if not self.ctx.logins or self.offline or check not in self.enabled:
            return
        passwords = {j.login.password for j in judged_logins(reports, self.ctx)}
        if not passwords:
            return
        client = pwned.PwnedPasswords(self.config.endpoints["pwned_passwords"])
        try:
            found = client.counts(passwords)
        except net.ServiceError as exc:
            self.check_errors.setdefault(check, SourceError(check, f"not run: {exc}"))
            return
        self.ctx = dataclasses.replace(self.ctx, pwned=found)

    def _ask_breaches(self, reports: Sequence[AccountReport]) -> None:
        """The breaches of the judged logins' sites, from HIBP's public breach list."""
        check = "security.site-breached"
        if not self.ctx.logins or self.offline or check not in self.enabled:
            return
        domains = {j.login.domain for j in judged_logins(reports, self.ctx)}
        listing = breaches.BreachList(self.config.endpoints["hibp"])
        try:
            found = {d: tuple(listing.for_domain(d)) for d in domains}
        except (net.ServiceError, ValueError) as exc:
            self.check_errors.setdefault(check, SourceError(check, f"not run: {exc}"))
            return
        self.ctx = dataclasses.replace(self.ctx, breaches=found)

    def _ask_email_breaches(self, reports: Sequence[AccountReport]) -> None:
        """The breaches holding the e-mail addresses on file, from HIBP's breached-account
        search: only with the user's API key named in the config, never --offline."""
        check = "security.email-breached"
        ref = self.config.hibp_api_key
        if ref is None or self.offline or check not in self.enabled:
            return
        emails = {e for r in reports for e in r.security.emails}
        if not emails:
            return
        try:
            key = secrets.get_secret(ref)
            if key is None:
                raise net.ServiceError(
                    f"no secret stored under {ref}: store the key with "
                    f"`auditor secrets set {ref.removeprefix('keyring:')}`"
                )
            found = breached_accounts.breaches_of(self.config.endpoints["hibp"], key, emails)
        except (net.ServiceError, secrets.SecretsError) as exc:
            self.check_errors.setdefault(check, SourceError(check, f"not run: {exc}"))
            return
        self.ctx = dataclasses.replace(self.ctx, email_breaches=found)

    def _apply_attested(self) -> None:
        """What the user says in the config about an account's second factor is evidence,
        named as theirs and dated; a look older than a year is stale and says so."""
        for tally in self.tallies.values():
            acct = tally.account
            cfg = self.config.account(acct.platform, acct.handle)
            if cfg is None or cfg.two_factor is None:
                continue
            when = cfg.two_factor_checked
            said = "you say so in the config"
            if when is not None:
                age = (self.ctx.today - when).days
                said += f" (checked {when.isoformat()}"
                said += f", {age} days ago: look again)" if age > STALE_ATTESTATION_DAYS else ")"
            else:
                said += " (no two_factor_checked date)"
            sec = tally.security
            if cfg.two_factor == "none":
                sec = dataclasses.replace(
                    sec,
                    two_factor_disabled_evidence=(
                        *sec.two_factor_disabled_evidence,
                        f"no second factor: {said}",
                    ),
                )
            else:
                method = TwoFactorMethod(cfg.two_factor, f"{cfg.two_factor}: {said}", "config")
                sec = dataclasses.replace(sec, two_factor_methods=(*sec.two_factor_methods, method))
            tally.security = sec

    def read_vaults(self, paths: Sequence[Path], all_logins: bool) -> None:
        logins: list[Login] = []
        for path in paths:
            got = vault.read(path)
            self.vault_reads.append(got)
            logins.extend(got.logins)
        self.ctx = dataclasses.replace(self.ctx, logins=tuple(logins), all_logins=all_logins)

    def _apply_credentials(self) -> None:
        """An authenticator entry, or a vault login's TOTP field, for an audited account's
        platform means TOTP is set up: one method per export that shows it."""
        for tally in self.tallies.values():
            acct = tally.account
            added = []
            for got in self.authenticator_reads:
                entry = _for_account(got.entries, authenticator.platform_of, acct)
                if entry is not None:
                    what = f"holds an authenticator entry for {entry}"
                    added.append(_totp_method(got.path, got.format, what))
            for v in self.vault_reads:
                with_totp = [x for x in v.logins if x.totp]
                login = _for_account(with_totp, vault.platform_of, acct)
                if login is not None:
                    what = f"holds a TOTP code for the {login.domain} login"
                    added.append(_totp_method(v.path, v.format, what))
            if added:
                tally.security = dataclasses.replace(
                    tally.security,
                    two_factor_methods=(*tally.security.two_factor_methods, *added),
                )

    def _credential_coverage(self) -> tuple[CredentialCoverage, ...]:
        accounts = [t.account for t in self.tallies.values()]
        out = []
        for got in self.authenticator_reads:
            found = {
                a.platform
                for a in accounts
                if _for_account(got.entries, authenticator.platform_of, a) is not None
            }
            out.append(
                CredentialCoverage(
                    got.path,
                    "authenticator",
                    got.format,
                    len(got.entries),
                    tuple(sorted(found)),
                    got.skipped,
                    got.error,
                )
            )
        for v in self.vault_reads:
            found = {
                a.platform
                for a in accounts
                if _for_account(v.logins, vault.platform_of, a) is not None
            }
            notes = (
                ("security.password-breached and security.site-breached not run: --offline",)
                if self.offline
                else ()
            )
            out.append(
                CredentialCoverage(
                    v.path,
                    "passwords",
                    v.format,
                    len(v.logins),
                    tuple(sorted(found)),
                    notes,
                    v.error,
                )
            )
        return tuple(out)

    def finish(self) -> AuditResult:
        self._apply_attested()
        self._apply_credentials()
        reports = tuple(t.report() for t in self.tallies.values())
        unjudged: dict[str, list[tuple[str, str]]] = {r.account.key: [] for r in reports}
        for check in self.account_checks:
            for report in reports:
                try:
                    self.findings.extend(check.check_account(report, self.ctx) or ())
                    why = check.unjudged(report, self.ctx)
                except Exception as exc:
                    self.failed(check, exc, report.account.key)
                    continue
                if why:
                    unjudged[report.account.key].append((check.meta.id, why))
        reports = tuple(
            dataclasses.replace(r, unjudged=tuple(unjudged[r.account.key])) for r in reports
        )
        self._ask_pwned(reports)
        self._ask_breaches(reports)
        self._ask_email_breaches(reports)
        for check in self.profile_checks:
            try:
                self.findings.extend(check.check_profile(reports, self.ctx) or ())
            except Exception as exc:
                self.failed(check, exc, "the profile")
        for error in self.plugins.errors:
            self.check_errors.setdefault(error, SourceError("plugins", error))
        active, muted = _apply_config(self.findings, self.config, self.ctx.today)
        return AuditResult(
            generated_at=datetime.now(UTC),
            accounts=reports,
            findings=active,
            muted=muted,
            coverage=tuple(self.coverage),
            check_errors=tuple(self.check_errors.values()),
            credentials=self._credential_coverage(),
        )


# A thread finding lists at most this many of its posts by link.
THREAD_POSTS_LISTED = 20


def _thread_finding(f: Finding, posts: list[Post]) -> Finding:
    first, n = posts[0], len(posts)
    head = post_date(first)
    thread = f"Thread of {n} posts from " + (
        first.created_at.date().isoformat() if first.created_at else "undated posts"
    )
    title = f.title.replace(head, thread, 1) if f.title.startswith(head) else f"{thread}: {f.title}"
    listed = [
        Evidence("thread_post", f"post {i} of {n}: {p.url or p.id}")
        for i, p in enumerate(posts[:THREAD_POSTS_LISTED], 1)
    ]
    if n > THREAD_POSTS_LISTED:
        listed.append(Evidence("thread_post", f"and {n - THREAD_POSTS_LISTED} more posts"))
    return dataclasses.replace(
        f,
        subject=f"thread:{first.id}",
        title=title + " (the details are spread over the thread's posts)",
        evidence=(*f.evidence, *listed),
    )


def with_photo_text(post: Post, photos: Sequence[PhotoFacts]) -> str:
    """The caption, then the text read from each photo: judged as one post, so a name on a
    whiteboard meets the "patient" of the caption."""
    read = [f.text for f in photos if f.text]
    return "\n\n".join([post.text, *read]) if read else post.text


def _telling(f: PhotoFacts) -> bool:
    return bool(f.text or f.codes or f.faces or f.body or f.gps)


def _photo_evidence(
    f: Finding, caption: str, photos: Sequence[PhotoFacts], photos_only: bool
) -> Finding:
    """Name the evidence that came from a photo's text, and the photo it came from; when no
    evidence quotes it but the caption alone did not fire the check (`photos_only`), every
    photo with text is named."""
    marked: list[Evidence] = []
    sources: list[PhotoFacts] = []
    for ev in f.evidence:
        where = None
        if ev.text and ev.text not in caption:
            where = next((p for p in photos if p.text and ev.text in p.text), None)
        if where is None:
            marked.append(ev)
            continue
        if where not in sources:
            sources.append(where)
        marked.append(dataclasses.replace(ev, label=f"{ev.label} (text in photo)"))
    if not sources and photos_only and not any(ev.kind in PHOTO_EVIDENCE for ev in f.evidence):
        # nothing else about the photos explains the finding: their text did
        sources = [p for p in photos if p.text]
    if not sources:
        return f
    heads = [
        Evidence(
            "text_in_photo",
            f"text in photo {posixpath.basename(p.name)}",
            _excerpt(p.text.replace("\n", " / ")),
        )
        for p in sources
    ]
    return dataclasses.replace(f, evidence=(*heads, *marked))


class HookError(Exception):
    """The caller's post or conversation hook failed: not the source's fault, so it is raised
    to the caller (a closed pipe under `auditor classify | head`) instead of being survived."""


def _internal(exc: Exception) -> str:
    return (
        f"internal error while reading ({type(exc).__name__}: {exc}); run with --debug for "
        "the traceback and please report it"
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
        mute = mutes.get(f.fingerprint) if mutes else None
        if mute is not None:
            muted.append(MutedFinding(f, mute))
        else:
            active.append(f)
    active.sort(key=_order)
    muted.sort(key=lambda m: _order(m.finding))
    return tuple(active), tuple(muted)


def _for_account(
    items: Sequence[T], platform_of: Callable[[T, str | None], str | None], acct: Account
) -> T | None:
    """The first entry or login of an export whose second factor protects this account (its
    platform's, or the one it signs in with: Instagram's for Threads)."""
    wanted = authenticator.login_platforms(acct.platform)
    return next((x for x in items if platform_of(x, acct.handle) in wanted), None)


def _totp_method(path: str, fmt: str | None, what: str) -> TwoFactorMethod:
    return TwoFactorMethod("totp", f"{Path(path).name} ({fmt}) {what}", path)


def _order(f: Finding) -> tuple:
    """Worst first; within a severity, oldest post first (the clean-up order)."""
    when = f.post.created_at.timestamp() if f.post and f.post.created_at else float("inf")
    return (-f.severity.rank, f.account, when, f.check, f.subject)
