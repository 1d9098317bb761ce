"""Stream the records of a large top-level JSON array without holding the file in memory.

Fast path: exports are pretty-printed, and in pretty-printed JSON the text between two
top-level elements (`},` + newline + indent + `{`) cannot occur anywhere else, since strings
hold no raw newlines and nested elements sit deeper. So the stream is cut there into chunks of
about a megabyte, and each chunk is decoded by msgspec straight into typed structs holding only
the fields we need. Layouts where that cut is not safe (minified JSON, `[ {` styles) go through
ijson's C parser instead, and so does any chunk that fails to decode, so that every complete
record before a fault is still read and the fault is named precisely.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import ijson
import msgspec

from auditor.errors import InputError

if TYPE_CHECKING:
    from auditor.archive import Archive
    from auditor.sources.base import SourceImport

T = TypeVar("T")

CHUNK_BYTES = 1 << 20
# One record larger than this is not a real export record: stop rather than buffer without end.
MAX_RECORD_BYTES = 64 << 20

Problem = Callable[[str], None]


class _Prepend(io.RawIOBase):
    """A stream that first returns bytes already read, then the rest of the underlying stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class RecordReader:
    """Decodes one record type, unwrapping `{"<key>": {...}}` wrapper objects when present."""

    def __init__(self, record_type: type[T], unwrap: str | None = None) -> None:
        self.record_type = record_type
        self.unwrap = unwrap
        element = msgspec.defstruct("Wrapper", [(unwrap, record_type)]) if unwrap else record_type
        self._decoder = msgspec.json.Decoder(list[element])

    def decode_chunk(self, data: bytes) -> list[Any]:
        items = self._decoder.decode(data)
        if self.unwrap:
            key = self.unwrap
            return [getattr(i, key) for i in items]
        return items

    def convert(self, obj: Any) -> Any:
        if self.unwrap and isinstance(obj, dict) and self.unwrap in obj:
            obj = obj[self.unwrap]
        return msgspec.convert(obj, self.record_type, strict=False)


def iter_array(
    stream: BinaryIO, head: bytes, reader: RecordReader, where: str, problem: Problem
) -> Iterator[Any]:
    """Yield the records of the JSON array that starts at `head` (bytes already read, from `[`).

    Faults are passed to `problem` as one line each; iteration then ends or resumes at the next
    record it can find, never raising for bad data.
    """
    while len(head) < 4096:
        more = stream.read(4096)
        if not more:
            break
        head += more
    stripped = head.lstrip()
    if not stripped.startswith(b"["):
        yield from _single(stripped + stream.read(), reader, where, problem)
        return
    body = stripped[1:]
    first = len(body) - len(body.lstrip())
    ws = body[:first]
    if body[first : first + 1] == b"]":
        return
    if b"\n" in ws and body[first : first + 1] == b"{":
        yield from _split(stream, body[first:], b"}," + ws + b"{", reader, where, problem)
    else:
        yield from _ijson(io.BufferedReader(_Prepend(stripped, stream)), reader, where, problem)


def _single(data: bytes, reader: RecordReader, where: str, problem: Problem) -> Iterator[Any]:
    """A bare object where an array was expected (some X files): one record."""
    try:
        obj = msgspec.json.decode(data.rstrip().rstrip(b";"))
    except (msgspec.DecodeError, RecursionError) as exc:
        problem(f"{where}: not valid JSON ({exc}): the file may be cut short; export it again")
        return
    try:
        yield reader.convert(obj)
    except msgspec.ValidationError as exc:
        problem(f"{where}: unexpected record shape ({exc})")


