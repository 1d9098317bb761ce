"""--format csv: one row per finding (muted ones too, marked), for spreadsheets."""

from __future__ import annotations

import csv
import itertools
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
)


class CsvReport(Report):
    name = "csv"
    suffix = ".csv"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
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
                )
            )


def evidence_line(evidence: list[dict[str, Any]]) -> str:
    parts = []
    for e in evidence:
        text = f' "{e["text"]}"' if e.get("text") else ""
        parts.append(f"{e['label']}{text}")
    return "; ".join(parts)
