"""The JSON report document (`auditor.report/1`): the contract every format is a view of.

Documented in docs/report-schema.md, validated by report.schema.json. Add fields, never rename
or remove them: pipelines read this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from auditor import __version__, twofa_directory
from auditor.model import (
    AccountReport,
    AuditResult,
    Evidence,
    Finding,
    MediaCoverage,
    MutedFinding,
    Severity,
    two_factor_status,
)
from auditor.text.domain import DOMAINS

T = TypeVar("T")

SCHEMA = "auditor.report/1"
TOOL = "footprint-auditor"


def mask(text: str) -> str:
    """Keep the shape of the words, not the words: "Mr. Halvorsen, 91" -> "M•. H••••••••, ##"."""
    out = []
    first = True
    for ch in text:
        if ch.isdigit():
            out.append("#")
            first = False
        elif ch.isalpha():
            out.append(ch if first else "•")
            first = False
        else:
            out.append(ch)
            first = True
    return "".join(out)


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _evidence(e: Evidence, show_text: bool) -> dict[str, Any]:
    text = e.text
    if text is not None and not show_text:
        text = mask(text)
    return {"kind": e.kind, "label": e.label, "text": text, "hipaa": e.hipaa}


def finding_dict(f: Finding, show_text: bool) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "check": f.check,
        "severity": f.severity.value,
        "account": f.account,
        "post": (
            {"id": f.post.id, "url": f.post.url, "created_at": _time(f.post.created_at)}
            if f.post
            else None
        ),
        "title": f.title,
        "evidence": [_evidence(e, show_text) for e in f.evidence],
        "remediation": f.remediation,
        "references": list(f.references),
    }


class Entries(Sequence[dict[str, Any]], Generic[T]):
    """The findings of a report, each turned into its JSON object only when read.

    A large archive can hold thousands of findings; building all their objects at once would
    double what the audit holds in memory. Renderers iterate; `list()` gives plain JSON data.
    """

    def __init__(self, items: Sequence[T], convert: Callable[[T], dict[str, Any]]) -> None:
        self._items = items
        self._convert = convert

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        return self._convert(self._items[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._convert, self._items)


def plain(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with every lazy part made a list: plain JSON data."""
    return {k: list(v) if isinstance(v, Entries) else v for k, v in doc.items()}


def muted_dict(m: MutedFinding, show_text: bool) -> dict[str, Any]:
    entry = finding_dict(m.finding, show_text)
    entry["mute"] = {
        "reason": m.mute.reason,
        "until": m.mute.until.isoformat() if m.mute.until else None,
    }
    return entry


PASSWORD_CHECKS = (
    "security.password-reused",
    "security.password-weak",
    "security.password-breached",
    "security.site-breached",
    "security.two-factor-available",
)


def _security_evidence(rep: AccountReport, result: AuditResult) -> dict[str, Any]:
    """Which security evidence the audit had for an account, and which checks therefore had
    nothing to judge: a clean result from a check without evidence is not a clean account."""
    sec = rep.security
    platform = rep.account.platform
    by_kind = {
        kind: any(platform in c.platforms for c in result.credentials if c.kind == kind)
        for kind in ("authenticator", "passwords")
    }
    have = {
        "two_factor": bool(sec.two_factor_methods or sec.two_factor_disabled_evidence),
        "sessions": len(sec.sessions),
        "logins": len(sec.logins),
        "connected_apps": len(sec.connected_apps),
        "authenticator_entry": by_kind["authenticator"],
        "password_login": by_kind["passwords"],
        "settings": len(sec.settings) + (sec.private is not None),
        "profile": sec.profile is not None,
    }
    lacking = []
    if not sec.sessions and not sec.logins:
        lacking.append({"check": "security.sessions", "reason": "no sessions or login history"})
    if not by_kind["passwords"]:
        reason = "no password-manager login for this account (--passwords)"
        lacking += [{"check": c, "reason": reason} for c in PASSWORD_CHECKS]
    if not by_kind["authenticator"] and not sec.two_factor_methods:
        lacking.append(
            {
                "check": "security.two-factor-strength",
                "reason": "no second factor known to compare (--authenticator, the config)",
            }
        )
    lacking += [{"check": check, "reason": why} for check, why in rep.unjudged]
    return {"security_evidence": have, "checks_lacking_evidence": lacking}


