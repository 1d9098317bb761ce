"""The practice review as text (the default) or JSON."""

from __future__ import annotations

import json
from typing import Any, TextIO

from tabulate import tabulate

FORMATS = ("text", "json")
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


def render(doc: dict[str, Any], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    f = doc["figures"]
    out.write(f"Security review: {doc['practice']} ({doc['generated_at'][:10]})\n")
    out.write("=" * 60 + "\n")
    out.write(
        f"{f['members']} member(s), {f['members_with_current_audit']} with a current audit "
        f"({_pct(f['share_current_audit'])}); {f['members_with_open_high']} with open critical "
        f"or high findings.\n"
        f"{f['accounts_in_scope']} account(s) in scope: {_pct(f['share_with_two_factor'])} with "
        f"two-factor, {_pct(f['share_with_app_or_key'])} with an app or key; "
        f"{f['accounts_meeting_policy']} meet the policy "
        f"({doc['policy']['required_two_factor']} or stronger).\n\n"
    )
    out.write("Top actions\n-----------\n")
    for n, action in enumerate(doc["actions"], 1):
        out.write(f"{n}. {action}\n")
    if not doc["actions"]:
        out.write("None: every member meets the policy.\n")
    out.write("\nPolicy checklist\n----------------\n")
    for item in doc["checklist"]:
        out.write(f"[{'x' if item['passed'] else ' '}] {item['rule']}: {item['detail']}\n")
    out.write("\nMembers\n-------\n")
    rows = [
        (
            m["name"],
            m["role"] or "",
            STATUS_WORDS[m["summary"]["status"]],
            m["audit_date"] or "-",
            m["accounts"],
            f"{m['accounts'] - m['below_policy']}/{m['accounts']}",
            m["open_high"],
            m["risky_posts"],
        )
        for m in doc["members"]
    ]
    out.write(
        tabulate(
            rows,
            headers=("Member", "Role", "Summary", "Audited", "Accounts", "2FA ok", "High", "Posts"),
            tablefmt="simple",
        )
    )
    out.write("\n")
    problems = [m for m in doc["members"] if m["summary"]["status"] not in ("current",)]
    if problems:
        out.write("\nSummaries missing, too old or unusable (never counted as clean)\n")
        for m in problems:
            out.write(f"  {m['name']}: {m['summary']['detail']}\n")
