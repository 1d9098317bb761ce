"""--format markdown: the same sections as GitHub-flavoured Markdown tables."""

from __future__ import annotations

from typing import Any, TextIO

from tabulate import tabulate

from auditor.reports import Report
from auditor.reports.sections import sections


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", "<br>")


class MarkdownReport(Report):
    name = "markdown"
    suffix = ".md"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        for i, sec in enumerate(sections(doc)):
            out.write(f"{'#' if i == 0 else '##'} {sec.heading}\n\n")
            for line in sec.lines:
                out.write(f"{line}  \n" if not line.startswith("  ") else f"- {line.strip()}\n")
            if sec.lines:
                out.write("\n")
            if sec.rows:
                rows = [tuple(_cell(c) for c in row) for row in sec.rows]
                out.write(tabulate(rows, headers=sec.headers, tablefmt="github"))
                out.write("\n\n")
