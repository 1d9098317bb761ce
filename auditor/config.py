"""The user's config file: read, validated before any work, every problem named by key path."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import platformdirs

from auditor.config_fields import array as _array
from auditor.config_fields import keys as _keys
from auditor.config_fields import show as _show
from auditor.config_fields import string as _str
from auditor.config_fields import table as _table
from auditor.errors import ConfigError
from auditor.model import ROLES, Mute, Severity
from auditor.schedule import settings as schedule_settings
from auditor.schedule.settings import ScheduleConfig

# The services the auditor may call, and their default base URLs (`[endpoints]` overrides).
ENDPOINTS = {
    "pwned_passwords": "https://api.pwnedpasswords.com",
    "hibp": "https://haveibeenpwned.com/api/v3",
    "twofa_directory": "https://api.2fa.directory",
}

# The platforms `auditor audit` can read live (source = "api"), with each one's default base
# URL (a Mastodon account's comes from its handle's instance), and those that need a token.
LIVE_DEFAULTS = {
    "mastodon": "",
    "bluesky": "https://public.api.bsky.app",
    "x": "https://api.x.com",
    "reddit": "https://oauth.reddit.com",
}
TOKEN_REQUIRED = ("x", "reddit")

# What a user may say their second factor is: none, text messages, an authenticator app, a
# security key (as `security.two-factor` names them).
TWO_FACTOR = ("none", "sms", "totp", "key")
PLATFORMS = (
    "x",
    "facebook",
    "instagram",
    "threads",
    "linkedin",
    "mastodon",
    "bluesky",
    "reddit",
    "tiktok",
)


@dataclass(frozen=True)
class AccountConfig:
    platform: str
    handle: str
    role: str
    # what the user says their second factor is, and when they last looked (self-attested)
    two_factor: str | None = None
    two_factor_checked: date | None = None
    # where `auditor audit` reads the account: an export's path, or "api" (a live connector,
    # at base_url, with the token a keyring:SERVICE/NAME reference names)
    source: str | None = None
    base_url: str | None = None
    token: str | None = None
    # whether the summary for the employer (`--share`) names the handle; None: only for
    # professional and practice accounts, never a personal one
    share_handle: bool | None = None

    @property
    def shares_handle(self) -> bool:
        return self.share_handle if self.share_handle is not None else self.role != "personal"

    @property
    def key(self) -> str:
        """The account's key, as reports and `auditor audit --account` name it."""
        return f"{self.platform}:{self.handle}"

    @property
    def live(self) -> bool:
        return self.source == "api"


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    owner_name: str | None = None
    practice: str | None = None
    accounts: tuple[AccountConfig, ...] = ()
    disabled_checks: frozenset[str] = frozenset()
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    mutes: tuple[Mute, ...] = ()
    old_post_years: int = 5
    # base URLs of the services the auditor may call, for mirrors and tests
    endpoints: dict[str, str] = field(default_factory=lambda: dict(ENDPOINTS))
    # credential exports read on every scan, as if given with --authenticator / --passwords
    authenticators: tuple[Path, ...] = ()
    # keyring:SERVICE/NAME of the optional Have I Been Pwned API key (the reference, never
    # the key): with it, security.email-breached asks which breaches hold your e-mails
    hibp_api_key: str | None = None
    password_exports: tuple[Path, ...] = ()
    # where the audit history is kept (`[history] path`); None: the user data directory
    history_path: Path | None = None
    # `auditor schedule`: when, which reports where, and whom to mail (`[schedule]`)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    owner_email: str | None = None
    # the summary for the employer (`[share]`): where every scheduled run writes it, and
    # whether it counts posts about working conditions (left out unless the member opts in)
    share_path: Path | None = None
    share_working_conditions: bool = False

    def account_role(self, platform: str, handle: str | None) -> str | None:
        """The configured role of an account; a handle-less source takes the platform's only one."""
        found = self.account(platform, handle)
        return found.role if found else None

    def account(self, platform: str, handle: str | None) -> AccountConfig | None:
        """The configured account; a handle-less source takes the platform's only one."""
        same = [a for a in self.accounts if a.platform == platform]
        if handle:
            wanted = handle.lower().lstrip("@")
            for a in same:
                given = a.handle.lower().lstrip("@")
                # "ann" in the config names "ann@example.social" (a fediverse handle)
                if given == wanted or ("@" not in given and wanted.split("@")[0] == given):
                    return a
            return None
        return same[0] if len(same) == 1 else None


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("auditor")) / "config.toml"


