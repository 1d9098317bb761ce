"""A one-line progress display on stderr for work that takes longer than a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Shows "source: 12,345 posts read, 8,100 posts/s", redrawn at most ten times a second.

    Silent when disabled (--quiet) or when the stream is not a terminal, so logs and cron mail
    stay clean.
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, delay: float = 1.0):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.delay = delay
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False
        self._label = ""

    def start(self, label: str) -> None:
        self._label = label
        self._start = time.monotonic()

    def update(self, count: int, unit: str = "posts read") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self._start
        if elapsed < self.delay or now - self._last < 0.1:
            return
        self._last = now
        rate = count / elapsed if elapsed else 0.0
        self.stream.write(f"\r\x1b[K{self._label}: {count:,} {unit}, {rate:,.0f} posts/s")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
