"""The domain of a post: professional, personal, mixed or other.

Judged from the kinds the one-pass analysis found, so it costs a few set operations a post.
Which kinds count for which side is data (`domain.toml`). A post with both sides is `mixed`
when its personal side is at least as broad as its professional one (topics against groups of
professional kinds), or spans two personal topics: a clinic announcement that mentions
the weekend stays professional, a ward shift after the school run is mixed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

DOMAINS = ("professional", "personal", "mixed", "other")


@dataclass(frozen=True)
class DomainRules:
    professional: tuple[frozenset[str], ...]  # groups of kinds
    personal: frozenset[str]
    other_kinds: frozenset[str]
    other_below_chars: int


@cache
def rules() -> DomainRules:
    raw = tomllib.loads(resources.files("auditor.text").joinpath("domain.toml").read_text("utf-8"))
    return DomainRules(
        tuple(frozenset(group) for group in raw["professional"].values()),
        frozenset(raw["personal"]),
        frozenset(raw["other_kinds"]),
        int(raw["other_below_chars"]),
    )


def post_domain(kinds: frozenset[str], text: str, role: str | None = None) -> str:
    """The domain of one post from its analysis kinds; `role` is the account's, if known."""
    r = rules()
    pro = sum(1 for group in r.professional if not kinds.isdisjoint(group))
    per = len(kinds & r.personal)
    if pro and per:
        return "mixed" if per >= 2 or per >= pro else "professional"
    if pro:
        return "professional"
    if per:
        return "personal"
    if not kinds.isdisjoint(r.other_kinds) or len(text) < r.other_below_chars:
        return "other"
    return "personal" if role == "personal" else "professional"
