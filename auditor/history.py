"""The audit history: one owner-only SQLite file recording each scan and audit with its
findings' fingerprints, checks, severities and account keys, and the summary counts. Never a
post's text, a post id, a URL or a secret: what is kept says which finding was open when, not
what it was about. Two audits compared give what changed (`Changes`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from auditor.model import PHOTO_EVIDENCE
from auditor.private_db import open_private_db


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("auditor")) / "history.sqlite"


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str  # the report's generated_at
    command: str  # scan | audit
    accounts: tuple[str, ...]
    summary: dict[str, Any]


@dataclass(frozen=True)
class Seen:
    """One finding as an audit recorded it."""

    fingerprint: str
    check: str
    severity: str
    account: str
    muted: bool


@dataclass(frozen=True)
class Changes:
    """From audit `before` to audit `after`: each list holds the findings as `after` saw them
    (or, for `resolved`, as `before` did)."""

    before: int | None
    after: int
    new: tuple[Seen, ...]
    still_open: tuple[Seen, ...]
    resolved: tuple[Seen, ...]
    reopened: tuple[Seen, ...]


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.db = open_private_db(
            self.path,
            """
            CREATE TABLE IF NOT EXISTS audits (
                id INTEGER PRIMARY KEY, at TEXT NOT NULL, command TEXT NOT NULL,
                accounts TEXT NOT NULL, summary TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS findings (
                audit INTEGER NOT NULL REFERENCES audits(id), fingerprint TEXT NOT NULL,
                check_id TEXT NOT NULL, severity TEXT NOT NULL, account TEXT NOT NULL,
                muted INTEGER NOT NULL, PRIMARY KEY (audit, fingerprint));
            CREATE TABLE IF NOT EXISTS photo_findings (
                audit INTEGER NOT NULL REFERENCES audits(id), fingerprint TEXT NOT NULL,
                PRIMARY KEY (audit, fingerprint));
            CREATE TABLE IF NOT EXISTS photos_unread (
                audit INTEGER PRIMARY KEY REFERENCES audits(id));
            """,
        )

    def close(self) -> None:
        self.db.close()

    def record(self, doc: Mapping[str, Any], command: str) -> int:
        """Keep one report's findings (open and muted) and counts; returns the audit's id."""
        rows = [(f, False) for f in doc.get("findings", [])]
        rows += [(f, True) for f in doc.get("muted", [])]
        accounts = sorted({a["key"] for a in doc.get("accounts", [])})
        with self.db:
            cur = self.db.execute(
                "INSERT INTO audits (at, command, accounts, summary) VALUES (?, ?, ?, ?)",
                (doc["generated_at"], command, json.dumps(accounts), json.dumps(doc["summary"])),
            )
            audit = int(cur.lastrowid or 0)
            self.db.executemany(
                "INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (audit, f["fingerprint"], f["check"], f["severity"], f["account"], int(m))
                    for f, m in rows
                ],
            )
            # what rests on a photo, and whether this audit read the photos: an audit that
            # did not (--no-media, no media extra) cannot say such a finding was resolved
            self.db.executemany(
                "INSERT OR REPLACE INTO photo_findings VALUES (?, ?)",
                [
                    (audit, f["fingerprint"])
                    for f, _ in rows
                    if any(e.get("kind") in PHOTO_EVIDENCE for e in f.get("evidence", ()))
                ],
            )
            if _left_photos_unread(doc):
                self.db.execute("INSERT OR REPLACE INTO photos_unread VALUES (?)", (audit,))
        return audit

    def audits(self) -> list[AuditRow]:
        rows = self.db.execute("SELECT id, at, command, accounts, summary FROM audits ORDER BY id")
        return [
            AuditRow(i, at, cmd, tuple(json.loads(accts)), json.loads(summary))
            for i, at, cmd, accts, summary in rows
        ]

    def seen(self, audit: int) -> dict[str, Seen]:
        rows = self.db.execute(
            "SELECT fingerprint, check_id, severity, account, muted FROM findings WHERE audit = ?",
            (audit,),
        )
        return {r[0]: Seen(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows}

    def audit(self, audit: int) -> AuditRow | None:
        return next((a for a in self.audits() if a.id == audit), None)

    def previous(self, audit: int) -> AuditRow | None:
        """The last audit before `audit` of any of the same accounts: what "since last audit"
        compares with (a scan of another person's archive in between is not it)."""
        rows = self.audits()
        current = next((a for a in rows if a.id == audit), None)
        if current is None:
            return None
        earlier = [a for a in rows if a.id < audit and set(a.accounts) & set(current.accounts)]
        return earlier[-1] if earlier else None

    def recent(self, audit: int, count: int = 12) -> list[AuditRow]:
        """Up to `count` audits of the same accounts, oldest first, ending with `audit`."""
        rows = self.audits()
        current = next((a for a in rows if a.id == audit), None)
        if current is None:
            return []
        mine = set(current.accounts)
        return [a for a in rows if a.id <= audit and set(a.accounts) & mine][-count:]

    def changes(self, before: int | None, after: int) -> Changes:
        """What changed from `before` (None: nothing recorded yet) to `after`, for the accounts
        `after` audited (an account left out is not resolved). A finding is reopened when
        `before` had it muted (the mute expired or was removed), or when an audit earlier than
        `before` had it open and `before` did not."""
        now = {fp: s for fp, s in self.seen(after).items() if not s.muted}
        row = self.audit(after)
        audited = set(row.accounts) if row else set()
        then = self.seen(before) if before is not None else {}
        then = {fp: s for fp, s in then.items() if s.account in audited}
        open_then = {fp for fp, s in then.items() if not s.muted}
        if before is not None and self._photos_unread(after):
            open_then -= self._photo_findings(before)
        earlier = self._open_before(before) if before is not None else set()
        reopened = {
            fp
            for fp in now
            if (fp in then and then[fp].muted) or (fp not in then and fp in earlier)
        }
        return Changes(
            before,
            after,
            new=_sorted(now[fp] for fp in now if fp not in then and fp not in reopened),
            still_open=_sorted(now[fp] for fp in now if fp in open_then),
            resolved=_sorted(then[fp] for fp in open_then if fp not in now),
            reopened=_sorted(now[fp] for fp in reopened),
        )

    def _photos_unread(self, audit: int) -> bool:
        row = self.db.execute("SELECT 1 FROM photos_unread WHERE audit = ?", (audit,))
        return row.fetchone() is not None

    def _photo_findings(self, audit: int) -> set[str]:
        rows = self.db.execute("SELECT fingerprint FROM photo_findings WHERE audit = ?", (audit,))
        return {r[0] for r in rows}

    def _open_before(self, audit: int) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT fingerprint FROM findings WHERE audit < ? AND muted = 0", (audit,)
        )
        return {r[0] for r in rows}


def keep(doc: dict[str, Any], command: str, path: Path | None, warn: Callable[[str], None]) -> None:
    """Record the audit and give its report the `changes` object. A history that cannot be
    written is a warning and a report without `changes`, never a lost report."""
    try:
        history = History(path)
        try:
            doc["changes"] = report_changes(history, history.record(doc, command))
        finally:
            history.close()
    except (sqlite3.Error, OSError) as exc:
        warn(f"warning: the audit history was not recorded ({exc}); the report is complete")


def report_changes(history: History, audit: int) -> dict[str, Any]:
    """The report's `changes` object: this audit against the last one of the same accounts,
    and the recent audits' counts for the trend chart."""
    before = history.previous(audit)
    changes = history.changes(before.id if before else None, audit)

    def entries(items: tuple[Seen, ...]) -> list[dict[str, str]]:
        return [
            {
                "fingerprint": s.fingerprint,
                "check": s.check,
                "severity": s.severity,
                "account": s.account,
            }
            for s in items
        ]

    return {
        "audit": audit,
        "previous": {"audit": before.id, "at": before.at} if before else None,
        "new": entries(changes.new) if before else [],
        "reopened": entries(changes.reopened),
        "resolved": entries(changes.resolved),
        "still_open": len(changes.still_open),
        "recent": [
            {
                "audit": a.id,
                "at": a.at,
                "findings": a.summary.get("findings", 0),
                "muted": a.summary.get("muted", 0),
                "by_severity": a.summary.get("by_severity", {}),
            }
            for a in history.recent(audit)
        ],
    }


def _sorted(items: Any) -> tuple[Seen, ...]:
    return tuple(sorted(items, key=lambda s: (s.account, s.check, s.fingerprint)))


def _left_photos_unread(doc: Mapping[str, Any]) -> bool:
    """Whether some source's attached photos were left unread, or read for location only."""
    for src in doc.get("coverage", {}).get("sources", ()):
        photos = src.get("photos")
        if photos and (photos["disabled"] or photos["missing_engines"]):
            return True
    return False
