"""--format text (the default): tables grouped by severity, worst first."""

from __future__ import annotations

from typing import Any, TextIO

from tabulate import tabulate

from auditor.reports import Report
from auditor.reports.sections import sections


class TextReport(Report):
    name = "text"
    suffix = ".txt"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        for sec in sections(doc):
            out.write(f"{sec.heading}\n{'=' * len(sec.heading)}\n")
            for line in sec.lines:
                out.write(f"{line}\n")
            if sec.rows:
                out.write(
                    tabulate(
                        sec.rows,
                        headers=sec.headers,
                        tablefmt="simple_grid",
                        maxcolwidths=list(sec.widths) or None,
                    )
                )
                out.write("\n")
            out.write("\n")
