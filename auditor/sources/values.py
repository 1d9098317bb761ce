"""Reading values out of exports whose shapes drift: wrong types become empty, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def iso_time(value: Any) -> datetime | None:
    """An ISO-8601 time ("2023-02-24T06:58:32.000Z", with or without an offset) in UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def epoch_time(value: Any) -> datetime | None:
    """Epoch seconds (Meta's exports); 0 and other non-times are None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):  # beyond year 9999: not a time
            return None
    return None