def load(path: Path | None) -> Config:
    """The config at `path`, or at the default location if it exists, else an empty one."""
    explicit = path is not None
    path = path or default_path()
    if not path.exists():
        if explicit:
            raise ConfigError(str(path), ["file not found: check the --config path"])
        return Config()
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from exc
    return parse(raw, path)


def parse(raw: dict[str, Any], path: Path | None = None) -> Config:
    problems: list[str] = []
    _keys(
        raw,
        "",
        {
            "owner",
            "accounts",
            "checks",
            "mutes",
            "endpoints",
            "credentials",
            "hibp",
            "history",
            "schedule",
            "share",
        },
        problems,
    )

    owner = _table(raw, "owner", problems)
    _keys(owner, "owner.", {"name", "practice", "email"}, problems)
    name = _str(owner, "name", "owner.name", problems)
    practice = _str(owner, "practice", "owner.practice", problems)
    email = _str(owner, "email", "owner.email", problems)
    if email is not None and "@" not in email:
        problems.append(f"owner.email: expected an e-mail address, got {_show(email)}")

    accounts: list[AccountConfig] = []
    for i, acc in enumerate(_array(raw, "accounts", problems)):
        where = f"accounts[{i}]"
        if not isinstance(acc, dict):
            problems.append(f"{where}: expected a table ([[accounts]]), got {_show(acc)}")
            continue
        _keys(
            acc,
            f"{where}.",
            {
                "platform",
                "handle",
                "role",
                "two_factor",
                "two_factor_checked",
                "source",
                "base_url",
                "token",
                "share_handle",
            },
            problems,
        )
        share_handle = acc.get("share_handle")
        if share_handle is not None and not isinstance(share_handle, bool):
            problems.append(
                f"{where}.share_handle: expected true or false, got {_show(share_handle)}"
            )
            share_handle = None
        platform = _str(acc, "platform", f"{where}.platform", problems, required=True)
        if platform is not None and platform not in PLATFORMS:
            problems.append(
                f"{where}.platform: expected {'|'.join(PLATFORMS)}, got {_show(platform)}"
            )
        handle = _str(acc, "handle", f"{where}.handle", problems, required=True)
        role = _str(acc, "role", f"{where}.role", problems, required=True)
        if role is not None and role not in ROLES:
            problems.append(f"{where}.role: expected {'|'.join(ROLES)}, got {_show(role)}")
        two_factor = _str(acc, "two_factor", f"{where}.two_factor", problems)
        if two_factor is not None and two_factor not in TWO_FACTOR:
            problems.append(
                f"{where}.two_factor: expected {'|'.join(TWO_FACTOR)}, got {_show(two_factor)}"
            )
            two_factor = None
        checked = acc.get("two_factor_checked")
        if checked is not None and (not isinstance(checked, date) or isinstance(checked, datetime)):
            problems.append(
                f"{where}.two_factor_checked: expected a date (2026-01-31, no quotes), "
                f"got {_show(checked)}"
            )
            checked = None
        if checked is not None and two_factor is None:
            problems.append(f"{where}.two_factor_checked: given without two_factor")
        source, base_url, token = _source(acc, where, platform, handle, problems)
        if platform and handle and role in ROLES and platform in PLATFORMS:
            accounts.append(
                AccountConfig(
                    platform,
                    handle.lstrip("@"),
                    role,
                    two_factor,
                    checked,
                    source,
                    base_url,
                    token,
                    share_handle,
                )
            )

    checks = _table(raw, "checks", problems)
    _keys(checks, "checks.", {"disabled", "severity", "old_post_years"}, problems)
    old_years = checks.get("old_post_years", 5)
    if isinstance(old_years, bool) or not isinstance(old_years, int) or old_years < 1:
        problems.append(
            f"checks.old_post_years: expected a whole number of years (1 or more), "
            f"got {_show(old_years)}"
        )
        old_years = 5
    disabled = checks.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
        problems.append(f"checks.disabled: expected a list of check ids, got {_show(disabled)}")
        disabled = []
    overrides: dict[str, Severity] = {}
    sev = checks.get("severity", {})
    if not isinstance(sev, dict):
        problems.append(
            f"checks.severity: expected a table of check id = severity, got {_show(sev)}"
        )
        sev = {}
    for check_id, value in sev.items():
        try:
            overrides[check_id] = Severity.parse(value) if isinstance(value, str) else _bad()
        except ValueError:
            levels = "|".join(s.value for s in Severity)
            problems.append(f'checks.severity."{check_id}": expected {levels}, got {_show(value)}')

    mutes: list[Mute] = []
    for i, m in enumerate(_array(raw, "mutes", problems)):
        where = f"mutes[{i}]"
        if not isinstance(m, dict):
            problems.append(f"{where}: expected a table ([[mutes]]), got {_show(m)}")
            continue
        _keys(m, f"{where}.", {"fingerprint", "reason", "until"}, problems)
        fp = _str(m, "fingerprint", f"{where}.fingerprint", problems, required=True)
        reason = _str(m, "reason", f"{where}.reason", problems, required=True)
        until = m.get("until")
        if isinstance(until, datetime):
            until = until.date()
        if until is not None and not isinstance(until, date):
            problems.append(f"{where}.until: expected a date like 2027-01-31, got {_show(until)}")
            until = None
        if fp and reason:
            mutes.append(Mute(fp, reason, until))

    endpoints = dict(ENDPOINTS)
    given = _table(raw, "endpoints", problems)
    _keys(given, "endpoints.", set(ENDPOINTS), problems)
    for key in ENDPOINTS:
        url = _str(given, key, f"endpoints.{key}", problems)
        if url is None:
            continue
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            problems.append(
                f"endpoints.{key}: expected an https:// address (plain http only on "
                f"127.0.0.1 or localhost), got {_show(url)}"
            )
        else:
            endpoints[key] = url.rstrip("/")

    creds = _table(raw, "credentials", problems)
    _keys(creds, "credentials.", {"authenticator", "passwords"}, problems)
    found: dict[str, tuple[Path, ...]] = {}
    for key in ("authenticator", "passwords"):
        value = creds.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"credentials.{key}: expected a list of file paths, got {_show(value)}")
            value = []
        found[key] = tuple(Path(v).expanduser() for v in value)

    hibp = _table(raw, "hibp", problems)
    _keys(hibp, "hibp.", {"api_key"}, problems)
    hibp_key = _str(hibp, "api_key", "hibp.api_key", problems)
    if hibp_key is not None and not hibp_key.startswith("keyring:"):
        # a key written into a file would sit in backups and dotfile repositories
        problems.append(
            "hibp.api_key: expected a keyring reference like keyring:hibp/api-key, not the key "
            "itself: store it with `auditor secrets set hibp/api-key`"
        )
        hibp_key = None

    history = _table(raw, "history", problems)
    _keys(history, "history.", {"path"}, problems)
    history_at = _str(history, "path", "history.path", problems)
    schedule = schedule_settings.parse(_table(raw, "schedule", problems), problems)
    share = _table(raw, "share", problems)
    _keys(share, "share.", {"path", "working_conditions"}, problems)
    share_at = _str(share, "path", "share.path", problems)
    working = share.get("working_conditions", False)
    if not isinstance(working, bool):
        problems.append(f"share.working_conditions: expected true or false, got {_show(working)}")
        working = False

    if problems:
        raise ConfigError(str(path or "config"), problems)
    return Config(
        history_path=Path(history_at).expanduser() if history_at else None,
        schedule=schedule,
        owner_email=email,
        share_path=Path(share_at).expanduser() if share_at else None,
        share_working_conditions=working,
        hibp_api_key=hibp_key,
        authenticators=found["authenticator"],
        password_exports=found["passwords"],
        endpoints=endpoints,
        path=path,
        owner_name=name,
        practice=practice,
        accounts=tuple(accounts),
        disabled_checks=frozenset(disabled),
        severity_overrides=overrides,
        mutes=tuple(mutes),
        old_post_years=old_years,
    )


