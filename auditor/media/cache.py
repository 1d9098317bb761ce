"""What the media stage saw in each photo, by the photo's content hash, so the next audit
analyses only new photos. An owner-only SQLite file in the user data directory; it holds the
text read from photos, so it is private like the live post cache. Delete it to forget."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from auditor.private_db import open_private_db

SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    digest TEXT NOT NULL,
    analyser TEXT NOT NULL,
    result TEXT NOT NULL,
    seen TEXT NOT NULL,
    PRIMARY KEY (digest, analyser)
);
"""


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("auditor")) / "media-cache.sqlite"


class MediaCache:
    """get/put of one photo's result; a cache that cannot be opened is simply not used."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self._db = open_private_db(self.path, SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.problem = (
                f"{self.path}: the media cache cannot be used ({exc}); every photo is read"
            )

    def get(self, digest: str, analyser: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT result FROM photos WHERE digest = ? AND analyser = ?", (digest, analyser)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def put(self, digest: str, analyser: str, result: dict[str, Any]) -> None:
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO photos VALUES (?, ?, ?, ?)",
                (digest, analyser, json.dumps(result), datetime.now(UTC).isoformat()),
            )
        except sqlite3.Error as exc:
            self.problem = f"{self.path}: the media cache cannot be written ({exc})"
            self._db = None

    def commit(self) -> None:
        if self._db is not None:
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                self.problem = f"{self.path}: the media cache cannot be written ({exc})"

    def close(self) -> None:
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None
