"""The settings baseline (`baseline.toml`): per rule, the roles it applies to, and per platform
how an export shows the setting and where the user changes it. `judge` reads one account's
evidence against one rule; the checks in this package turn its verdicts into findings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from auditor.model import AccountReport, SecurityState

_PUNCT = re.compile(r"[\W_]+")
# every settings check needs the account's role: the rules differ by it
NO_ROLE = (
    "the account's role is not in the config: give it in [[accounts]] "
    "(role = personal | professional | practice)"
)


@cache
def baseline() -> dict[str, Any]:
    text = resources.files("auditor.checks.settings").joinpath("baseline.toml").read_text("utf-8")
    return tomllib.loads(text)


def rule(name: str) -> dict[str, Any]:
    return baseline()["rules"][name]


def profile_data() -> dict[str, Any]:
    return baseline()["profile"]


def norm(value: object) -> str:
    """A setting's name or value compared without case, spaces or punctuation."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _PUNCT.sub("", str(value).casefold())


@dataclass(frozen=True)
class Verdict:
    """One account against one rule: `bad`, `good` or `unknown`, what showed it, and where the
    user checks and changes the setting."""

    state: str
    evidence: tuple[str, ...]
    menu: str


def judge(name: str, report: AccountReport) -> Verdict | None:
    """The account's verdict on rule `name`; None when the rule does not apply (another role,
    or a platform without such a setting). An unknown role is `unknown`: the rules differ by
    role, and guessing would report a personal account's settings as a professional's."""
    spec = rule(name)
    account = report.account
    where = spec.get("platforms", {}).get(account.platform)
    if where is None:
        return None
    menu = where.get("menu", "")
    if account.role is None:
        return Verdict("unknown", (NO_ROLE,), menu)
    if account.role not in spec["roles"]:
        return None
    if "fixed" in where:
        return Verdict("bad", (where["fixed"],), menu)
    sec = report.security
    if where.get("private") == "public" and sec.private is not None:
        evidence = sec.private_evidence or f"the export says the account is private: {sec.private}"
        return Verdict("good" if sec.private else "bad", (evidence,), menu)
    if "setting" in where:
        return _from_settings(where, sec, menu)
    return Verdict("unknown", (), menu)


def _from_settings(where: dict[str, Any], sec: SecurityState, menu: str) -> Verdict:
    wanted = {norm(n) for n in where["setting"]}
    bad = {norm(v) for v in where.get("bad", ())}
    good = {norm(v) for v in where.get("good", ())}
    seen = [s for s in sec.settings if norm(s.name) in wanted]
    found_bad = [s for s in seen if norm(s.value) in bad]
    if found_bad:
        return Verdict("bad", tuple(f"{s.source}: {s.name} = {s.value}" for s in found_bad), menu)
    if seen and all(norm(s.value) in good for s in seen):
        return Verdict("good", tuple(f"{s.source}: {s.name} = {s.value}" for s in seen), menu)
    return Verdict("unknown", tuple(f"{s.source}: {s.name} = {s.value}" for s in seen), menu)


def unknown_reason(verdict: Verdict) -> str:
    """The coverage line for a verdict the export could not give."""
    shown = "; ".join(verdict.evidence)
    if shown == NO_ROLE:
        return NO_ROLE
    head = (
        f"the export shows {shown}, which the baseline does not know"
        if shown
        else ("the export does not show this setting")
    )
    return f"{head}: check it at {verdict.menu}" if verdict.menu else head
