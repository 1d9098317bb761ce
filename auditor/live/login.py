"""`auditor login PLATFORM`: what to create on the platform (from `login.toml`), the secret
asked for without echo, checked with one read call as the account it must belong to, and only
then stored in the keyring under the name the config's `token` gives (or `PLATFORM/HANDLE`)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from auditor import secrets
from auditor.config import AccountConfig, Config, live_account
from auditor.errors import ConfigError, InputError
from auditor.live.audit import CONNECTORS, connect


@dataclass(frozen=True)
class Ask:
    key: str
    prompt: str
    secret: bool = False
    default: str = ""


@dataclass(frozen=True)
class Guide:
    platform: str
    credential: str
    steps: tuple[str, ...]
    note: str
    asks: tuple[Ask, ...]

    def lines(self, cfg: AccountConfig) -> list[str]:
        """The steps, numbered, with the account's host and handle filled in."""
        fill = _filler(cfg)
        return [f"{n}. {fill(step)}" for n, step in enumerate(self.steps, 1)]

    def combine(self, answers: dict[str, str]) -> str:
        """The secret to store: the one answer, or all of them as one JSON object."""
        if len(self.asks) == 1:
            return answers[self.asks[0].key]
        return json.dumps({a.key: answers[a.key] for a in self.asks if answers.get(a.key)})


@cache
def guides() -> dict[str, Guide]:
    raw = tomllib.loads(resources.files("auditor.live").joinpath("login.toml").read_text())
    return {
        platform: Guide(
            platform,
            table["credential"],
            tuple(table["steps"]),
            table.get("note", ""),
            tuple(Ask(**ask) for ask in table["asks"]),
        )
        for platform, table in raw.items()
    }


def _filler(cfg: AccountConfig) -> Callable[[str], str]:
    host = urlsplit(cfg.base_url or "").netloc
    return lambda text: text.replace("{host}", host).replace("{handle}", cfg.handle)


def default_for(ask: Ask, cfg: AccountConfig) -> str:
    return _filler(cfg)(ask.default)


def choose(
    config: Config, platform: str, key: str | None = None, handle: str | None = None
) -> AccountConfig:
    """The account to log in: `--account KEY`, or `--handle` (the config need not list it
    yet), or the config's only account on that platform."""
    if platform not in CONNECTORS:
        raise ConfigError(
            platform,
            [f"no live API for {platform} (live: {', '.join(CONNECTORS)}): audit its export"],
        )
    if handle:
        known = [a for a in config.accounts if a.platform == platform and a.live]
        match = [a for a in known if _same(a.handle, handle)]
        return match[0] if match else live_account(platform, handle)
    ours = [a for a in config.accounts if a.platform == platform]
    if key:
        ours = [a for a in ours if a.key.casefold() == key.casefold().lstrip("@")]
        if not ours:
            raise ConfigError(
                str(config.path or "config"),
                [f"--account {key}: not a {platform} account in the config"],
            )
    if not ours:
        raise ConfigError(
            str(config.path or "config"),
            [
                f"accounts: no {platform} account: add one with `auditor init`, or name it "
                f"with `auditor login {platform} --handle HANDLE`"
            ],
        )
    if len(ours) > 1:
        raise ConfigError(
            str(config.path or "config"),
            [
                f"accounts: {len(ours)} {platform} accounts: choose one with --account "
                + " or ".join(a.key for a in ours)
            ],
        )
    cfg = ours[0]
    if not cfg.live:
        return live_account(platform, cfg.handle)
    return cfg


def secret_name(cfg: AccountConfig) -> str:
    """Where the secret goes: the name the config's token gives, else PLATFORM/HANDLE."""
    if cfg.token:
        return cfg.token.removeprefix("keyring:")
    return f"{cfg.platform}/{cfg.handle.lstrip('@')}"


def check(cfg: AccountConfig, secret: str, notify: Callable[[str], None]) -> str:
    """Log in with the secret and read who it belongs to (one read call); raises InputError
    when the platform refuses it or it belongs to another account. Nothing is stored here."""
    credential = guides()[cfg.platform].credential
    fix = f"check what you copied, or create a new {credential}"
    who = connect(cfg, secret, notify, fix).whoami()
    if not _same(who, cfg.handle):
        raise InputError(
            cfg.key,
            f"the {guides()[cfg.platform].credential} belongs to {who}, not {cfg.handle}: "
            "sign in as the configured account and create it there",
        )
    return who


def store(cfg: AccountConfig, secret: str) -> str:
    name = secret_name(cfg)
    secrets.set_secret(name, secret)
    return name


def _same(a: str, b: str) -> bool:
    """One handle however it is written: "@Name", "name@instance", "u/name"."""

    def norm(h: str) -> str:
        return h.strip().lstrip("@").removeprefix("u/").casefold()

    a, b = norm(a), norm(b)
    if a == b:
        return True
    # a Mastodon handle given without its instance
    return ("@" in a) != ("@" in b) and a.partition("@")[0] == b.partition("@")[0]
