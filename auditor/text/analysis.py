"""One pass of text analysis per post: every recogniser at once, spans out.

The recognisers live in `recognisers.toml`. They are compiled once into a Hyperscan database
(multi-pattern matching in C, one scan per text, each recogniser reported once) that says which
kinds occur in each text. Most posts fire no check, and a check looks at the kinds before it
looks at any span, so the spans are found only when first asked for, by a second database
that also tracks where each match starts (which doubles the scan time, so it is spent only on
those texts). Where Hyperscan is not installed, the same patterns run through Python's `re`,
much slower (it tries a word list's alternatives one by one) but with the same results.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Sequence
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


class Analysis:
    """What the recognisers found in one text: the kinds at once, the spans when first read."""

    __slots__ = ("_analyser", "_pids", "_spans", "_text", "kinds")

    def __init__(
        self,
        kinds: frozenset[str],
        spans: tuple[Span, ...] | None = None,
        *,
        text: str = "",
        pids: tuple[int, ...] = (),
        analyser: Analyser | None = None,
    ) -> None:
        self.kinds = kinds
        self._spans = spans
        self._text = text
        self._pids = pids
        self._analyser = analyser

    @property
    def spans(self) -> tuple[Span, ...]:
        """Every span in text order; of one kind, a span inside an earlier one is left out."""
        if self._spans is None:
            self._spans = self._analyser._spans(self._text, self._pids)  # type: ignore[union-attr]
            self._analyser = None
        return self._spans

    def of(self, kind: str) -> tuple[Span, ...]:
        if kind not in self.kinds:
            return ()
        return tuple(s for s in self.spans if s.kind == kind)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Analysis):
            return NotImplemented
        return self.kinds == other.kinds and self.spans == other.spans

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Analysis(kinds={sorted(self.kinds)!r})"


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: str
    caseless: bool
    presence: bool = False  # only whether the kind occurs matters: keep its first span alone
    literal: bool = False  # built from a `words` list: an alternation of literal phrases


# A span as the worker sends it, and what it sends for a batch: the ids per text, and the
# spans of the texts it found them for.
SpanTuple = tuple[str, int, int, str]
Scan = tuple[list[list[int]], list[tuple[SpanTuple, ...] | None]]

EMPTY = Analysis(frozenset(), ())
KINDSETS_MAX = 16384


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
        for regex in _word_patterns(rec.get("words", ())):
            out.append(Pattern(rec["kind"], regex, caseless, presence, literal=True))
    return tuple(out)


def _word_patterns(words: Sequence[str]) -> list[str]:
    """Alternations of literal phrases, each side bounded by `\b` only where the phrase has a
    word character there: `\b` before "#ad" or "🍸" could never match after a space."""
    groups: dict[tuple[bool, bool], list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        groups.setdefault((_wordy(w[0]), _wordy(w[-1])), []).append(re.escape(w))
    return [
        ("\\b" if left else "") + f"({'|'.join(ws)})" + ("\\b" if right else "")
        for (left, right), ws in groups.items()
    ]


def _wordy(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


class Analyser:
    """Annotates texts; build once (compiling takes a moment), use for every post."""

    def __init__(self, patterns: tuple[Pattern, ...] | None = None, engine: str = "auto") -> None:
        self.patterns = patterns if patterns is not None else load_patterns()
        if engine == "auto":
            engine = "hyperscan" if hyperscan is not None else "re"
        self.engine = engine
        self._kinds = [p.kind for p in self.patterns]
        self._presence = [p.presence for p in self.patterns]
        self._literal = [p.literal for p in self.patterns]
        self._compiled: list[re.Pattern[str] | None] = [None] * len(self.patterns)
        if engine == "re":
            self._compiled = [_compile(p) for p in self.patterns]
        elif engine == "hyperscan":
            self._db = _hyperscan_db(self.patterns, starts=False)
        self._som_db: object | None = None
        # A feed repeats the same sets of recognisers, so each set of kinds is built once and
        # shared by every post that has it.
        self._kindsets: dict[tuple[int, ...], frozenset[str]] = {}

    def analyse(self, text: str) -> Analysis:
        return self.analyse_many((text,))[0]

    def analyse_many(self, texts: Sequence[str]) -> list[Analysis]:
        """Annotate a batch of texts (the `re` engine and the callers share this shape)."""
        return self.analyses(texts, self.occurring(texts))

    def occurring(self, texts: Sequence[str]) -> list[list[int]]:
        """The ids of the recognisers that match in each text (what a worker computes)."""
        if self.engine == "hyperscan":
            return self._occurring_hyperscan(texts)
        return [
            [pid for pid, rx in enumerate(self._compiled) if rx.search(text)]  # type: ignore[union-attr]
            for text in texts
        ]

    def occurring_with_spans(
        self, texts: Sequence[str], wants_spans: Callable[[frozenset[str]], bool]
    ) -> Scan:
        """`occurring`, plus the spans (as plain tuples, cheap to send) of each text whose
        kinds `wants_spans`: what a worker computes ahead for the checks."""
        found = self.occurring(texts)
        kinds = self._kinds
        spans: list[tuple[SpanTuple, ...] | None] = []
        for text, pids in zip(texts, found, strict=True):
            if pids and wants_spans(frozenset([kinds[p] for p in pids])):
                got = self._spans(text, tuple(pids))
                spans.append(tuple((s.kind, s.start, s.end, s.text) for s in got))
            else:
                spans.append(None)
        return found, spans

    def analyses(
        self,
        texts: Sequence[str],
        found: Sequence[Sequence[int]],
        spans: Sequence[tuple[SpanTuple, ...] | None] | None = None,
    ) -> list[Analysis]:
        """The analyses of texts whose recogniser ids `occurring` gave (and, for some, their
        spans, found ahead)."""
        kinds, kindsets = self._kinds, self._kindsets
        out = []
        for n, (text, pids) in enumerate(zip(texts, found, strict=True)):
            if not pids:
                out.append(EMPTY)
                continue
            # each id once: enumerate gives them so, and Hyperscan in single-match mode
            key = tuple(pids)
            kindset = kindsets.get(key)
            if kindset is None:
                if len(kindsets) >= KINDSETS_MAX:
                    kindsets.clear()
                kindset = kindsets[key] = frozenset([kinds[p] for p in pids])
            ahead = spans[n] if spans is not None else None
            if ahead is not None:
                out.append(Analysis(kindset, tuple(Span(*s) for s in ahead)))
            else:
                out.append(Analysis(kindset, text=text, pids=key, analyser=self))
        return out

    def _occurring_hyperscan(self, texts: Sequence[str]) -> list[list[int]]:
        """The ids of the recognisers that match in each text. The database reports each
        recogniser once per scan (single-match mode), so a text is scanned on its own: a
        common word list then costs one callback a post, not one per occurrence."""
        scan, found = self._db.scan, []
        for text in texts:
            pids: list[int] = []
            scan(text.encode("utf-8", "surrogatepass"), match_event_handler=_add, context=pids)
            found.append(pids)
        return found

    def _spans(self, text: str, pids: tuple[int, ...]) -> tuple[Span, ...]:
        data = text.encode("utf-8", "surrogatepass")
        hits: list[tuple[int, int, int]] = []
        by_re = pids
        if self.engine == "hyperscan":
            # Word lists, by far the largest patterns, through a start-tracking database of
            # their own (cheap for literals); the few regexes a post holds through `re`, which
            # costs less than tracking starts for every regex over the whole text.
            literal = self._literal
            if any(literal[p] for p in pids):
                if self._som_db is None:
                    words = [i for i, p in enumerate(self.patterns) if p.literal]
                    self._som_db = _hyperscan_db(
                        tuple(self.patterns[i] for i in words), starts=True, ids=words
                    )
                add = hits.append

                def on_match(pid: int, start: int, end: int, flags: int, ctx: object) -> None:
                    add((start, -end, pid))

                self._som_db.scan(data, match_event_handler=on_match)
            by_re = tuple(p for p in pids if not literal[p])
        ascii_only = len(data) == len(text)
        for pid in by_re:
            rx = self._compiled[pid]
            if rx is None:
                rx = self._compiled[pid] = _compile(self.patterns[pid])
            for m in rx.finditer(text):
                start, end = m.span()
                if not ascii_only:
                    start = len(text[:start].encode("utf-8", "surrogatepass"))
                    end = start + len(m.group().encode("utf-8", "surrogatepass"))
                hits.append((start, -end, pid))
        hits.sort()
        kinds, presence = self._kinds, self._presence
        reach: dict[str, int] = {}
        spans: list[Span] = []
        for start, neg_end, pid in hits:
            end = -neg_end
            kind = kinds[pid]
            if reach.get(kind, -1) >= end or (presence[pid] and kind in reach):
                continue  # the same span again, inside a longer one, or a kind seen once is enough
            reach[kind] = end
            spans.append(Span(kind, start, end, data[start:end].decode("utf-8", "replace")))
        return tuple(spans)


def _compile(p: Pattern) -> re.Pattern[str]:
    return re.compile(p.regex, re.ASCII | (re.IGNORECASE if p.caseless else 0))


def _add(pid: int, start: int, end: int, flags: int, pids: list[int]) -> None:
    pids.append(pid)


def _hyperscan_db(
    patterns: tuple[Pattern, ...], *, starts: bool, ids: list[int] | None = None
) -> object:
    """Compile a database, or load it from the cache: compiling takes seconds. With `starts`,
    matches report where they start (leftmost), which the spans need. `ids` are the ids the
    matches report (by default the patterns' positions)."""
    ids = ids if ids is not None else list(range(len(patterns)))
    # Byte mode, no HS_FLAG_UTF8: with start-of-match tracking it crashed on some texts, and
    # byte mode needs no valid UTF-8 (a lone surrogate in an export cannot hurt it).
    # Without `starts` the database only says which recognisers occur: once each is enough.
    som = hyperscan.HS_FLAG_SOM_LEFTMOST if starts else hyperscan.HS_FLAG_SINGLEMATCH
    flags = [som | (hyperscan.HS_FLAG_CASELESS if p.caseless else 0) for p in patterns]
    digest = hashlib.sha256(
        repr(
            (
                getattr(hyperscan, "__version__", ""),
                [(p.regex, f, i) for p, f, i in zip(patterns, flags, ids, strict=True)],
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
        ids=ids,
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
        _prune(cached.parent)
    except OSError:
        pass  # a read-only home only costs the compile time on each run
    return db


CACHE_KEEP = 4  # two databases a version: the current one and the one before


def _prune(folder: Path) -> None:
    """Drop the databases of older recognisers, so upgrades do not pile them up."""
    old = sorted(folder.glob("recognisers-*.hsdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in old[CACHE_KEEP:]:
        path.unlink(missing_ok=True)


@cache
def default_analyser() -> Analyser:
    return Analyser()
