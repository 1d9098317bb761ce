"""--format json: the report document itself."""

from __future__ import annotations

from typing import Any, TextIO

import msgspec

from auditor.reports import Report
from auditor.reports.document import Entries


class JsonReport(Report):
    name = "json"
    suffix = ".json"

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        """Written piece by piece, so the findings never exist as one big structure."""
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


def dumps(value: Any) -> str:
    """Indented JSON by msgspec: the standard library's indenting encoder is pure Python and
    would cost more than the whole audit on a large archive's findings."""
    return msgspec.json.format(msgspec.json.encode(value), indent=2).decode("utf-8")
