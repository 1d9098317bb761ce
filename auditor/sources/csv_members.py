"""Rows of a CSV file inside an export (LinkedIn, Reddit), streamed, faults named once."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.sources.base import SourceImport

MAX_CSV_FIELD = 16 << 20  # one post's text; csv's default limit of 128 KB is too small


def csv_rows(
    archive: Archive,
    name: str | None,
    imp: SourceImport,
    *,
    preamble: str | None = None,
    backslash_quotes: bool = False,
) -> Iterator[dict[str, str]]:
    """The rows of the CSV member `name` as dicts of stripped column names.

    `preamble`: the file may open with a paragraph starting with this word, then a blank line,
    before its header. `backslash_quotes`: the file may escape quotes as \\" (decided by looking
    at its start). A broken row ends the file with one coverage error; the rows before it count.
    """
    if name is None:
        return
    where = archive.display(name)
    csv.field_size_limit(MAX_CSV_FIELD)
    try:
        with archive.open(name) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            head = text.read(65536)
            lines = _lines(head, text)
            if preamble:
                lines = _after_preamble(lines, preamble)
            escaped = backslash_quotes and '\\"' in head
            options = {"escapechar": "\\", "doublequote": False} if escaped else {}
            for row in csv.DictReader(lines, strict=True, **options):
                yield {k.strip(): (v or "") for k, v in row.items() if isinstance(k, str)}
    except InputError as exc:
        imp.error(exc.where, exc.message)
    except csv.Error as exc:
        imp.error(where, f"not valid CSV ({exc}); the rows before it were read")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        imp.error(where, f"corrupt in the archive ({exc}): download the export again")


def _lines(head: str, stream: io.TextIOWrapper) -> Iterator[str]:
    """The lines of the text already read (to sniff its quoting), then the rest of the stream."""
    yield from io.StringIO(head + stream.readline())
    yield from stream


def _after_preamble(lines: Iterator[str], word: str) -> Iterator[str]:
    first = next(lines, "")
    if first.startswith(word):
        for line in lines:
            if not line.strip():
                break
    else:
        yield first
    yield from lines
