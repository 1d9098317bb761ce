"""Direct messages in Meta's exports (Facebook, Messenger, Instagram): one folder per thread.

Each thread is `messages/<box>/<thread>/message_N.json` (`inbox`, `archived_threads`,
`filtered_threads`, `message_requests`, and `e2ee_cabinet` for end-to-end encrypted chats in
newer exports), an object whose `messages` array is streamed. Senders are named, not
identified, so the user's own messages are those sent under the account's own names. Strings
are repaired from Meta's mojibake.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator

import msgspec

from auditor.archive import Archive
from auditor.model import Message
from auditor.sources.base import SourceImport
from auditor.sources.json_stream import RecordReader, records_in
from auditor.sources.meta_text import fix
from auditor.sources.values import epoch_time

THREAD_FILE = re.compile(
    r"(^|/)messages/(inbox|archived_threads|filtered_threads|message_requests|e2ee_cabinet)"
    r"/[^/]+/message_\d+\.json$"
)


class _Uri(msgspec.Struct):
    uri: str = ""


class _Message(msgspec.Struct):
    sender_name: str = ""
    timestamp_ms: int | float | None = None
    content: str | None = None
    photos: list[_Uri] = msgspec.field(default_factory=list)
    videos: list[_Uri] = msgspec.field(default_factory=list)
    is_unsent: bool = False


def thread_files(names: Iterable[str]) -> list[str]:
    return sorted(n for n in names if THREAD_FILE.search(n))


def messages(
    archive: Archive,
    imp: SourceImport,
    files: list[str],
    account_key: str,
    own_names: Iterable[str | None],
    platform: str,
) -> Iterator[Message]:
    """The messages of every thread file, one by one."""
    mine = {n.casefold() for n in own_names if n}
    reader = RecordReader(_Message)
    names = set(archive.names())
    for name in files:
        thread = posixpath.basename(posixpath.dirname(name))
        root = name[: name.index("messages/")]
        for m in records_in(archive, name, imp, reader, "messages"):
            if m.is_unsent or not m.content:
                continue
            when = epoch_time(m.timestamp_ms / 1000) if m.timestamp_ms else None
            media = tuple(
                path
                for u in m.photos + m.videos
                if u.uri and ((path := root + u.uri) in names or (path := u.uri) in names)
            )
            yield Message(
                conversation=thread,
                account=account_key,
                from_user=fix(m.sender_name).casefold() in mine,
                text=fix(m.content),
                sent_at=when,
                platform=platform,
                media=media,
            )
