"""What every connector provides, and the sync that turns its pages into a snapshot through
the post cache (only new posts fetched; deleted ones noticed on a full walk)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from auditor.config import AccountConfig
from auditor.live.cache import PostCache
from auditor.live.http import ApiClient, ApiError
from auditor.model import Account, Post, SecurityState
from auditor.sources.base import SourceImport


@dataclass(frozen=True)
class Snapshot:
    """The account as its API shows it; `post_count` is the platform's own count of the
    account's posts where it gives one (a drop below the cache's count means deletions)."""

    account: Account
    security: SecurityState
    post_count: int | None = None
    counts_reposts: bool = True  # False where the platform's count leaves reposts out


class Connector(ABC):
    platform: ClassVar[str]

    def __init__(self, cfg: AccountConfig, client: ApiClient) -> None:
        self.cfg = cfg
        self.client = client
        # what the API cannot reach (X's newest 3,200 posts, Reddit's ~1,000 per listing), a
        # line each in the coverage; filled by snapshot() and pages()
        self.notes: list[str] = []
        # False when the walk ends at the API's reach, not at the account's first post: cached
        # posts older than what it reached fell out of reach, they were not deleted
        self.reached_start = True

    def authenticate(self, secret: str) -> None:
        """Use the secret the config's `token` names. Most platforms take it as a bearer token;
        a connector whose secret opens a session first (an app password, an OAuth client) logs
        in here with `client.open_session` and keeps the session's token."""
        self.client.token = secret

    @abstractmethod
    def snapshot(self) -> Snapshot:
        """The account, its settings and profile: one or a few calls."""

    def whoami(self) -> str:
        """Who the credential belongs to (the handle), from as few read calls as the platform
        allows: `auditor login`'s check of a new token before it is stored."""
        return self.snapshot().account.handle

    @abstractmethod
    def pages(self) -> Iterator[list[Post]]:
        """The account's posts, newest first, a page at a time, to the end of what the API
        can reach; reposts as `Post(is_repost=True)`."""


def live_import(
    connector: Connector,
    cache: PostCache,
    *,
    refresh: bool = False,
    on_fetched: Callable[[int, bool], None] = lambda n, done: None,
) -> SourceImport:
    """The account's snapshot and posts: new pages fetched into the cache, then every cached
    post streamed to the engine. Raises ApiError when not even the account can be read."""
    snap = connector.snapshot()
    cfg = connector.cfg
    imp = SourceImport(f"{cfg.key} (API)", connector.platform, f"{connector.platform}-api")
    imp.add_account(snap.account, snap.security)
    imp.files_found.append(f"API: {connector.client.base_url}")
    imp.posts = _sync(connector, cache, snap, imp, refresh, on_fetched)
    return imp


def _sync(
    connector: Connector,
    cache: PostCache,
    snap: Snapshot,
    imp: SourceImport,
    refresh: bool,
    on_fetched: Callable[[int, bool], None],
) -> Iterator[Post]:
    key = snap.account.key
    cached = cache.count(key)
    full = (
        refresh
        or cache.needs_full_walk(key)
        or (
            snap.post_count is not None
            and snap.post_count
            < (cached if snap.counts_reposts else cache.count(key, reposts=False))
        )
    )
    known = cache.ids(key)
    seen: set[str] = set()
    oldest: datetime | None = None
    complete = False
    try:
        for page in connector.pages():
            cache.put(page)
            ids = {p.id for p in page}
            seen |= ids
            times = [p.created_at for p in page if p.created_at is not None]
            if times:
                oldest = min(times) if oldest is None else min(oldest, *times)
            on_fetched(len(seen), False)
            if not full and ids & known:
                break  # newest first: from here on, the last audit fetched it all
        complete = True
    except ApiError as exc:
        have = cache.count(key)
        imp.error(exc.where, f"{exc.message} ({have:,} posts in the cache are audited)")
    on_fetched(len(seen), True)
    gone: set[str] = set()
    if full and complete:
        gone = known - seen
        if not connector.reached_start:
            # only within the span the walk covered: what is older fell out of the API's reach
            gone = {
                p.id
                for p in cache.posts(key)
                if p.id in gone and p.created_at and oldest and p.created_at >= oldest
            }
        cache.delete(key, gone)
        cache.walked(key)
    imp.files_missing.extend(connector.notes)
    imp.files_found.append(
        f"cache: {len(seen - known):,} new posts fetched"
        + (f", {len(gone):,} deleted since the last audit" if gone else "")
        + ("" if full else " (incremental)")
    )
    yield from cache.posts(key)
