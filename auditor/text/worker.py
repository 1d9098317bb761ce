"""Which recognisers occur in each text, worked out in a second process while the first reads
the export and runs the checks.

The which-kinds scan is about a quarter of an audit's time, and Hyperscan holds the GIL, so a
thread cannot share it; a forked process can, and it inherits the compiled database instead of
loading it again. The texts go over the pipe; the recogniser ids come back, with the spans of
the posts a check will likely read (`PostCheck.wants_spans`). The checks and the findings
stay in the audit's own process, in post order.

A worker that cannot start or dies mid-audit costs only the speed: the caller scans the rest
itself (`WorkerGone`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.text.analysis import Analyser, Scan

# fork shares the compiled database with the child; elsewhere (spawn) the child would compile
# or load it again, which costs more than a small archive's whole scan.
AVAILABLE = sys.platform.startswith("linux")


class WorkerGone(Exception):
    """The worker process stopped answering; scan in-process from here on."""


class KindsWorker:
    """One forked process answering, in order, the batches of texts sent to it."""

    def __init__(
        self, analyser: Analyser, wants_spans: Callable[[frozenset[str]], bool] = lambda k: False
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        # fork: the function and the analyser are inherited, never pickled
        self._proc = ctx.Process(target=_serve, args=(analyser, wants_spans, child), daemon=True)
        self._proc.start()
        child.close()
        self.in_flight = 0

    def submit(self, texts: Sequence[str]) -> None:
        try:
            self._conn.send(list(texts))
        except (OSError, ValueError) as exc:
            raise WorkerGone(str(exc)) from exc
        self.in_flight += 1

    def result(self) -> Scan:
        """The recogniser ids of each text of the oldest batch still in flight, and the spans
        of those whose kinds the checks want spans for."""
        try:
            found = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerGone(str(exc)) from exc
        self.in_flight -= 1
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        self._conn.close()
        self._proc.join(timeout=2)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=2)


def _serve(
    analyser: Analyser, wants_spans: Callable[[frozenset[str]], bool], conn: Connection
) -> None:
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        if texts is None:
            return
        conn.send(analyser.occurring_with_spans(texts, wants_spans))
