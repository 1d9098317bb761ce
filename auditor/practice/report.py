"""The practice review as text (the default), JSON, Markdown or CSV."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from tabulate import tabulate

FORMATS = ("text", "json", "markdown", "csv")
CSV_COLUMNS = (
    "name",
    "email",
    "role",
    "summary_status",
    "summary_detail",
    "audit_date",
    "accounts",
    "accounts_meeting_policy",
    "two_factor_enabled",
    "two_factor_sms",
    "two_factor_disabled",
    "two_factor_unknown",
    "open_high",
    "risky_posts",
    "mixed_practice_accounts",
    "organisation_mfa",
)
STATUS_WORDS = {
    "current": "current",
    "stale": "TOO OLD",
    "missing": "MISSING",
    "malformed": "UNREADABLE",
    "newer-schema": "NEWER FORMAT",
    "other-practice": "OTHER PRACTICE",
}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _org(m: dict[str, Any]) -> str:
    org = m.get("organisation_mfa")
    if not org:
        return "-"
    return f"{org['source']}: {org['level']}{'' if org['meets_policy'] else ' (below policy)'}"


def _member_cells(m: dict[str, Any]) -> tuple[Any, ...]:
    return (
        m["name"],
        m["role"] or "",
        STATUS_WORDS[m["summary"]["status"]],
        m["audit_date"] or "-",
        m["accounts"],
        f"{m['accounts'] - m['below_policy']}/{m['accounts']}",
        m["open_high"],
        m["risky_posts"],
        _org(m),
    )


HEADERS = (
    "Member",
    "Role",
    "Summary",
    "Audited",
    "Accounts",
    "2FA ok",
    "High",
    "Posts",
    "Work MFA",
)


def _figures(doc: dict[str, Any]) -> list[str]:
    f = doc["figures"]
    lines = [
        f"{f['members']} member(s), {f['members_with_current_audit']} with a current audit "
        f"({_pct(f['share_current_audit'])}); {f['members_with_open_high']} with open critical "
        "or high findings.",
        f"{f['accounts_in_scope']} account(s) in scope: {_pct(f['share_with_two_factor'])} with "
        f"two-factor, {_pct(f['share_with_app_or_key'])} with an app or key; "
        f"{f['accounts_meeting_policy']} meet the policy "
        f"({doc['policy']['required_two_factor']} or stronger).",
    ]
    if doc.get("organisation_mfa_sources"):
        lines.append(
            f"Work accounts: {f['members_in_organisation_mfa']} member(s) known to the identity "
            f"provider, {f['members_organisation_mfa_meeting_policy']} meeting the policy."
        )
        for src in doc["organisation_mfa_sources"]:
            if src["error"]:
                lines.append(f"{src['source']} not read: {src['error']}")
    return lines


def _unusable(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in doc["members"] if m["summary"]["status"] != "current"]


def _markdown(doc: dict[str, Any], out: TextIO) -> None:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out.write(f"# Security review: {doc['practice']} ({doc['generated_at'][:10]})\n\n")
    for line in _figures(doc):
        out.write(f"- {line}\n")
    out.write("\n## Top actions\n\n")
    for n, action in enumerate(doc["actions"], 1):
        out.write(f"{n}. {cell(action)}\n")
    if not doc["actions"]:
        out.write("None: every member meets the policy.\n")
    out.write("\n## Policy checklist\n\n")
    for item in doc["checklist"]:
        out.write(f"- [{'x' if item['passed'] else ' '}] {item['rule']}: {cell(item['detail'])}\n")
    out.write("\n## Members\n\n")
    rows = [tuple(cell(c) for c in _member_cells(m)) for m in doc["members"]]
    out.write(tabulate(rows, headers=HEADERS, tablefmt="github") + "\n")
    if _unusable(doc):
        out.write("\n## Summaries missing, too old or unusable (never counted as clean)\n\n")
        for m in _unusable(doc):
            out.write(f"- {cell(m['name'])}: {cell(m['summary']['detail'])}\n")


def _csv(doc: dict[str, Any], out: TextIO) -> None:
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(CSV_COLUMNS)
    for m in doc["members"]:
        tfa = m["two_factor"]
        rows.writerow(
            (
                m["name"],
                m["email"],
                m["role"] or "",
                m["summary"]["status"],
                m["summary"]["detail"],
                m["audit_date"] or "",
                m["accounts"],
                m["accounts"] - m["below_policy"],
                tfa["enabled"],
                tfa["sms"],
                tfa["disabled"],
                tfa["unknown"],
                m["open_high"],
                m["risky_posts"],
                m["mixed_practice_accounts"],
                "" if not m.get("organisation_mfa") else _org(m),
            )
        )


def render(doc: dict[str, Any], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    if fmt == "markdown":
        _markdown(doc, out)
        return
    if fmt == "csv":
        _csv(doc, out)
        return
    out.write(f"Security review: {doc['practice']} ({doc['generated_at'][:10]})\n")
    out.write("=" * 60 + "\n")
    out.write("\n".join(_figures(doc)) + "\n\n")
    out.write("Top actions\n-----------\n")
    for n, action in enumerate(doc["actions"], 1):
        out.write(f"{n}. {action}\n")
    if not doc["actions"]:
        out.write("None: every member meets the policy.\n")
    out.write("\nPolicy checklist\n----------------\n")
    for item in doc["checklist"]:
        out.write(f"[{'x' if item['passed'] else ' '}] {item['rule']}: {item['detail']}\n")
    out.write("\nMembers\n-------\n")
    rows = [_member_cells(m) for m in doc["members"]]
    out.write(tabulate(rows, headers=HEADERS, tablefmt="simple"))
    out.write("\n")
    if _unusable(doc):
        out.write("\nSummaries missing, too old or unusable (never counted as clean)\n")
        for m in _unusable(doc):
            out.write(f"  {m['name']}: {m['summary']['detail']}\n")
