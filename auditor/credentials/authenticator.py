"""Authenticator apps' exports: Aegis (plain JSON), 2FAS (`.2fas`), andOTP (JSON), and text
files of `otpauth://` or Google Authenticator's `otpauth-migration://` URIs, one per line.

Each file gives its TOTP entries, the number of entries it could not use (with the reasons,
never the secrets), and at most one error line naming the file and what to do. An encrypted
export cannot be read: the message says to export it unencrypted, run the audit on that file,
and delete it afterwards.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.credentials import migration
from auditor.credentials.totp import EntryError, TotpEntry, from_uri, make_entry

MAX_BYTES = 16 << 20  # a vault of thousands of entries is well under a megabyte
ENCRYPTED = (
    "is encrypted, so the auditor cannot read it: export it again without encryption, "
    "run the audit on that file, then delete it"
)


@dataclass(frozen=True)
class AuthenticatorExport:
    path: str
    format: str | None  # aegis | 2fas | andotp | uri-list, or None when unreadable
    entries: tuple[TotpEntry, ...] = ()
    skipped: tuple[str, ...] = ()  # why each unusable entry was left out
    error: str | None = None


@dataclass(frozen=True)
class PlatformTotp:
    names: frozenset[str]
    digits: int | None  # None: the platform offers no TOTP
    period: int | None
    algorithm: str | None
    signs_in_with: str | None = None  # another platform whose login this one uses


@cache
def platforms() -> dict[str, PlatformTotp]:
    raw = tomllib.loads(
        resources.files("auditor.credentials").joinpath("platforms.toml").read_text("utf-8")
    )
    out = {}
    for name, v in raw.items():
        totp = v.get("totp")
        out[name] = PlatformTotp(
            frozenset(n.casefold() for n in v["names"]),
            int(totp["digits"]) if totp else None,
            int(totp["period"]) if totp else None,
            str(totp["algorithm"]) if totp else None,
            v.get("signs_in_with"),
        )
    return out


def login_platforms(platform: str) -> tuple[str, ...]:
    """The platforms whose second factor protects an account of `platform`: itself and, for
    Threads, Instagram (a Threads profile signs in with its Instagram account)."""
    info = platforms().get(platform)
    return (platform, info.signs_in_with) if info and info.signs_in_with else (platform,)


def platform_of(entry: TotpEntry, handle: str | None = None) -> str | None:
    """The audited platform an entry is for, from its issuer (or, without one, its name)."""
    issuer = entry.issuer.casefold().strip()
    label = issuer or entry.name.partition(":")[0].casefold().strip()
    for platform, info in platforms().items():
        if label in info.names and info.digits is not None:  # no TOTP, no TOTP entry for it
            return platform
    # a Mastodon entry is named after its instance: "mastodon.social", "med-mastodon.com"
    if handle and "@" in handle and label == handle.rpartition("@")[2].casefold():
        return "mastodon"
    return None


def read(path: Path) -> AuthenticatorExport:
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return AuthenticatorExport(
                where, None, error=f"{where}: larger than 16 MB: not an authenticator export"
            )
        data = path.read_bytes()
    except OSError as exc:
        return AuthenticatorExport(
            where, None, error=f"{where}: cannot be read ({exc.strerror or exc})"
        )
    if path.suffix.lower() == ".aes" or data[:4] in (b"AES\x00",):
        return _fail(where, None, f"{ENCRYPTED}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return AuthenticatorExport(
            where, None, error=f"{where}: not text: if it is an encrypted export, it {ENCRYPTED}"
        )
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            doc = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            return AuthenticatorExport(
                where, None, error=f"{where}: not valid JSON ({exc.msg}): export it again"
            )
        return _from_json(where, doc)
    if "otpauth" in stripped[:4096].lower():
        return _collect(where, "uri-list", _uris(stripped.splitlines()))
    return AuthenticatorExport(
        where,
        None,
        error=(
            f"{where}: not an authenticator export (expected Aegis or andOTP JSON, a .2fas "
            "file, or otpauth:// URIs one per line)"
        ),
    )


def weak_reasons(entry: TotpEntry, platform: str | None) -> list[str]:
    """Why an entry is weaker than it should be, in words (never its secret)."""
    reasons = []
    if entry.kind == "totp" and entry.secret_bits < 128:
        reasons.append(f"its secret is {entry.secret_bits} bits, under the 128 RFC 4226 asks for")
    info = platforms().get(platform or "")
    if info is not None and info.digits is not None and entry.kind == "totp":
        if entry.digits != info.digits:
            reasons.append(f"{entry.digits} digits where the platform uses {info.digits}")
        if entry.period != info.period:
            reasons.append(f"a {entry.period} s period where the platform uses {info.period} s")
        if entry.algorithm != info.algorithm:
            reasons.append(f"{entry.algorithm} where the platform uses {info.algorithm}")
    return reasons


def shared_secrets(entries: Iterable[TotpEntry]) -> dict[str, list[TotpEntry]]:
    """Entries that share one secret, grouped (keyed by an opaque index, not the secret)."""
    groups: dict[str, list[TotpEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.secret, []).append(entry)
    return {str(n): g for n, g in enumerate(g for g in groups.values() if len(g) > 1)}


def _fail(where: str, fmt: str | None, message: str) -> AuthenticatorExport:
    return AuthenticatorExport(where, fmt, error=f"{where}: {message}")


def _from_json(where: str, doc: Any) -> AuthenticatorExport:
    if isinstance(doc, dict) and isinstance(doc.get("db"), (dict, str)) and "header" in doc:
        header = doc.get("header") or {}
        if isinstance(doc["db"], str) or (isinstance(header, dict) and header.get("slots")):
            return AuthenticatorExport(
                where, "aegis", error=f"{where}: this Aegis export {ENCRYPTED}"
            )
        return _collect(where, "aegis", _aegis(doc["db"].get("entries") or []))
    if isinstance(doc, dict) and ("services" in doc or "servicesEncrypted" in doc):
        if doc.get("servicesEncrypted") and not doc.get("services"):
            return AuthenticatorExport(
                where, "2fas", error=f"{where}: this 2FAS backup {ENCRYPTED}"
            )
        return _collect(where, "2fas", _twofas(doc.get("services") or []))
    if isinstance(doc, list) and all(isinstance(e, dict) for e in doc):
        if doc and not any("secret" in e for e in doc):
            return AuthenticatorExport(
                where, None, error=f"{where}: a JSON list without secrets: not an andOTP export"
            )
        return _collect(where, "andotp", _andotp(doc))
    return AuthenticatorExport(
        where,
        None,
        error=f"{where}: JSON, but not an Aegis, 2FAS or andOTP export (its top level is not one)",
    )


def _collect(where: str, fmt: str, items: Iterator[TotpEntry | EntryError]) -> AuthenticatorExport:
    entries: list[TotpEntry] = []
    reasons: Counter[str] = Counter()
    error = None
    try:
        for item in items:
            if isinstance(item, TotpEntry):
                entries.append(item)
            else:
                reasons[str(item)] += 1
    except EntryError as exc:
        error = f"{where}: {exc}; the entries before it were read"
    skipped = tuple(f"{n} entr{'y' if n == 1 else 'ies'}: {r}" for r, n in reasons.items())
    return AuthenticatorExport(where, fmt, tuple(entries), skipped, error)


def _guard(make: Any) -> TotpEntry | EntryError:
    try:
        return make()
    except EntryError as exc:
        return exc
    except (AttributeError, TypeError, ValueError):
        return EntryError("a record of an unexpected shape")


def _aegis(items: list[Any]) -> Iterator[TotpEntry | EntryError]:
    for e in items:
        info = e.get("info") if isinstance(e, dict) else None
        if not isinstance(info, dict):
            yield EntryError("a record of an unexpected shape")
            continue
        yield _guard(
            lambda e=e, info=info: make_entry(
                e.get("issuer"),
                e.get("name"),
                info.get("secret"),
                digits=info.get("digits", 6),
                period=info.get("period", 30),
                algorithm=info.get("algo", "SHA1"),
                kind=e.get("type", "totp"),
            )
        )


def _twofas(items: list[Any]) -> Iterator[TotpEntry | EntryError]:
    for s in items:
        otp = s.get("otp") if isinstance(s, dict) else None
        if not isinstance(otp, dict):
            otp = {}
        yield _guard(
            lambda s=s, otp=otp: make_entry(
                otp.get("issuer") or s.get("name"),
                otp.get("account") or otp.get("label"),
                s.get("secret"),
                digits=otp.get("digits", 6),
                period=otp.get("period", 30),
                algorithm=otp.get("algorithm", "SHA1"),
                kind=otp.get("tokenType", "TOTP"),
            )
        )


def _andotp(items: list[Any]) -> Iterator[TotpEntry | EntryError]:
    for e in items:
        label = str(e.get("label") or "")
        issuer = e.get("issuer") or (label.partition(":")[0] if ":" in label else "")
        name = label.partition(":")[2] if ":" in label else label
        yield _guard(
            lambda e=e, issuer=issuer, name=name: make_entry(
                issuer,
                name,
                e.get("secret"),
                digits=e.get("digits", 6),
                period=e.get("period", 30),
                algorithm=e.get("algorithm", "SHA1"),
                kind=e.get("type", "TOTP"),
            )
        )


def _uris(lines: list[str]) -> Iterator[TotpEntry | EntryError]:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("otpauth-migration:"):
            try:
                yield from migration.entries(line)
            except EntryError as exc:
                yield exc
        elif line.lower().startswith("otpauth:"):
            yield _guard(lambda line=line: from_uri(line))
        else:
            yield EntryError("a line that is not an otpauth:// URI")
