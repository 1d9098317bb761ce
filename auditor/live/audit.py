"""`auditor audit`: which configured accounts to audit, and each live account's source for
the engine (its connector, client and the shared post cache)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from types import TracebackType

from auditor import secrets
from auditor.config import AccountConfig, Config
from auditor.engine import LiveSource
from auditor.errors import ConfigError, InputError
from auditor.live.base import Connector, live_import
from auditor.live.cache import PostCache
from auditor.live.http import ApiClient
from auditor.progress import Progress
from auditor.sources.base import SourceImport

# each platform's connector, imported when an account of it is audited
CONNECTORS = {
    "mastodon": "auditor.live.mastodon:MastodonConnector",
    "bluesky": "auditor.live.bluesky:BlueskyConnector",
    "x": "auditor.live.x:XConnector",
    "reddit": "auditor.live.reddit:RedditConnector",
}


def connector_class(platform: str) -> type[Connector]:
    module, _, name = CONNECTORS[platform].partition(":")
    return getattr(importlib.import_module(module), name)


def connect(
    cfg: AccountConfig, secret: str | None, notify: Callable[[str], None], token_fix: str
) -> Connector:
    """The account's connector with its client, logged in when there is a secret: for an
    audit and for `auditor login`'s check alike. `token_fix` says what to do when the
    platform refuses the secret."""
    client = ApiClient(
        cfg.platform, cfg.base_url or "", cfg.key, notify=notify, token_fix=token_fix
    )
    connector = connector_class(cfg.platform)(cfg, client)
    if secret is not None:
        connector.authenticate(secret)
    return connector


def chosen_accounts(config: Config, only: Sequence[str]) -> list[AccountConfig]:
    """The accounts to audit: all of the config's, or those `--account` names; every one
    needs a `source`. Checked before any network call."""
    where = str(config.path or "config")
    if not config.accounts:
        raise ConfigError(where, ["accounts: none: add an [[accounts]] table for each account"])
    chosen = list(config.accounts)
    if only:
        wanted = {k.casefold().lstrip("@") for k in only}
        chosen = [a for a in chosen if a.key.casefold() in wanted]
        unknown = wanted - {a.key.casefold() for a in chosen}
        if unknown:
            known = ", ".join(a.key for a in config.accounts)
            raise ConfigError(
                where,
                [f"--account {k}: not in the config (known: {known})" for k in sorted(unknown)],
            )
    problems = [
        f"accounts[{config.accounts.index(a)}].source: missing: the path of {a.key}'s "
        'export, or "api" to read it live'
        for a in chosen
        if a.source is None
    ]
    problems += [
        f"accounts[{config.accounts.index(a)}].source: no live connector for {a.platform} "
        f"yet (live: {', '.join(CONNECTORS)}): give the path of its export"
        for a in chosen
        if a.live and a.platform not in CONNECTORS
    ]
    if problems:
        raise ConfigError(where, problems)
    return chosen


class LiveRun:
    """The live accounts of one audit: one post cache, opened for the run and closed after."""

    def __init__(
        self,
        refresh: bool = False,
        quiet: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.refresh = refresh
        self.quiet = quiet
        # where the run's lines go instead of stderr (the scheduler's log)
        self.log = log
        self.cache: PostCache | None = None

    def __enter__(self) -> LiveRun:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.cache is not None:
            self.cache.close()

    def notify(self, line: str) -> None:
        if self.log is not None:
            self.log(line)
        elif not self.quiet:
            sys.stderr.write(f"auditor: {line}\n")

    def source(self, cfg: AccountConfig) -> LiveSource:
        return LiveSource(f"{cfg.key} (API)", cfg.key, lambda: self.open(cfg))

    def open(self, cfg: AccountConfig) -> SourceImport:
        login = f"auditor login {cfg.platform} --account {cfg.key}"
        token = None
        if cfg.token:
            token = secrets.get_secret(cfg.token)
            if token is None:
                raise InputError(
                    cfg.key, f"no secret stored under {cfg.token}: run `{login}` to store one"
                )
        if self.cache is None:
            self.cache = PostCache()
        connector = connect(cfg, token, self.notify, f"run `{login}` to store a new one")
        return live_import(
            connector, self.cache, refresh=self.refresh, on_fetched=self._progress(cfg.key)
        )

    def _progress(self, key: str) -> Callable[[int, bool], None]:
        """Posts fetched so far, redrawn on a terminal; at the end one line, for logs too."""
        shown = Progress(enabled=not self.quiet, delay=0.0)
        shown.start(f"{key}: fetching")

        def report(count: int, done: bool) -> None:
            if not done:
                shown.update(count, unit="posts fetched")
                return
            shown.finish()
            self.notify(f"{key}: {count:,} posts fetched")

        return report
