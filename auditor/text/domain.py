"""The domain of a post: professional, personal, mixed or other.

Judged from the kinds the one-pass analysis found, so it costs a few set operations a post.
Which kinds count for which side is data (`domain.toml`). A post with both sides is `mixed`
when its personal side (topics of the author's own life) is at least as broad as its
professional one (groups of professional kinds, plus the weight of a professional account's
role): a clinic announcement that mentions breakfast stays professional, a ward shift after
the school run is mixed. Medical words in a TV drama or an idiom ("be patient") are not
medicine, so only the author naming their own profession still counts for that side.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

DOMAINS = ("professional", "personal", "mixed", "other")


@dataclass(frozen=True)
class DomainRules:
    professional: dict[str, frozenset[str]]  # group name -> its kinds
    personal: frozenset[str]
    not_medicine: frozenset[str]
    other_kinds: frozenset[str]
    other_below_chars: int
    professional_role_weight: int


@cache
def rules() -> DomainRules:
    raw = tomllib.loads(resources.files("auditor.text").joinpath("domain.toml").read_text("utf-8"))
    return DomainRules(
        {name: frozenset(group) for name, group in raw["professional"].items()},
        frozenset(raw["personal"]),
        frozenset(raw["not_medicine"]),
        frozenset(raw["other_kinds"]),
        int(raw["other_below_chars"]),
        int(raw["professional_role_weight"]),
    )


def post_domain(kinds: frozenset[str], text: str, role: str | None = None) -> str:
    """The domain of one post from its analysis kinds; `role` is the account's, if known."""
    pro, per = _breadth(kinds)
    r = rules()
    if pro and per:
        if role == "professional":
            pro += r.professional_role_weight
        return "mixed" if per >= pro else "professional"
    if pro:
        return "professional"
    if per:
        return "personal"
    # only an idiom's or a drama's medical words: about neither side
    if (
        not kinds.isdisjoint(r.other_kinds)
        or not kinds.isdisjoint(r.not_medicine)
        or len(text) < r.other_below_chars
    ):
        return "other"
    return "personal" if role == "personal" else "professional"


# A feed repeats the same few hundred sets of kinds, so each is weighed once.
@lru_cache(maxsize=4096)
def _breadth(kinds: frozenset[str]) -> tuple[int, int]:
    """(professional groups touched, personal topics touched)."""
    r = rules()
    groups = r.professional
    if not kinds.isdisjoint(r.not_medicine):
        groups = {"career": groups["career"]}
    pro = sum(1 for group in groups.values() if not kinds.isdisjoint(group))
    return pro, len(kinds & r.personal)