def unknown_checks(config: Config, known: set[str]) -> list[str]:
    """Problems for check ids in [checks] that no installed check has (a typo runs the check)."""
    problems = []
    for i, check_id in enumerate(sorted(config.disabled_checks)):
        if check_id not in known:
            problems.append(
                f"checks.disabled[{i}]: unknown check {check_id!r} (see `auditor checks`)"
            )
    for check_id in config.severity_overrides:
        if check_id not in known:
            problems.append(f'checks.severity."{check_id}": unknown check (see `auditor checks`)')
    return problems


def _bad() -> Severity:
    raise ValueError


def live_account(platform: str, handle: str, role: str = "personal") -> AccountConfig:
    """An account to read live that the config does not (yet) list, as `auditor login
    --handle` names it: the platform's default base URL, no token yet."""
    problems: list[str] = []
    # no token required: the token is what `auditor login` makes
    _, base_url, _ = _source({"source": "api"}, "--handle", platform, handle, problems, False)
    if problems or base_url is None:
        raise ConfigError("--handle", problems or [f"{platform}: no live API"])
    return AccountConfig(platform, handle.lstrip("@"), role, source="api", base_url=base_url)


def _source(
    acc: dict[str, Any],
    where: str,
    platform: str | None,
    handle: str | None,
    problems: list[str],
    require_token: bool = True,
) -> tuple[str | None, str | None, str | None]:
    """An account's `source`, `base_url` and `token`, checked: "api" only where a connector
    exists, an https base URL (the platform's default, or a Mastodon handle's instance), and a
    token only as a keyring reference."""
    source = _str(acc, "source", f"{where}.source", problems)
    base_url = _str(acc, "base_url", f"{where}.base_url", problems)
    token = _str(acc, "token", f"{where}.token", problems)
    if source != "api":
        for key, given in (("base_url", base_url), ("token", token)):
            if given is not None:
                problems.append(f'{where}.{key}: only with source = "api"')
        return (str(Path(source).expanduser()) if source else None), None, None
    if platform not in LIVE_DEFAULTS:
        if platform in PLATFORMS:
            problems.append(
                f"{where}.source: {platform} has no live API connector (live: "
                f"{', '.join(LIVE_DEFAULTS)}): give the path of its export instead"
            )
        return None, None, None
    if base_url is None:
        base_url = LIVE_DEFAULTS[platform]
        if platform == "mastodon":
            instance = (handle or "").lstrip("@").partition("@")[2]
            if not instance:
                problems.append(
                    f"{where}.base_url: missing: the Mastodon instance, e.g. "
                    '"https://mastodon.social" (or a handle like "name@mastodon.social")'
                )
                return None, None, None
            base_url = f"https://{instance}"
    if not base_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        problems.append(
            f"{where}.base_url: expected an https:// address (plain http only on 127.0.0.1 or "
            f"localhost), got {_show(base_url)}"
        )
        return None, None, None
    user = (handle or "HANDLE").lstrip("@")
    if token is not None and not token.startswith("keyring:"):
        problems.append(
            f"{where}.token: expected a keyring reference like keyring:{platform}/{user}, not "
            f"the token itself: store it with `auditor login {platform}`"
        )
        token = None
    elif token is None and platform in TOKEN_REQUIRED and require_token:
        problems.append(
            f"{where}.token: missing: {platform}'s API needs one: run `auditor login {platform}` "
            f'and give token = "keyring:{platform}/{user}"'
        )
    return "api", base_url.rstrip("/"), token