def _split(
    stream: BinaryIO,
    buf: bytes,
    sep: bytes,
    reader: RecordReader,
    where: str,
    problem: Problem,
) -> Iterator[Any]:
    done = 0
    cut = len(sep) - 1  # keep the next record's opening brace
    while True:
        data = stream.read(CHUNK_BYTES)
        if not data:
            break
        buf += data
        p = buf.rfind(sep)
        if p < 0:
            if len(buf) > MAX_RECORD_BYTES:
                problem(f"{where}: a record larger than {MAX_RECORD_BYTES >> 20} MB: stopped")
                return
            continue
        chunk = b"[" + buf[: p + 1] + b"]"
        buf = buf[p + cut :]
        try:
            items = reader.decode_chunk(chunk)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            items = list(_ijson(io.BytesIO(chunk), reader, where, problem, offset=done))
        done += len(items)
        yield from items
    tail = buf.rstrip().rstrip(b";").rstrip()
    if tail.endswith(b"]"):
        chunk = b"[" + tail
        try:
            items = reader.decode_chunk(chunk)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            pass
        else:
            yield from items
            return
    else:
        chunk = b"[" + tail
    yield from _ijson(io.BytesIO(chunk), reader, where, problem, offset=done)


def read_json(
    archive: Archive,
    name: str,
    imp: SourceImport,
    *,
    limit: int,
    what: str,
    advice: str = "request the export again",
) -> Any:
    """A small JSON member of an export (an actor, a profile, a settings file), whole; None,
    with one coverage error, when it is too large or unreadable."""
    where = archive.display(name)
    try:
        if archive.size(name) > limit:
            raise InputError(where, f"too large for {what}: skipped")
        with archive.open(name) as stream:
            return msgspec.json.decode(stream.read())
    except InputError as exc:
        imp.error(exc.where, exc.message)
    except (msgspec.DecodeError, RecursionError, zipfile.BadZipFile, zlib.error, OSError) as exc:
        imp.error(where, f"not readable JSON ({exc}): {advice}")
    return None


def records_in(
    archive: Archive,
    name: str,
    imp: SourceImport,
    reader: RecordReader,
    key: str | tuple[str, ...] | None = None,
    array_reader: RecordReader | None = None,
) -> Iterator[Any]:
    """The records of the JSON member `name` of an export: the array under `key` (or the first
    of several keys present) when the file is an object (Meta's `{"comments_v2": [...]}`),
    else its top-level array (read with `array_reader` when the two shapes hold different
    records). Faults go to the coverage."""
    where = archive.display(name)
    try:
        with archive.open(name) as stream:
            head = stream.read(4096)
            if key and head.lstrip()[:1] == b"{":
                yield from iter_member_array(stream, head, key, reader, where, imp.problem)
            else:
                yield from iter_array(stream, head, array_reader or reader, where, imp.problem)
    except InputError as exc:
        imp.error(exc.where, exc.message)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        imp.error(where, f"corrupt in the archive ({exc}); the records after it were not read")


class _UpTo:
    """A stream that ends where `end` first occurs (the array's closing bracket on its own line,
    at the array's indentation, which nothing inside the array can contain), returning `]` in
    its place: the members after the array are never read. `head` was read already."""

    def __init__(self, stream: BinaryIO, end: bytes, head: bytes) -> None:
        self._stream = stream
        self._end = end
        self._buf = head
        self._done = False

    def read(self, n: int = CHUNK_BYTES) -> bytes:
        keep = len(self._end) - 1
        while not self._done:
            e = self._buf.find(self._end)
            if e >= 0:
                self._buf, self._done = self._buf[:e] + b"\n]", True
                break
            if len(self._buf) > max(n, keep):
                out, self._buf = self._buf[:-keep], self._buf[-keep:]
                return out
            data = self._stream.read(max(n, CHUNK_BYTES))
            if not data:
                self._done = True
            self._buf += data
        out, self._buf = self._buf, b""
        return out


# A pretty-printed object whose first key holds the array: `{\n  "comments_v2": [\n    {`
_MEMBER_HEAD = re.compile(rb'\s*\{(\n[ \t]*)"([^"\\]+)"\s*:\s*\[(\s*)\{')


