"""The checks every config key goes through: each problem is one line naming the key path
and what was expected, collected so the user sees them all at once."""

from __future__ import annotations

from typing import Any


def show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def keys(table: dict[str, Any], prefix: str, allowed: set[str], problems: list[str]) -> None:
    for key in table:
        if key not in allowed:
            problems.append(
                f"{prefix}{key}: unknown key (expected one of {', '.join(sorted(allowed))})"
            )


def table(raw: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{key}: expected a table ([{key}]), got {show(value)}")
        return {}
    return value


def array(raw: dict[str, Any], key: str, problems: list[str]) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{key}: expected an array of tables ([[{key}]]), got {show(value)}")
        return []
    return value


def string(
    table: dict[str, Any], key: str, where: str, problems: list[str], required: bool = False
) -> str | None:
    if key not in table:
        if required:
            problems.append(f"{where}: missing (required)")
        return None
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a non-empty string, got {show(value)}")
        return None
    return value.strip()


def positive_int(
    table: dict[str, Any], key: str, where: str, default: int, problems: list[str]
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f"{where}: expected a whole number of at least 1, got {show(value)}")
        return default
    return value
