"""Find sources, checks and reports through their entry-point groups.

Built-ins are registered in our own pyproject exactly as a third-party plugin would register
itself, so there is one discovery path. A plugin that fails to load or has bad metadata is
reported by name and left out; the rest still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from auditor.checks import (
    AccountCheck,
    Check,
    CheckMeta,
    ConversationCheck,
    PostCheck,
    ProfileCheck,
)
from auditor.reports import Report
from auditor.sources.base import Source

GROUPS = ("auditor.sources", "auditor.checks", "auditor.reports")


@dataclass
class Plugins:
    sources: dict[str, type[Source]] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    reports: dict[str, type[Report]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _load(ep: EntryPoint, errors: list[str]) -> object | None:
    try:
        return ep.load()
    except Exception as exc:  # a broken third-party plugin must not stop the audit
        errors.append(f"plugin {ep.group}:{ep.name} ({ep.value}) failed to load: {exc}")
        return None


def _classes(group: str, base: type | tuple[type, ...], what: str, errors: list[str]) -> dict:
    """The classes registered in `group` that subclass `base`; the first of a name wins, as
    in pluggy, when two distributions register it."""
    found: dict[str, type] = {}
    for ep in entry_points(group=group):
        obj = _load(ep, errors)
        if obj is None:
            continue
        if not (isinstance(obj, type) and issubclass(obj, base)):
            errors.append(f"plugin {group}:{ep.name} is not a {what} subclass")
            continue
        found.setdefault(ep.name, obj)
    return found


@cache
def discover() -> Plugins:
    plugins = Plugins()
    errors = plugins.errors
    plugins.sources = _classes("auditor.sources", Source, "Source", errors)
    plugins.reports = _classes("auditor.reports", Report, "Report", errors)
    check_types = (PostCheck, AccountCheck, ProfileCheck, ConversationCheck)
    checks = _classes(
        "auditor.checks",
        check_types,
        "PostCheck, AccountCheck, ProfileCheck or ConversationCheck",
        errors,
    )
    for name, cls in sorted(checks.items()):
        problem = _check_problem(cls, name)
        if problem:
            errors.append(f"plugin auditor.checks:{name} {problem}")
            continue
        try:
            plugins.checks[name] = cls()
        except Exception as exc:
            errors.append(f"plugin auditor.checks:{name} failed to start: {exc}")
    return plugins


def _check_problem(obj: type, name: str) -> str | None:
    meta = getattr(obj, "meta", None)
    if not isinstance(meta, CheckMeta):
        return "has no CheckMeta `meta`"
    if meta.id != name:
        return f"is registered as {name!r} but its meta.id is {meta.id!r}"
    return None
