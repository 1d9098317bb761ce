"""Find sources, checks and reports through their entry-point groups.

Built-ins are registered in our own pyproject exactly as a third-party plugin would register
itself, so there is one discovery path. A plugin that fails to load or has bad metadata is
reported by name and left out; the rest still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from auditor.checks import AccountCheck, Check, CheckMeta, PostCheck, ProfileCheck
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


@cache
def discover() -> Plugins:
    plugins = Plugins()
    for ep in entry_points(group="auditor.sources"):
        obj = _load(ep, plugins.errors)
        if obj is None:
            continue
        if not (isinstance(obj, type) and issubclass(obj, Source)):
            plugins.errors.append(f"plugin auditor.sources:{ep.name} is not a Source subclass")
            continue
        plugins.sources.setdefault(ep.name, obj)
    for ep in entry_points(group="auditor.checks"):
        obj = _load(ep, plugins.errors)
        if obj is None:
            continue
        problem = _check_problem(obj, ep.name)
        if problem:
            plugins.errors.append(f"plugin auditor.checks:{ep.name} {problem}")
            continue
        if ep.name in plugins.checks:
            continue  # two distributions registering one id: the first wins, as pluggy does
        try:
            plugins.checks[ep.name] = obj()
        except Exception as exc:
            plugins.errors.append(f"plugin auditor.checks:{ep.name} failed to start: {exc}")
    for ep in entry_points(group="auditor.reports"):
        obj = _load(ep, plugins.errors)
        if obj is None:
            continue
        if not (isinstance(obj, type) and issubclass(obj, Report)):
            plugins.errors.append(f"plugin auditor.reports:{ep.name} is not a Report subclass")
            continue
        plugins.reports.setdefault(ep.name, obj)
    plugins.checks = dict(sorted(plugins.checks.items()))
    return plugins


def _check_problem(obj: object, name: str) -> str | None:
    if not (isinstance(obj, type) and issubclass(obj, (PostCheck, AccountCheck, ProfileCheck))):
        return "is not a PostCheck, AccountCheck or ProfileCheck subclass"
    meta = getattr(obj, "meta", None)
    if not isinstance(meta, CheckMeta):
        return "has no CheckMeta `meta`"
    if meta.id != name:
        return f"is registered as {name!r} but its meta.id is {meta.id!r}"
    return None
