"""Have I Been Pwned's public list of breached sites (GET /breaches, no key needed): which
site lost which data, and when. Cached for a day in the user cache (it names sites, not the
user), and looked up by domain or parent domain."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs

from auditor import net

CACHE_TTL_S = 86400


@dataclass(frozen=True)
class Breach:
    name: str
    domain: str
    breach_date: date
    data: tuple[str, ...]  # the kinds of data taken ("Passwords", "Email addresses")

    @classmethod
    def from_record(cls, rec: Any) -> Breach | None:
        """A breach from one of HIBP's breach records; None for a record we cannot read."""
        try:
            return cls(
                str(rec["Name"]),
                str(rec.get("Domain") or "").casefold(),
                date.fromisoformat(str(rec["BreachDate"])),
                tuple(str(d) for d in rec.get("DataClasses") or ()),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def summary(self) -> str:
        """ "Adobe, 2013-10-04: Email addresses, Passwords, ...": for a finding's evidence."""
        return f"{self.name}, {self.breach_date.isoformat()}: " + ", ".join(self.data[:6])


class BreachList:
    def __init__(self, base_url: str, cache_dir: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        # one file per service address: a mirror's list never stands in for another's
        tag = hashlib.sha256(self.base_url.encode()).hexdigest()[:12]
        self.cache_file = (cache_dir or Path(platformdirs.user_cache_dir("auditor"))) / (
            f"hibp-breaches-{tag}.json"
        )
        self._by_domain: dict[str, list[Breach]] | None = None

    def for_domain(self, domain: str) -> list[Breach]:
        """The breaches of a site or its nearest listed parent domain."""
        by_domain = self._load()
        name = domain.casefold()
        while name and "." in name:
            if name in by_domain:
                return by_domain[name]
            name = name.partition(".")[2]
        return []

    def _load(self) -> dict[str, list[Breach]]:
        if self._by_domain is None:
            raw = self._cached()
            if raw is None:
                raw = net.get(f"{self.base_url}/breaches").text
                self._store(raw)
            self._by_domain = {}
            for rec in json.loads(raw):
                b = Breach.from_record(rec)
                if b is not None and b.domain:
                    self._by_domain.setdefault(b.domain, []).append(b)
        return self._by_domain

    def _cached(self) -> str | None:
        try:
            if time.time() - self.cache_file.stat().st_mtime < CACHE_TTL_S:
                return self.cache_file.read_text("utf-8")
        except OSError:
            pass
        return None

    def _store(self, raw: str) -> None:
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(raw, "utf-8")
            os.replace(tmp, self.cache_file)
        except OSError:
            pass
