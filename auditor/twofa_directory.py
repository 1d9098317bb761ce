"""The 2fa.directory data set: which second factors each site supports, and where its how-to
is. The snapshot bundled with the package (auditor/data/twofa_directory.json, MIT licence, its
provenance beside it) is used until `auditor data update` fetches the project's hosted API
(`/v4/all.json`, the same records) into the user data directory; a newer copy there wins.

Loaded once. A site is looked up by domain, then by its parent domains ("accounts.x.com"
finds "x.com"). An empty record means the directory lists the site as offering no 2FA.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

from auditor import net

SNAPSHOT_DATE = date(2026, 8, 5)  # the bundled snapshot's upstream commit date (PROVENANCE)
API_PATH = "/v4/all.json"
# A fetched data set smaller than this, or without these platforms, is not the directory (an
# error page, a truncated answer, a moved API): it is refused and the current one kept.
MIN_SITES = 1000
MUST_LIST = ("x.com", "facebook.com", "instagram.com", "linkedin.com", "reddit.com")
MAX_BYTES = 64 << 20
# Strongest first. A security key resists phishing; an authenticator app resists SIM swaps;
# a platform's own app is about as strong as TOTP; codes by e-mail, text or call are weakest.
STRENGTH = ("u2f", "totp", "custom-hardware", "custom-software", "email", "sms", "call")
LABELS = {
    "u2f": "a security key (passkey / WebAuthn)",
    "totp": "an authenticator app (TOTP)",
    "custom-hardware": "the platform's own hardware token",
    "custom-software": "the platform's own app",
    "email": "codes by e-mail",
    "sms": "codes by text message",
    "call": "codes by phone call",
}


@dataclass(frozen=True)
class Site:
    domain: str
    methods: tuple[str, ...]  # strongest first
    documentation: str | None = None
    notes: str | None = None

    @property
    def strongest(self) -> str | None:
        return self.methods[0] if self.methods else None


@dataclass(frozen=True)
class DataSet:
    """The directory in use: its records, how old it is, and where it came from."""

    entries: dict[str, dict[str, object]]
    snapshot: date
    source: str  # "bundled", or the address it was fetched from
    note: str | None = None  # why a fetched copy was not used

    def describe(self) -> str:
        if self.source == "bundled":
            return f"the bundled snapshot of {self.snapshot.isoformat()}"
        return f"fetched from {self.source} on {self.snapshot.isoformat()}"


def user_copy() -> Path:
    return Path(platformdirs.user_data_dir("auditor")) / "twofa_directory.json"


def _meta_file(path: Path) -> Path:
    return path.with_suffix(".meta.json")


@cache
def current() -> DataSet:
    """The fetched copy when there is a sound one newer than the bundled snapshot, else the
    bundled snapshot (with a note when a fetched copy had to be passed over)."""
    text = resources.files("auditor.data").joinpath("twofa_directory.json").read_text("utf-8")
    bundled = DataSet(json.loads(text), SNAPSHOT_DATE, "bundled")
    path = user_copy()
    if not path.exists():
        return bundled
    try:
        meta = json.loads(_meta_file(path).read_text("utf-8"))
        fetched = datetime.fromisoformat(meta["fetched_at"]).date()
        entries = validate(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        note = f"{path}: unreadable ({exc}); using the bundled snapshot: run `auditor data update`"
        return DataSet(bundled.entries, bundled.snapshot, "bundled", note)
    if fetched < SNAPSHOT_DATE:
        return bundled
    return DataSet(entries, fetched, str(meta.get("source") or path))


def validate(data: object) -> dict[str, dict[str, object]]:
    """The data set if it has the directory's shape; ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object of sites")
    if len(data) < MIN_SITES:
        raise ValueError(f"only {len(data)} sites (the directory lists thousands)")
    missing = [d for d in MUST_LIST if d not in data]
    if missing:
        raise ValueError(f"no record for {', '.join(missing)}")
    for domain, rec in data.items():
        methods = rec.get("methods", []) if isinstance(rec, dict) else None
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise ValueError(f"the record of {domain!r} is not a site record")
    return data


@dataclass(frozen=True)
class Updated:
    sites: int
    path: Path
    source: str
    sha256: str


def update(base_url: str, now: datetime | None = None) -> Updated:
    """Fetch the directory from `base_url` (the hosted API, or a mirror from `[endpoints]`),
    check its shape, and replace the user copy atomically (owner-only). Raises
    net.ServiceError, one line, and leaves the copy in use untouched when anything fails."""
    url = base_url.rstrip("/") + API_PATH
    host = url.split("/")[2] if "//" in url else url
    resp = net.get(url, headers={"Accept": "application/json"})
    body = resp.content
    if len(body) > MAX_BYTES:
        raise net.ServiceError(f"{host}: the answer is over {MAX_BYTES >> 20} MB; not used")
    try:
        entries = validate(json.loads(body))
    except ValueError as exc:
        raise net.ServiceError(
            f"{host}: the answer is not the 2fa.directory data set ({exc}); the current one "
            "is kept: check [endpoints] twofa_directory"
        ) from None
    path = user_copy()
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body).hexdigest()
    meta = {
        "fetched_at": (now or datetime.now(UTC)).isoformat(),
        "source": url,
        "sites": len(entries),
        "sha256": digest,
    }
    _write(path, body)
    _write(_meta_file(path), json.dumps(meta, indent=2).encode())
    current.cache_clear()
    return Updated(len(entries), path, url, digest)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def lookup(domain: str) -> Site | None:
    """The directory's record for a domain or its nearest parent; None when not listed."""
    name = domain.casefold().strip().rstrip(".")
    if name.startswith("www."):
        name = name[4:]
    entries = current().entries
    while name:
        rec = entries.get(name)
        if rec is not None:
            methods = [m for m in rec.get("methods", ()) if m in STRENGTH]  # type: ignore[union-attr]
            methods.sort(key=STRENGTH.index)
            doc, notes = rec.get("documentation"), rec.get("notes")
            return Site(
                name,
                tuple(methods),
                doc if isinstance(doc, str) else None,
                notes if isinstance(notes, str) else None,
            )
        _, _, name = name.partition(".")
        if "." not in name:
            return None
    return None


def age_days(today: date) -> int:
    return (today - current().snapshot).days


def rank(method: str) -> int:
    """Lower is stronger; a method the directory does not know ranks last."""
    return STRENGTH.index(method) if method in STRENGTH else len(STRENGTH)
