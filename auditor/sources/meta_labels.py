"""The words Meta's exports use for one meaning in each language, from `meta_labels.toml`."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def _table() -> dict[str, dict[str, tuple[str, ...]]]:
    text = resources.files("auditor.sources").joinpath("meta_labels.toml").read_text("utf-8")
    return {
        section: {meaning: tuple(words) for meaning, words in entries.items()}
        for section, entries in tomllib.loads(text).items()
    }


def aliases(section: str) -> dict[str, tuple[str, ...]]:
    """Meaning -> the labels seen for it, English first (`aliases("instagram_profile")`)."""
    return _table()[section]


@cache
def words(section: str, meaning: str) -> frozenset[str]:
    """The words for one meaning, case-folded for matching."""
    return frozenset(w.casefold() for w in _table()[section][meaning])


def meaning_of(label: str, section: str) -> str | None:
    """Which meaning of `section` a label has, in any language we know."""
    folded = label.casefold()
    return next((m for m, labels in _table()[section].items() if folded in words(section, m)), None)
