"""A spreadsheet of posts from any platform: JSON Lines, a JSON array, or CSV.

Keys (columns): `id, text, created_at, url, reply_to, reply_to_id, has_media, platform,
account_role, visibility` (public, unlisted, followers, connections or private); only `id`
and `text` are required and unknown keys are ignored, so a labelled corpus or a home-made
export reads as it is. Each platform in the file becomes one account named after the file.
A JSON record with `messages` instead of `text` (`[{"from": "self" | "other", "sent_at",
"text"}]`, the format of a labelled conversation corpus) is a direct-message conversation: it
streams with the messages, after a second read of the file when the first saw any.
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
from auditor.model import ROLES, Account, Message, Post, SecurityState
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.json_stream import RecordReader, iter_array
from auditor.sources.values import iso_time

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
NO_SECURITY = SecurityState(
    two_factor_notes=("A post file carries no security evidence.",),
)


class _Line(msgspec.Struct):
    text: str = ""
    sent_at: str | None = None
    # "from" is a keyword: msgspec renames it
    sender: str = msgspec.field(default="", name="from")


class _Row(msgspec.Struct):
    id: str | int
    text: str | None = None
    messages: list[_Line] | None = None
    created_at: str | None = None
    url: str | None = None
    reply_to: str | None = None
    reply_to_id: str | int | None = None
    has_media: bool | str | int | None = None
    platform: str | None = None
    account_role: str | None = None
    visibility: str | None = None


VISIBILITIES = ("public", "unlisted", "followers", "connections", "private")


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
        reader = _PostFile(archive, detection.layout, imp)
        imp.posts = reader.posts()
        imp.messages = reader.messages()
        return imp


class _PostFile:
    """The file's posts in one read; its conversations, if the first read saw any, in a second."""

    def __init__(self, archive: Archive, layout: str, imp: SourceImport) -> None:
        self.archive, self.layout, self.imp = archive, layout, imp
        self.stem = Path(archive.names()[0]).stem
        self.accounts: dict[str, str] = {}
        self.conversations = 0

    def key(self, row: _Row) -> str:
        platform = (row.platform or "unknown").strip().lower() or "unknown"
        key = self.accounts.get(platform)
        if key is None:
            account = Account(platform, None, label=self.stem)
            self.imp.add_account(account, NO_SECURITY)
            key = self.accounts[platform] = account.key
        return key

    def posts(self) -> Iterator[Post]:
        for row in self.rows():
            if row.messages is not None:
                self.conversations += 1
                continue
            if row.text is None:
                self.bad.append(f"record {row.id}: no `text` (nor `messages`)")
                continue
            yield self.post(row)
        _report_bad(self.bad, str(self.archive.path), self.imp)

    def messages(self) -> Iterator[Message]:
        if not self.conversations:
            return
        for row in self.rows(report=False):
            if not row.messages:
                continue
            key = self.key(row)
            platform = key.partition(":")[0]
            for line in row.messages:
                yield Message(
                    conversation=str(row.id),
                    account=key,
                    from_user=line.sender.strip().lower() in ("self", "me", "user", "author"),
                    text=line.text,
                    sent_at=iso_time(line.sent_at),
                    platform=platform,
                )

    def post(self, row: _Row) -> Post:
        key = self.key(row)
        platform = key.partition(":")[0]
        role = (row.account_role or "").strip().lower()
        visibility = (row.visibility or "").strip().lower()
        return Post(
            id=str(row.id),
            text=row.text,
            account=key,
            created_at=iso_time(row.created_at),
            url=row.url or None,
            reply_to=(row.reply_to or "").strip().lstrip("@") or None,
            reply_to_id=str(row.reply_to_id) if row.reply_to_id not in (None, "") else None,
            has_media=_truthy(row.has_media),
            role=role if role in ROLES else None,
            platform=platform,
            visibility=visibility if visibility in VISIBILITIES else None,
        )

    def rows(self, report: bool = True) -> Iterator[_Row]:
        where = str(self.archive.path)
        self.bad: list[str] = []
        # the second read (for the conversations) must not name the file's faults again
        problem = self.imp.problem if report else _ignore
        try:
            with self.archive.open(self.archive.names()[0]) as stream:
                if self.layout == "csv":
                    yield from _csv_rows(stream, where, self.imp, self.bad)
                elif self.layout == "json":
                    head = stream.read(4096)
                    yield from iter_array(stream, head, RecordReader(_Row), where, problem)
                else:
                    yield from _jsonl_rows(stream, self.bad)
        except (zipfile.BadZipFile, zlib.error, OSError, UnicodeDecodeError) as exc:
            if report:
                self.imp.error(where, f"cannot be read ({exc})")


def _ignore(line: str) -> None:
    pass


def _jsonl_rows(stream: Any, bad: list[str]) -> Iterator[_Row]:
    decoder = msgspec.json.Decoder(_Row)
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = decoder.decode(line)
        except msgspec.ValidationError as exc:
            bad.append(f"line {lineno}: {exc}")
        except msgspec.DecodeError:
            bad.append(f"line {lineno}: not valid JSON (cut short?)")
        else:
            if row.text is None and row.messages is None:
                bad.append(f"line {lineno}: no `text` (nor `messages`)")
            else:
                yield row


def _csv_rows(stream: Any, where: str, imp: SourceImport, bad: list[str]) -> Iterator[_Row]:
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


def _report_bad(bad: list[str], where: str, imp: SourceImport) -> None:
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        imp.error(where, f"{len(bad)} row(s) skipped: {bad[0]}{more}")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)
