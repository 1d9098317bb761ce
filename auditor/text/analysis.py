"""One pass of text analysis per post: every recogniser at once, spans out.

The recognisers live in `recognisers.toml`. They are compiled once into a single Hyperscan
database (multi-pattern matching in C, one scan per text); where Hyperscan is not installed,
the same patterns run through Python's `re`, slower but with the same results.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

try:
    import hyperscan
except ImportError:  # no wheel for this platform: the `re` engine below takes over
    hyperscan = None


@dataclass(frozen=True, slots=True)
class Span:
    """A recognised piece of a post. Offsets are into the post's UTF-8 bytes."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Analysis:
    spans: tuple[Span, ...]
    kinds: frozenset[str]

    def of(self, kind: str) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if s.kind == kind)


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: str
    caseless: bool
    presence: bool = False  # only whether the kind occurs matters: keep its first span alone


EMPTY = Analysis((), frozenset())
# Joins a batch of texts for one scan. No recogniser can match across it: `.` and the negated
# classes stop at a newline, `\s` stops at the NUL, and `\b` sees non-word characters.
SEPARATOR = b"\n\x00\n"


def load_patterns() -> tuple[Pattern, ...]:
    data = tomllib.loads(
        resources.files("auditor.text").joinpath("recognisers.toml").read_text("utf-8")
    )
    out: list[Pattern] = []
    for rec in data["recogniser"]:
        caseless = rec.get("caseless", True)
        presence = rec.get("presence", False)
        for regex in rec.get("patterns", ()):
            out.append(Pattern(rec["kind"], regex, caseless, presence))
        words = rec.get("words")
        if words:
            alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            out.append(Pattern(rec["kind"], rf"\b({alternation})\b", caseless, presence))
    return tuple(out)


class Analyser:
    """Annotates texts with spans; build once (compiling takes a moment), use for every post."""

    def __init__(self, patterns: tuple[Pattern, ...] | None = None, engine: str = "auto") -> None:
        self.patterns = patterns if patterns is not None else load_patterns()
        if engine == "auto":
            engine = "hyperscan" if hyperscan is not None else "re"
        self.engine = engine
        self._kinds = [p.kind for p in self.patterns]
        self._presence = [p.presence for p in self.patterns]
        if engine == "hyperscan":
            self._db = _hyperscan_db(self.patterns)
        else:
            self._compiled = [
                re.compile(p.regex, re.ASCII | (re.IGNORECASE if p.caseless else 0))
                for p in self.patterns
            ]

    def analyse(self, text: str) -> Analysis:
        return self.analyse_many((text,))[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Analysis]:
        """Annotate a batch of texts: one Hyperscan call for all of them, which saves the
        per-call cost that dominates on short posts."""
        datas = [t.encode("utf-8", "surrogatepass") for t in texts]
        # (start, -end, pattern) per match, offsets into the joined buffer
        found: list[tuple[int, int, int]] = []
        starts: list[int] = []
        pos = 0
        for d in datas:
            starts.append(pos)
            pos += len(d) + len(SEPARATOR)
        if self.engine == "hyperscan":
            add = found.append

            def on_match(pid: int, start: int, end: int, flags: int, ctx: object) -> None:
                add((start, -end, pid))

            self._db.scan(SEPARATOR.join(datas), match_event_handler=on_match)
        else:
            for base, text in zip(starts, texts, strict=True):
                for pid, rx in enumerate(self._compiled):
                    for m in rx.finditer(text):
                        start = base + len(text[: m.start()].encode("utf-8", "surrogatepass"))
                        end = start + len(m.group().encode("utf-8", "surrogatepass"))
                        found.append((start, -end, pid))
        found.sort()
        out = [EMPTY] * len(datas)
        kinds, presence = self._kinds, self._presence
        i, n = 0, len(datas)
        spans: list[Span] = []
        reach: dict[str, int] = {}

        def close(index: int) -> None:
            if spans:
                out[index] = Analysis(tuple(spans), frozenset(reach))

        for start, neg_end, pid in found:
            if i + 1 < n and start >= starts[i + 1]:
                close(i)
                spans, reach = [], {}
                while i + 1 < n and start >= starts[i + 1]:
                    i += 1
            end = -neg_end
            kind = kinds[pid]
            if reach.get(kind, -1) >= end or (presence[pid] and kind in reach):
                continue  # the same span again, inside a longer one, or a kind seen once is enough
            reach[kind] = end
            base = starts[i]
            data = datas[i]
            spans.append(
                Span(
                    kind,
                    start - base,
                    end - base,
                    data[start - base : end - base].decode("utf-8", "replace"),
                )
            )
        close(i)
        return out


def _hyperscan_db(patterns: tuple[Pattern, ...]) -> object:
    """Compile the database, or load it from the cache: compiling takes over a second."""
    # No HS_FLAG_UTF8: with start-of-match tracking it crashed on some texts, and byte mode
    # needs no valid UTF-8 (a lone surrogate in an export cannot hurt it).
    flags = [
        hyperscan.HS_FLAG_SOM_LEFTMOST | (hyperscan.HS_FLAG_CASELESS if p.caseless else 0)
        for p in patterns
    ]
    digest = hashlib.sha256(
        repr(
            (
                getattr(hyperscan, "__version__", ""),
                [(p.regex, f) for p, f in zip(patterns, flags, strict=True)],
            )
        ).encode()
    ).hexdigest()[:24]
    cached = Path(platformdirs.user_cache_dir("auditor")) / f"recognisers-{digest}.hsdb"
    try:
        db = hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)
        return db
    except (OSError, hyperscan.error, TypeError, ValueError):
        pass
    db = hyperscan.Database()
    db.compile(
        expressions=[p.regex.encode() for p in patterns],
        ids=list(range(len(patterns))),
        elements=len(patterns),
        flags=flags,
    )
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(hyperscan.dumpb(db))
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only home only costs the compile time on each run
    return db


@cache
def default_analyser() -> Analyser:
    return Analyser()
