"""--format json: the report document itself."""

from __future__ import annotations

import json
from typing import Any, TextIO

from auditor.reports import Report
from auditor.reports.document import Entries


class JsonReport(Report):
    name = "json"
    suffix = ".json"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        """Written piece by piece, so the findings never exist as one big structure."""
        dumps = json.JSONEncoder(indent=2, ensure_ascii=False).encode
        out.write("{")
        for i, (key, value) in enumerate(doc.items()):
            out.write(f"{',' if i else ''}\n  {dumps(key)}: ")
            if isinstance(value, Entries):
                for j, item in enumerate(value):
                    out.write(f"{',' if j else '['}\n    ")
                    out.write(dumps(item).replace("\n", "\n    "))
                out.write("\n  ]" if len(value) else "[]")
            else:
                out.write(dumps(value).replace("\n", "\n  "))
        out.write("\n}\n")
