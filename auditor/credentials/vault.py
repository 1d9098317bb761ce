"""Password managers' exports: Bitwarden (JSON and CSV), 1Password (CSV), Chrome and Edge
(CSV), Firefox (CSV), KeePass and KeePassXC (CSV).

Each file gives its logins: the site, the user name, the password and any TOTP field, and
when the password last changed where the export says. Passwords and TOTP secrets stay in
memory (`repr=False`) and never reach a report, a log line or an error message; an encrypted
export gets one line saying to export it without encryption and delete that file afterwards.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.credentials.authenticator import platforms

MAX_BYTES = 64 << 20
ENCRYPTED = (
    "is encrypted, so the auditor cannot read it: export it again without encryption "
    "(Bitwarden: File > Export vault > .json or .csv), run the audit on that file, then "
    "delete it"
)
# Column names per meaning, across the managers' CSV exports (compared case-insensitively).
COLUMNS = {
    "title": ("name", "title", "account"),
    "url": ("login_uri", "url", "web site", "website", "login url"),
    "username": ("login_username", "username", "login name", "user name"),
    "password": ("login_password", "password"),
    "totp": ("login_totp", "otpauth", "totp", "one-time password"),
    "changed": ("timepasswordchanged", "last modified", "modified", "password changed"),
}
KNOWN = {
    ("login_uri", "login_password"): "bitwarden-csv",
    ("httprealm", "timepasswordchanged"): "firefox",
    ("group", "title", "totp"): "keepassxc",
    ("account", "login name", "web site"): "keepass",
    ("title", "otpauth"): "1password",
    ("name", "url", "username", "password"): "chrome",
}


@dataclass(frozen=True)
class Login:
    title: str
    url: str
    username: str
    password: str = field(repr=False)
    totp: str | None = field(default=None, repr=False)
    changed: datetime | None = None

    @property
    def domain(self) -> str:
        return site_of(self.url) or self.title.casefold()

    def __str__(self) -> str:
        return self.domain or "(no site)"


@dataclass(frozen=True)
class VaultExport:
    path: str
    format: str | None
    logins: tuple[Login, ...] = ()
    error: str | None = None


def platform_of(login: Login, handle: str | None = None) -> str | None:
    """The audited platform a login is for, from its site (subdomains included), or for a
    Mastodon account, its instance."""
    site = site_of(login.url)
    if not site:
        return None
    if handle and "@" in handle:
        instance = handle.rpartition("@")[2].casefold()
        if site == instance or site.endswith("." + instance):
            return "mastodon"
    parts = site.split(".")
    for i in range(len(parts) - 1):
        parent = ".".join(parts[i:])
        for platform, info in platforms().items():
            if parent in info.names:
                return platform
    return None


@lru_cache(maxsize=4096)  # every check asks again for each login's site
def site_of(url: str) -> str:
    """The host of a login's address, without "www.", or "" when it has none."""
    text = url.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    host = (urlsplit(text).hostname or "").casefold()
    return host[4:] if host.startswith("www.") else host


def read(path: Path) -> VaultExport:
    where = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return _fail(where, None, "larger than 64 MB: not a password manager export")
        data = path.read_bytes()
    except OSError as exc:
        return _fail(where, None, f"cannot be read ({exc.strerror or exc})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _fail(where, None, f"not text: if it is an encrypted export, it {ENCRYPTED}")
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            return _fail(where, None, f"not valid JSON ({exc.msg}): export it again")
        return _bitwarden_json(where, doc)
    return _csv(where, text)


def _fail(where: str, fmt: str | None, message: str) -> VaultExport:
    return VaultExport(where, fmt, error=f"{where}: {message}")


def _bitwarden_json(where: str, doc: Any) -> VaultExport:
    if not isinstance(doc, dict) or "items" not in doc and "encrypted" not in doc:
        return _fail(where, None, "JSON, but not a Bitwarden export (no items)")
    if doc.get("encrypted"):
        return _fail(where, "bitwarden", f"this Bitwarden export {ENCRYPTED}")
    logins = []
    for item in doc.get("items") or ():
        login = item.get("login") if isinstance(item, dict) else None
        if not isinstance(login, dict) or not isinstance(login.get("password"), str):
            continue  # notes, cards, identities, and logins without a password
        uris = login.get("uris") or []
        url = next((u.get("uri") or "" for u in uris if isinstance(u, dict)), "")
        history = item.get("passwordHistory") or []
        changed = _time(history[0].get("lastUsedDate")) if history else None
        logins.append(
            Login(
                str(item.get("name") or ""),
                str(url),
                str(login.get("username") or ""),
                login["password"],
                login.get("totp") or None,
                changed or _time(item.get("revisionDate")),
            )
        )
    return VaultExport(where, "bitwarden", tuple(logins))


def _csv(where: str, text: str) -> VaultExport:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return _fail(where, None, f"not a readable CSV file ({exc}): export it again")
    if not rows:
        return _fail(where, None, "empty: export the vault again")
    header = [h.strip().casefold() for h in rows[0]]
    col = {
        meaning: next((header.index(n) for n in names if n in header), None)
        for meaning, names in COLUMNS.items()
    }
    if col["password"] is None:
        return _fail(
            where,
            None,
            "not a password manager export (no password column; expected a Bitwarden, "
            "1Password, Chrome, Edge, Firefox, KeePass or KeePassXC export)",
        )
    fmt = next((f for cols, f in KNOWN.items() if all(c in header for c in cols)), "csv")

    def cell(row: list[str], meaning: str) -> str:
        i = col[meaning]
        return row[i] if i is not None and i < len(row) else ""

    logins = []
    for row in rows[1:]:
        password = cell(row, "password")
        if not password:
            continue
        logins.append(
            Login(
                cell(row, "title"),
                cell(row, "url"),
                cell(row, "username"),
                password,
                cell(row, "totp") or None,
                _time(cell(row, "changed")),
            )
        )
    return VaultExport(where, fmt, tuple(logins))


def _time(value: object) -> datetime | None:
    """Firefox's milliseconds since 1970, or an ISO 8601 time (Bitwarden, KeePassXC)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        stamp = int(text)
        try:
            return datetime.fromtimestamp(stamp / 1000 if stamp > 10**11 else stamp, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
