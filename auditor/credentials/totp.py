"""One TOTP entry from an authenticator export, parsed and checked with pyotp."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp

ALGORITHMS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
MIN_SECRET_BITS = 128  # RFC 4226 section 4: at least 128 bits, 160 recommended


class _AnyLength(pyotp.TOTP):
    """pyotp refuses secrets under 112 bits; an export holds them anyway, and this check
    computes a code with them so they can be reported as weak rather than unreadable."""

    min_secret_length_bits = 8


class EntryError(ValueError):
    """An entry that is not a usable TOTP secret; the message never holds the secret."""


@dataclass(frozen=True)
class TotpEntry:
    issuer: str
    name: str  # the account name in the app, often the user's handle or e-mail
    secret: str = field(repr=False)  # base32, upper case, no padding; never shown anywhere
    digits: int = 6
    period: int = 30
    algorithm: str = "SHA1"
    kind: str = "totp"  # totp | hotp | steam | ...: only totp is validated as such

    @property
    def secret_bits(self) -> int:
        return len(_decode(self.secret)) * 8

    def __str__(self) -> str:
        return f"{self.issuer or '(no issuer)'}: {self.name or '(no name)'}"


def make_entry(
    issuer: str | None,
    name: str | None,
    secret: str | bytes | None,
    *,
    digits: object = 6,
    period: object = 30,
    algorithm: object = "SHA1",
    kind: object = "totp",
) -> TotpEntry:
    """A validated entry: the secret decodes, and pyotp can compute a code with it."""
    if isinstance(secret, bytes):
        secret = base64.b32encode(secret).decode()
    if not isinstance(secret, str) or not secret.strip():
        raise EntryError("no secret")
    clean = secret.replace(" ", "").replace("-", "").upper().rstrip("=")
    try:
        raw = _decode(clean)
    except (binascii.Error, ValueError):
        raise EntryError("the secret is not base32") from None
    if not raw:
        raise EntryError("an empty secret")
    algo = str(algorithm or "SHA1").upper().replace("-", "")
    if algo not in ALGORITHMS:
        raise EntryError(f"unknown algorithm {algo[:10]!r}")
    try:
        digits_n, period_n = int(digits or 6), int(period or 30)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise EntryError("digits or period is not a number") from None
    if not 6 <= digits_n <= 10 or not 1 <= period_n <= 3600:
        raise EntryError(f"implausible digits ({digits_n}) or period ({period_n} s)")
    kind_s = str(kind or "totp").lower()
    if kind_s == "totp":  # pyotp computes a code: the entry works in an app
        try:
            _AnyLength(clean, digits=digits_n, interval=period_n, digest=ALGORITHMS[algo]).now()
        except ValueError:
            raise EntryError("pyotp cannot compute a code with it") from None
    return TotpEntry(
        (issuer or "").strip(), (name or "").strip(), clean, digits_n, period_n, algo, kind_s
    )


def from_uri(uri: str) -> TotpEntry:
    """An `otpauth://totp/Issuer:name?secret=...&issuer=...` URI (Key Uri Format)."""
    parts = urlsplit(uri.strip())
    if parts.scheme.lower() != "otpauth":
        raise EntryError("not an otpauth:// URI")
    query = {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
    label = unquote(parts.path.lstrip("/"))
    issuer, _, name = label.rpartition(":") if ":" in label else ("", "", label)
    return make_entry(
        query.get("issuer") or issuer,
        name,
        query.get("secret"),
        digits=query.get("digits", 6),
        period=query.get("period", 30),
        algorithm=query.get("algorithm", "SHA1"),
        kind=parts.netloc or "totp",
    )


def _decode(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
