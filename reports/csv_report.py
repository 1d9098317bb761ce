"""--format csv: one row per finding (muted ones too, marked), for spreadsheets. The last
column says what changed since the last audit; findings resolved since then get a row of
their own (what the history keeps of them: check, severity, account, fingerprint)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from typing import Any, TextIO

from auditor.reports import Report

COLUMNS = (
    "fingerprint",
    "severity",
    "check",
    "account",
    "post_id",
    "post_url",
    "post_created_at",
    "title",
    "evidence",
    "remediation",
    "muted",
    "since_last_audit",
)


class CsvReport(Report):
    name = "csv"
    suffix = ".csv"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        changes = doc.get("changes")
        change = _change_of(changes)
        for f in itertools.chain(doc["findings"], doc["muted"]):
            post = f["post"] or {}
            writer.writerow(
                (
                    f["fingerprint"],
                    f["severity"],
                    f["check"],
                    f["account"],
                    post.get("id", ""),
                    post.get("url") or "",
                    post.get("created_at") or "",
                    f["title"],
                    evidence_line(f["evidence"]),
                    f["remediation"],
                    f"muted: {f['mute']['reason']}" if "mute" in f else "",
                    "" if "mute" in f else change(f["fingerprint"]),
                )
            )
        for seen in changes["resolved"] if changes else ():
            row = dict.fromkeys(COLUMNS, "")
            row.update(seen, title="resolved since the last audit", since_last_audit="resolved")
            writer.writerow(row[c] for c in COLUMNS)


def _change_of(changes: dict[str, Any] | None) -> Callable[[str], str]:
    """fingerprint -> new | reopened | still open; empty without a history or a previous
    audit to compare with."""
    if not changes or changes["previous"] is None:
        return lambda _fp: ""
    kind = {s["fingerprint"]: "new" for s in changes["new"]}
    kind.update((s["fingerprint"], "reopened") for s in changes["reopened"])
    return lambda fp: kind.get(fp, "still open")


def evidence_line(evidence: list[dict[str, Any]]) -> str:
    parts = []
    for e in evidence:
        text = f' "{e["text"]}"' if e.get("text") else ""
        parts.append(f"{e['label']}{text}")
    return "; ".join(parts)
