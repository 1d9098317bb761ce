"""Google Authenticator's export: `otpauth-migration://offline?data=...`, the text of the QR
codes its "Transfer accounts" screen shows. The data is a small protobuf message
(MigrationPayload), read here field by field: it has five fields we need and no library of
ours speaks protobuf."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from auditor.credentials.totp import EntryError, TotpEntry, make_entry

ALGORITHM = {0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512"}  # 4 is MD5: no app uses it
DIGITS = {0: 6, 1: 6, 2: 8}
KIND = {0: "totp", 1: "hotp", 2: "totp"}


def entries(uri: str) -> Iterator[TotpEntry | EntryError]:
    """Each account of one migration URI: an entry, or the reason it is unusable."""
    parts = urlsplit(uri.strip())
    data = parse_qs(parts.query).get("data")
    if parts.scheme.lower() != "otpauth-migration" or not data:
        raise EntryError("not an otpauth-migration:// URI with data")
    try:
        payload = base64.b64decode(data[0] + "=" * (-len(data[0]) % 4), validate=False)
    except (binascii.Error, ValueError):
        raise EntryError("its data is not base64") from None
    for field, value in _fields(payload):
        if field == 1 and isinstance(value, bytes):
            yield _entry(value)


def _entry(message: bytes) -> TotpEntry | EntryError:
    got: dict[int, object] = {}
    try:
        for field, value in _fields(message):
            got.setdefault(field, value)
        name = got.get(2, b"")
        issuer = got.get(3, b"")
        assert isinstance(name, bytes) and isinstance(issuer, bytes)
        algo = ALGORITHM.get(int(got.get(4, 0)))  # type: ignore[call-overload]
        if algo is None:
            return EntryError("an MD5 entry, which no TOTP app computes")
        secret = got.get(1)
        return make_entry(
            issuer.decode("utf-8", "replace"),
            name.decode("utf-8", "replace"),
            secret if isinstance(secret, bytes) else None,
            digits=DIGITS.get(int(got.get(5, 0)), 6),  # type: ignore[call-overload]
            algorithm=algo,
            kind=KIND.get(int(got.get(6, 0)), "totp"),  # type: ignore[call-overload]
        )
    except EntryError as exc:
        return exc
    except (AssertionError, ValueError, TypeError):
        return EntryError("a damaged account record")


def _fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: varints and length-delimited bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            yield field, value
        elif wire == 2:
            size, i = _varint(buf, i)
            if i + size > len(buf):
                raise EntryError("the data is cut short")
            yield field, buf[i : i + size]
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise EntryError("the data is not a migration payload")


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise EntryError("the data is cut short")
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7
