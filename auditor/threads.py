"""Threads: runs of the author's replies to their own posts ("1/ 2/ 3/"), found while posts
stream past.

A thread is judged again as one text, because identifiers spread over its posts (an age in
one, the ward in the next, the day in the third) identify a patient as well as one post
holding all three. Posts are linked by `reply_to_id` within one account. Exports list posts
newest or oldest first, so a thread's posts come close together: a window of the last
`WINDOW` posts (their text, ids and the checks that fired on each) is kept, and a thread is
complete once every post of it has left the window. Memory stays bounded whatever the
archive's size; a thread whose posts lie further apart in the export is judged in parts.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from auditor.model import Post

WINDOW = 2000


@dataclass(eq=False)
class Thread:
    posts: list[Post] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)  # the checks that fired on any of its posts
    alive: int = 0  # its posts still in the window

    def ordered(self) -> list[Post]:
        """Oldest first; undated posts keep the order they came in."""
        dated = [p for p in self.posts if p.created_at is not None]
        if len(dated) < len(self.posts):
            return list(self.posts)
        return sorted(self.posts, key=lambda p: p.created_at)  # type: ignore[arg-type, return-value]


@dataclass(eq=False)
class _Entry:
    post: Post
    fired: tuple[str, ...] = ()
    thread: Thread | None = None
    waiting_on: str | None = None  # the parent id it waits for, when the parent is not yet seen


class ThreadWindow:
    """Feed it every post with the checks that fired on it; it yields finished threads."""

    def __init__(self, window: int = WINDOW) -> None:
        self.window = window
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        # replies whose parent has not come by yet (an export listed newest first)
        self._waiting: dict[tuple[str, str], list[_Entry]] = {}

    def add(self, post: Post, fired: list[str]) -> Iterator[Thread]:
        entry = _Entry(post, tuple(fired))
        key = (post.account, post.id)
        self._entries[key] = entry
        if post.reply_to_id:
            parent = self._entries.get((post.account, post.reply_to_id))
            if parent is not None:
                self._link(parent, entry)
            else:
                entry.waiting_on = post.reply_to_id
                self._waiting.setdefault((post.account, post.reply_to_id), []).append(entry)
        for child in self._waiting.pop(key, ()):
            child.waiting_on = None
            self._link(entry, child)
        while len(self._entries) > self.window:
            _, old = self._entries.popitem(last=False)
            done = self._leave(old)
            if done is not None:
                yield done

    def flush(self) -> Iterator[Thread]:
        """The threads still open at the end of a source."""
        seen: set[int] = set()
        for entry in self._entries.values():
            t = entry.thread
            if t is not None and id(t) not in seen:
                seen.add(id(t))
                yield t
        self._entries.clear()
        self._waiting.clear()

    def _link(self, parent: _Entry, child: _Entry) -> None:
        a, b = parent.thread, child.thread
        if a is None and b is None:
            t = Thread()
            for e in (parent, child):
                self._join(t, e)
        elif a is None or b is None:
            t = a or b
            self._join(t, parent if a is None else child)  # type: ignore[arg-type]
        elif a is not b:
            big, small = (a, b) if len(a.posts) >= len(b.posts) else (b, a)
            big.posts.extend(small.posts)
            big.fired |= small.fired
            big.alive += small.alive
            for e in self._entries.values():
                if e.thread is small:
                    e.thread = big

    @staticmethod
    def _join(thread: Thread, entry: _Entry) -> None:
        entry.thread = thread
        thread.posts.append(entry.post)
        thread.alive += 1
        thread.fired.update(entry.fired)

    def _leave(self, entry: _Entry) -> Thread | None:
        if entry.waiting_on is not None:
            waiting = self._waiting.get((entry.post.account, entry.waiting_on))
            if waiting is not None:
                waiting.remove(entry)
                if not waiting:
                    del self._waiting[(entry.post.account, entry.waiting_on)]
        t = entry.thread
        if t is None:
            return None
        t.alive -= 1
        return t if t.alive == 0 else None
