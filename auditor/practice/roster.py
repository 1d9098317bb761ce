"""`roster.toml`: the practice, its policy and its members, checked like the config: every
problem is one line naming the key path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.config_fields import array, keys, positive_int, show, string, table
from auditor.errors import ConfigError

TWO_FACTOR_LEVELS = ("sms", "app", "key")


@dataclass(frozen=True)
class Policy:
    required_two_factor: str = "app"
    max_audit_age_days: int = 45
    personal_accounts_in_scope: bool = False
    # professional and practice accounts kept apart from personal life: a mixed-account
    # finding on one breaks the policy
    practice_accounts_separate: bool = True


@dataclass(frozen=True)
class Member:
    name: str
    email: str
    role: str | None
    summary: Path | None  # a file, or a folder to take the newest summary from


@dataclass(frozen=True)
class Roster:
    path: Path
    name: str
    policy: Policy
    members: tuple[Member, ...]
    # the identity providers to read staff MFA from: "microsoft" / "google" -> settings
    mfa: dict[str, dict[str, str]] = field(default_factory=dict)


# per identity provider: required keys, optional keys, and which hold keyring references
MFA_KEYS = {
    "microsoft": (("tenant", "client_id", "client_secret"), ("login_url", "graph_url")),
    "google": (("credentials",), ("customer", "admin_url", "token_url")),
}
SECRET_KEYS = ("client_secret", "credentials")


def load(path: Path) -> Roster:
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found: check the roster's path"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from exc
    return parse(raw, path)


def parse(raw: dict[str, Any], path: Path) -> Roster:
    problems: list[str] = []
    keys(raw, "", {"name", "policy", "members", "mfa"}, problems)
    name = string(raw, "name", "name", problems, required=True) or ""
    pol = table(raw, "policy", problems)
    keys(
        pol,
        "policy.",
        {
            "required_two_factor",
            "max_audit_age_days",
            "personal_accounts_in_scope",
            "practice_accounts_separate",
        },
        problems,
    )
    level = pol.get("required_two_factor", "app")
    if level not in TWO_FACTOR_LEVELS:
        problems.append(
            f"policy.required_two_factor: expected {'|'.join(TWO_FACTOR_LEVELS)}, got {show(level)}"
        )
        level = "app"
    flags = {}
    for flag, default in (
        ("personal_accounts_in_scope", False),
        ("practice_accounts_separate", True),
    ):
        value = pol.get(flag, default)
        if not isinstance(value, bool):
            problems.append(f"policy.{flag}: expected true or false, got {show(value)}")
            value = default
        flags[flag] = value
    policy = Policy(
        required_two_factor=level,
        max_audit_age_days=positive_int(
            pol, "max_audit_age_days", "policy.max_audit_age_days", 45, problems
        ),
        **flags,
    )
    members = []
    seen: dict[str, int] = {}
    for i, m in enumerate(array(raw, "members", problems)):
        where = f"members[{i}]"
        if not isinstance(m, dict):
            problems.append(f"{where}: expected a table ([[members]]), got {show(m)}")
            continue
        keys(m, f"{where}.", {"name", "email", "role", "summary"}, problems)
        who = string(m, "name", f"{where}.name", problems, required=True)
        email = string(m, "email", f"{where}.email", problems, required=True)
        if email is not None and "@" not in email:
            problems.append(f"{where}.email: expected an e-mail address, got {show(email)}")
            email = None
        if email is not None:
            if email.casefold() in seen:
                problems.append(
                    f"{where}.email: {email} is also members[{seen[email.casefold()]}]'s"
                )
            seen[email.casefold()] = i
        role = string(m, "role", f"{where}.role", problems)
        summary = string(m, "summary", f"{where}.summary", problems)
        where_summary = None
        if summary:
            where_summary = Path(summary).expanduser()
            if not where_summary.is_absolute():
                where_summary = path.parent / where_summary
        if who and email:
            members.append(Member(who, email, role, where_summary))
    mfa = _mfa(table(raw, "mfa", problems), problems)
    if not members and not problems:
        problems.append("members: none: add a [[members]] table for each member of staff")
    if problems:
        raise ConfigError(str(path), problems)
    return Roster(path, name, policy, tuple(members), mfa)


def _mfa(raw: dict[str, Any], problems: list[str]) -> dict[str, dict[str, str]]:
    keys(raw, "mfa.", set(MFA_KEYS), problems)
    found = {}
    for provider, (required, optional) in MFA_KEYS.items():
        if provider not in raw:
            continue
        given = raw[provider]
        where = f"mfa.{provider}"
        if not isinstance(given, dict):
            problems.append(f"{where}: expected a table ([{where}]), got {show(given)}")
            continue
        keys(given, f"{where}.", {*required, *optional}, problems)
        settings = {}
        for key in (*required, *optional):
            value = string(given, key, f"{where}.{key}", problems, required=key in required)
            if value is None:
                continue
            if key in SECRET_KEYS and not value.startswith("keyring:"):
                problems.append(
                    f"{where}.{key}: expected a keyring reference like keyring:{provider}/"
                    f"practice, not the secret itself: `auditor secrets set {provider}/practice`"
                )
            elif key.endswith("_url") and not value.startswith(
                ("https://", "http://127.0.0.1", "http://localhost")
            ):
                problems.append(f"{where}.{key}: expected an https:// address, got {show(value)}")
            else:
                settings[key] = value
        if all(k in settings for k in required):
            found[provider] = settings
    return found
