"""`auditor init`: a starter config from the user's answers or from flags, checked by the same
validation `auditor audit` runs, written owner-only, and the next steps said."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor import config as config_mod
from auditor.errors import AuditorError, ConfigError
from auditor.live.login import guides
from auditor.model import ROLES

# what `--account PLATFORM:HANDLE key=value ...` may say of an account
KEYS = ("role", "source", "base_url", "token")


@dataclass(frozen=True)
class AccountSpec:
    platform: str
    handle: str
    role: str
    source: str
    base_url: str | None = None
    token: str | None = None


def parse_spec(words: Sequence[str]) -> AccountSpec:
    """`PLATFORM:HANDLE key=value ...`, as `--account` takes it, e.g.
    `mastodon:drjlee@med.social role=personal source=api`."""
    head, *rest = words
    platform, sep, handle = head.partition(":")
    if not sep or not platform or not handle:
        raise AuditorError(f"--account {head}: expected PLATFORM:HANDLE, e.g. x:DrMayaOkafor")
    given: dict[str, str] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep or key not in KEYS:
            raise AuditorError(
                f"--account {head}: {word!r}: expected one of {', '.join(k + '=' for k in KEYS)}"
            )
        given[key] = value
    return spec_for(platform.casefold(), handle, given)


def spec_for(platform: str, handle: str, given: dict[str, str]) -> AccountSpec:
    source = given.get("source")
    if source is None:  # live where a connector exists; otherwise the export's path, later
        source = "api" if platform in config_mod.LIVE_DEFAULTS else ""
    token = given.get("token")
    if token is None and source == "api" and platform in config_mod.TOKEN_REQUIRED:
        token = f"keyring:{platform}/{handle.lstrip('@')}"  # `auditor login` stores it there
    return AccountSpec(
        platform,
        handle.lstrip("@"),
        given.get("role") or "personal",
        source,
        given.get("base_url"),
        token,
    )


def ask_accounts(ask: Callable[[str], str], say: Callable[[str], None]) -> list[AccountSpec]:
    """The accounts, one question at a time; an empty platform ends the list."""
    specs: list[AccountSpec] = []
    live = ", ".join(config_mod.LIVE_DEFAULTS)
    say(f"Platforms: {', '.join(config_mod.PLATFORMS)} (read live from the API: {live}).")
    while True:
        platform = ask("Platform of an account (empty to finish): ").strip().casefold()
        if not platform:
            return specs
        if platform not in config_mod.PLATFORMS:
            say(f"  not a platform the auditor reads: {', '.join(config_mod.PLATFORMS)}")
            continue
        handle = ask("  Handle (without @; a Mastodon one with its instance): ").strip()
        if not handle:
            continue
        role = ""
        while role not in ROLES:
            role = ask(f"  Role ({'/'.join(ROLES)}) [personal]: ").strip().casefold() or "personal"
        if platform in config_mod.LIVE_DEFAULTS:
            where = ask("  Source: the export's path, or empty to read it live from the API: ")
        else:
            where = ask("  Source: the path of its data export (empty: add it later): ")
        given = {"role": role}
        if where.strip():
            given["source"] = where.strip()
        specs.append(spec_for(platform, handle, given))


def render(specs: Sequence[AccountSpec], owner: str | None = None) -> str:
    lines = [
        "# footprint-auditor configuration, written by `auditor init`.",
        "# Every key is explained in config.example.toml (in the project) and the README.",
        "",
    ]
    if owner:
        lines += ["[owner]", f"name = {_quote(owner)}", ""]
    for spec in specs:
        lines += [
            "[[accounts]]",
            f"platform = {_quote(spec.platform)}",
            f"handle = {_quote(spec.handle)}",
            f"role = {_quote(spec.role)}",
        ]
        if spec.source:
            lines.append(f"source = {_quote(spec.source)}")
        if spec.base_url:
            lines.append(f"base_url = {_quote(spec.base_url)}")
        if spec.token:
            lines.append(f"token = {_quote(spec.token)}")
        lines.append("")
    return "\n".join(lines)


def write(path: Path, text: str, force: bool = False) -> config_mod.Config:
    """Validate the text as a config, then write it owner-only; an existing file is kept
    unless `force`."""
    if path.exists() and not force:
        raise AuditorError(f"{path}: a config is already there: edit it, or pass --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.new")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as out:
        out.write(text)
    try:
        loaded = config_mod.load(scratch)
    except ConfigError:
        scratch.unlink()
        raise
    os.replace(scratch, path)
    return loaded


def next_steps(config: config_mod.Config, path: Path, default: bool) -> list[str]:
    flag = "" if default else f" --config {path}"
    steps = []
    for acc in config.accounts:
        if acc.live and acc.platform in guides():
            credential = guides()[acc.platform].credential
            why = (
                f"store {credential}: its API needs one"
                if acc.platform in config_mod.TOKEN_REQUIRED
                else f"optional: {credential} shows more than the public posts"
            )
            steps.append(f"auditor login {acc.platform} --account {acc.key}{flag}  ({why})")
        elif acc.source is None:
            steps.append(f"add the path of {acc.key}'s export as its source in {path}")
    steps.append(f"auditor audit{flag}  (audit every account)")
    return steps


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
