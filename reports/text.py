"""--format text (the default): tables grouped by severity, worst first."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any, TextIO

from tabulate import tabulate

from auditor.reports import Report
from auditor.reports.sections import sections


class TextReport(Report):
    name = "text"
    suffix = ".txt"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        columns = shutil.get_terminal_size((120, 24)).columns
        for sec in sections(doc):
            out.write(f"{sec.heading}\n{'=' * len(sec.heading)}\n")
            for line in sec.lines:
                indent = " " * (len(line) - len(line.lstrip()) + 2)
                out.write(textwrap.fill(line, columns, subsequent_indent=indent) + "\n")
            if sec.rows:
                out.write(
                    tabulate(
                        sec.rows,
                        headers=sec.headers,
                        tablefmt="simple_grid",
                        maxcolwidths=fit(sec.widths, columns) or None,
                    )
                )
                out.write("\n")
            out.write("\n")


def fit(widths: tuple[int | None, ...], columns: int) -> list[int | None]:
    """Shrink the wide columns (the prose) so the table fits the terminal, never below 20."""
    if not widths:
        return []
    frame = 3 * len(widths) + 1
    fixed = sum(w for w in widths if w and w <= 20)
    wide = [w for w in widths if w and w > 20]
    room = max(columns - frame - fixed, 20 * len(wide))
    scale = min(1.0, room / sum(wide)) if wide else 1.0
    return [w if not w or w <= 20 else max(20, int(w * scale)) for w in widths]