def _directory(result: AuditResult) -> dict[str, Any]:
    data = twofa_directory.current()
    entry = {
        "name": "2fa.directory",
        "snapshot": data.snapshot.isoformat(),
        "age_days": twofa_directory.age_days(result.generated_at.date()),
        "source": data.source,
    }
    if data.note:
        entry["note"] = data.note
    return entry


def build(result: AuditResult, show_text: bool = False) -> dict[str, Any]:
    accounts = []
    for rep in result.accounts:
        tfa = two_factor_status(rep.security)
        accounts.append(
            {
                "key": rep.account.key,
                "platform": rep.account.platform,
                "handle": rep.account.handle,
                "role": rep.account.role,
                "posts_scanned": rep.posts_scanned,
                "comments_scanned": rep.comments_scanned,
                "messages_scanned": rep.messages_scanned,
                "domains": {d: rep.domains.get(d, 0) for d in DOMAINS},
                "two_factor": {
                    "status": tfa.status,
                    "methods": list(tfa.methods),
                    "evidence": list(tfa.evidence),
                },
                "private": rep.security.private,
                **_security_evidence(rep, result),
            }
        )
    findings = Entries(result.findings, lambda f: finding_dict(f, show_text))
    muted = Entries(result.muted, lambda m: muted_dict(m, show_text))
    sources = [
        {
            "path": c.path,
            "platform": c.platform,
            "layout": c.layout,
            "files_found": list(c.files_found),
            "files_missing": list(c.files_missing),
            "checks_run": list(c.checks_run),
            "checks_skipped": [{"check": s.check, "reason": s.reason} for s in c.checks_skipped],
            "errors": [{"file": e.file, "message": e.message} for e in c.errors],
            "posts_read": c.posts_read,
            "reposts_skipped": c.reposts_skipped,
            "messages_read": c.messages_read,
            "photos": _photos(c.photos),
        }
        for c in result.coverage
    ]
    by_severity = Counter(f.severity.value for f in result.findings)
    return {
        "schema": SCHEMA,
        "generated_at": _time(result.generated_at),
        "tool": {"name": TOOL, "version": __version__},
        "evidence_masked": not show_text,
        "accounts": accounts,
        "findings": findings,
        "muted": muted,
        "data_sets": [_directory(result)],
        "coverage": {
            "sources": sources,
            "check_errors": [{"check": e.file, "message": e.message} for e in result.check_errors],
            "credentials": [
                {
                    "path": c.path,
                    "kind": c.kind,
                    "format": c.format,
                    "entries": c.entries,
                    "platforms": list(c.platforms),
                    "skipped": list(c.skipped),
                    "error": c.error,
                }
                for c in result.credentials
            ],
        },
        "summary": {
            "findings": len(findings),
            "by_severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
            "by_check": dict(sorted(Counter(f.check for f in result.findings).items())),
            "muted": len(muted),
            "accounts": len(accounts),
            "posts_scanned": sum(a["posts_scanned"] for a in accounts),
            "comments_scanned": sum(a["comments_scanned"] for a in accounts),
            "messages_scanned": sum(a["messages_scanned"] for a in accounts),
            "errors": sum(len(s["errors"]) for s in sources)
            + len(result.check_errors)
            + sum(1 for c in result.credentials if c.error),
        },
    }


def _photos(m: MediaCoverage | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "found": m.found,
        "analysed": m.analysed,
        "cached": m.cached,
        "location_only": m.location_only,
        "skipped": list(m.skipped),
        "videos": m.videos,
        "disabled": m.disabled,
        "missing_engines": list(m.missing_engines),
    }