def iter_member_array(
    stream: BinaryIO,
    head: bytes,
    key: str | tuple[str, ...],
    reader: RecordReader,
    where: str,
    problem: Problem,
) -> Iterator[Any]:
    """Yield the records of the array under the top-level `key` of a JSON object (Mastodon's
    `orderedItems`), one by one, with the same fault handling as `iter_array`. `head` holds
    bytes already read from the stream. When the array is the object's first member and the
    file is pretty-printed (Meta's `{"comments_v2": [...]}`), it is cut like a top-level array;
    otherwise ijson finds it."""
    while len(head) < 4096:
        more = stream.read(4096)
        if not more:
            break
        head += more
    wanted = (key,) if isinstance(key, str) else key
    m = _MEMBER_HEAD.match(head)
    if m and m.group(2).decode("utf-8", "replace") in wanted and b"\n" in m.group(3):
        body = head[m.end() - 1 :]
        sep = b"}," + m.group(3) + b"{"
        rest = _UpTo(stream, m.group(1) + b"]", body)
        yield from _split(rest, rest.read(len(body)), sep, reader, where, problem)
        return
    whole = io.BufferedReader(_Prepend(head, stream)) if head else stream
    yield from _ijson(whole, reader, where, problem, key=key)


def _ijson(
    stream: BinaryIO,
    reader: RecordReader,
    where: str,
    problem: Problem,
    offset: int = 0,
    key: str | tuple[str, ...] | None = None,
) -> Iterator[Any]:
    n = 0
    bad = 0
    first_bad = ""
    try:
        for obj in _items(stream, key):
            n += 1
            try:
                yield reader.convert(obj)
            except msgspec.ValidationError as exc:
                bad += 1
                first_bad = first_bad or str(exc)
    except _TooDeep:
        problem(
            f"{where}: record {offset + n + 1} is nested deeper than {MAX_DEPTH} levels, which "
            f"no export writes: stopped after {offset + n} records; export the archive again"
        )
    except ijson.JSONError as exc:
        text = str(exc)
        if "premature EOF" in text or "Incomplete or empty" in text:
            problem(
                f"{where}: the file ends in the middle of record {offset + n + 1} "
                f"({offset + n} records read): the export is incomplete; download it again"
            )
        else:
            reason = text.splitlines()[0] if text else "invalid JSON"
            problem(
                f"{where}: invalid JSON after {offset + n} records read ({reason}); those "
                "records were audited: download the export again"
            )
    finally:
        if bad:
            problem(f"{where}: {bad} record(s) of an unexpected shape skipped ({first_bad})")


class _TooDeep(Exception):
    pass


MAX_DEPTH = 64
_START = {"start_map": dict, "start_array": list}


def _items(stream: BinaryIO, key: str | tuple[str, ...] | None = None) -> Iterator[Any]:
    """The elements of the top-level array (or, with `key`, of the array under that key of a
    top-level object; the first present of several keys), built from ijson's basic events.

    ijson's own `items` tracks a dotted prefix per value, which costs quadratic time on deeply
    nested input; this builder keeps a stack and refuses depths no export has. The records'
    array is never filled: each element is handed out as it completes, so memory stays flat.
    """
    stack: list[Any] = []
    keys: list[str | None] = []
    records: list[Any] | None = None
    wanted = (key,) if isinstance(key, str) else key
    for event, value in ijson.basic_parse(stream, use_float=True):
        if event in _START:
            container = _START[event]()
            if (
                records is None
                and event == "start_array"
                and ((key is None and not stack) or (len(stack) == 1 and keys[-1] in wanted))
            ):
                records = container
            elif stack:
                _add(stack, keys, container)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep
            stack.append(container)
            keys.append(None)
        elif event == "map_key":
            keys[-1] = value
        elif event in ("end_map", "end_array"):
            done = stack.pop()
            keys.pop()
            if records is not None and stack and stack[-1] is records:
                records.clear()
                yield done
            elif key is None and records is None and not stack and isinstance(done, dict):
                yield done  # a bare object where an array was expected
        elif stack:
            _add(stack, keys, value)
    if stack:
        raise ijson.IncompleteJSONError("premature EOF")


def _add(stack: list[Any], keys: list[str | None], value: Any) -> None:
    top = stack[-1]
    if isinstance(top, list):
        top.append(value)
    else:
        top[keys[-1]] = value
