"""--format json: the report document itself."""

from __future__ import annotations

import json
from typing import Any, TextIO

from auditor.reports import Report


class JsonReport(Report):
    name = "json"
    suffix = ".json"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
