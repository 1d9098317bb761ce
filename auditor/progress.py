"""A one-line progress display on stderr for work that takes longer than a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR = 20


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


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

    def update(self, count: int, unit: str = "posts read", total: int | None = None) -> None:
        """With `total`, a bar, the rate in `unit`/s and the time left: "photos [####....]
        120/1,000, 3.2 photos/s, 4 min left"."""
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self._start
        if elapsed < self.delay or now - self._last < 0.1:
            return
        self._last = now
        rate = count / elapsed if elapsed else 0.0
        if total:
            filled = int(BAR * min(count, total) / total)
            left = (total - count) / rate if rate else None
            eta = "" if left is None else f", {_duration(left)} left"
            line = (
                f"{self._label}: [{'#' * filled}{'.' * (BAR - filled)}] {count:,}/{total:,} "
                f"{unit}, {rate:,.1f} {unit}/s{eta}"
            )
        else:
            line = f"{self._label}: {count:,} {unit}, {rate:,.0f} posts/s"
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
