"""Have I Been Pwned's Pwned Passwords, by k-anonymity: only the first 5 hex characters of a
password's SHA-1 leave the machine; the service answers every suffix it knows under that
prefix, and the match is made here. `Add-Padding: true` makes every answer the same size;
padded entries (count 0) are ignored. Answers are cached by prefix, for a week, in an
owner-only file, and at most four prefixes are asked at once."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import platformdirs

from auditor import net

CONCURRENCY = 4
CACHE_TTL_S = 7 * 86400


class PwnedPasswords:
    def __init__(self, base_url: str, cache_dir: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        tag = hashlib.sha256(self.base_url.encode()).hexdigest()[:12]  # one cache per service
        self.cache_dir = cache_dir or Path(platformdirs.user_cache_dir("auditor")) / f"pwned-{tag}"
        self.fetched: list[str] = []  # prefixes asked of the service this run (for tests)

    def counts(self, passwords: Iterable[str]) -> dict[str, int]:
        """How often each password appears in known breaches (0: not found)."""
        by_hash = {hashlib.sha1(p.encode("utf-8")).hexdigest().upper(): p for p in passwords}
        prefixes = sorted({h[:5] for h in by_hash})
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            answers = dict(zip(prefixes, pool.map(self._range, prefixes), strict=True))
        return {p: answers[h[:5]].get(h[5:], 0) for h, p in by_hash.items()}

    def _range(self, prefix: str) -> dict[str, int]:
        cached = self._cached(prefix)
        if cached is None:
            resp = net.get(f"{self.base_url}/range/{prefix}", headers={"Add-Padding": "true"})
            self.fetched.append(prefix)
            cached = resp.text
            self._store(prefix, cached)
        out = {}
        for line in cached.splitlines():
            suffix, _, count = line.strip().partition(":")
            if count.isdigit() and int(count) > 0:  # padding entries have a count of 0
                out[suffix.upper()] = int(count)
        return out

    def _path(self, prefix: str) -> Path:
        return self.cache_dir / f"{prefix}.json"

    def _cached(self, prefix: str) -> str | None:
        try:
            doc = json.loads(self._path(prefix).read_text("utf-8"))
            if time.time() - float(doc["fetched"]) < CACHE_TTL_S:
                return str(doc["body"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _store(self, prefix: str, body: str) -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self._path(prefix).with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"fetched": time.time(), "body": body}, out)
            os.replace(tmp, self._path(prefix))
        except OSError:
            pass  # an unwritable cache only costs asking again next time
