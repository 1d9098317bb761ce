"""A spreadsheet of posts from any platform: JSON Lines, a JSON array, or CSV.

Keys (columns): `id, text, created_at, url, reply_to, has_media, platform, account_role`; only
`id` and `text` are required and unknown keys are ignored, so a labelled corpus or a home-made
export reads as it is. Each platform in the file becomes one account named after the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from auditor.archive import Archive
from auditor.model import ROLES, Account, Post, SecurityState
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, iter_array
from auditor.sources.values import iso_time

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
NO_SECURITY = SecurityState(
    two_factor_notes=("A post file carries no security evidence.",),
)


class _Row(msgspec.Struct):
    id: str | int
    text: str
    created_at: str | None = None
    url: str | None = None
    reply_to: str | None = None
    has_media: bool | str | int | None = None
    platform: str | None = None
    account_role: str | None = None


class PostFileSource(Source):
    name = "posts"
    title = "post file (JSON Lines, JSON or CSV)"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind != "file":
            return None
        layout = SUFFIXES.get(archive.path.suffix.lower())
        return Detection("posts", layout, 5) if layout else None

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "posts", detection.layout)
        imp.files_found.append(archive.path.name)
        imp.posts = _posts(archive, detection.layout, imp)
        return imp


def _posts(archive: Archive, layout: str, imp: SourceImport) -> Iterator[Post]:
    where = str(archive.path)
    name = archive.names()[0]
    stem = Path(name).stem
    accounts: dict[str, str] = {}

    def post(row: _Row) -> Post:
        platform = (row.platform or "unknown").strip().lower() or "unknown"
        key = accounts.get(platform)
        if key is None:
            account = Account(platform, None, label=stem)
            imp.add_account(account, NO_SECURITY)
            key = accounts[platform] = account.key
        role = (row.account_role or "").strip().lower()
        return Post(
            id=str(row.id),
            text=row.text,
            account=key,
            created_at=iso_time(row.created_at),
            url=row.url or None,
            reply_to=(row.reply_to or "").strip().lstrip("@") or None,
            has_media=_truthy(row.has_media),
            role=role if role in ROLES else None,
            platform=platform,
        )

    try:
        with archive.open(name) as stream:
            if layout == "csv":
                rows = _csv_rows(stream, where, imp)
            elif layout == "json":
                head = stream.read(4096)
                rows = iter_array(stream, head, RecordReader(_Row), where, imp.problem)
            else:
                rows = _jsonl_rows(stream, where, imp)
            for row in rows:
                yield post(row)
    except (zipfile.BadZipFile, zlib.error, OSError, UnicodeDecodeError) as exc:
        imp.error(where, f"cannot be read ({exc})")


def _jsonl_rows(stream: Any, where: str, imp: SourceImport) -> Iterator[_Row]:
    decoder = msgspec.json.Decoder(_Row)
    bad: list[str] = []
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield decoder.decode(line)
        except msgspec.ValidationError as exc:
            bad.append(f"line {lineno}: {exc}")
        except msgspec.DecodeError:
            bad.append(f"line {lineno}: not valid JSON (cut short?)")
    _report_bad(bad, where, imp)


def _csv_rows(stream: Any, where: str, imp: SourceImport) -> Iterator[_Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    columns = [c.strip() for c in reader.fieldnames or []]
    if "id" not in columns or "text" not in columns:
        # a quoted header cell can hold newlines, and a header-less file's first row is long
        found = " ".join(", ".join(columns).split())
        found = found if len(found) <= 120 else found[:117] + "..."
        imp.error(
            where,
            f"expected columns id and text (found: {found or 'none'}): "
            "add a header row with at least id,text",
        )
        return
    bad: list[str] = []
    try:
        for row in reader:
            clean = {
                k.strip(): v for k, v in row.items() if isinstance(k, str) and v not in (None, "")
            }
            try:
                yield msgspec.convert(clean, _Row)
            except msgspec.ValidationError as exc:
                bad.append(f"line {reader.line_num}: {exc}")
    except csv.Error as exc:
        imp.error(
            where,
            f"not valid CSV at line {reader.line_num} ({exc}); the rows before it were read: "
            "check the quoting",
        )
    _report_bad(bad, where, imp)


def _report_bad(bad: list[str], where: str, imp: SourceImport) -> None:
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        imp.error(where, f"{len(bad)} row(s) skipped: {bad[0]}{more}")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)
