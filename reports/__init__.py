"""The report plugin interface (installed as `auditor.reports`).

A report renders the JSON report document (see `document.py`), never the model directly, so
every format shows the same facts as the contract.
"""

from __future__ import annotations

from typing import Any, ClassVar, TextIO


class Report:
    name: ClassVar[str]  # the --format value
    suffix: ClassVar[str]  # the file suffix that selects this format for -o

    def render(self, doc: dict[str, Any], out: TextIO) -> None:
        raise NotImplementedError
