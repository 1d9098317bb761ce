"""Meta's exports (Facebook, Instagram, Threads) write each UTF-8 byte as its own `\\u00XX`
escape, so "é" decodes as "Ã©". Repair a string by taking it back to those bytes."""

from __future__ import annotations

from typing import Any


def fix(text: str) -> str:
    """ "Ã©" -> "é"; a string that is not mojibake (a character above U+00FF) stays as it is."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def fix_all(value: Any) -> Any:
    """Every string and every key of a decoded JSON value, repaired."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [fix_all(v) for v in value]
    if isinstance(value, dict):
        return {fix(k): fix_all(v) for k, v in value.items()}
    return value
