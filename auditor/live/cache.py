"""The live connectors' post cache: one SQLite file in the user data directory, owner-only,
holding each account's fetched posts so the next audit fetches only new ones.

A walk of the whole history (the first audit, `--refresh`, a week after the last one, or when
the platform counts fewer posts than the cache holds) also finds the posts deleted since: those
leave the cache, so their findings resolve. Nothing here is sent anywhere."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from auditor.model import Post
from auditor.private_db import open_private_db

FULL_WALK_EVERY = timedelta(days=7)
# every field of a Post but its time, which has a column of its own
_FIELDS = tuple(f.name for f in dataclasses.fields(Post) if f.name != "created_at")


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("auditor")) / "live-cache.sqlite"


class PostCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.db = open_private_db(
            self.path,
            """
            CREATE TABLE IF NOT EXISTS posts (
                account TEXT NOT NULL, id TEXT NOT NULL, created_at TEXT, data TEXT NOT NULL,
                PRIMARY KEY (account, id));
            CREATE TABLE IF NOT EXISTS walks (account TEXT PRIMARY KEY, full_at TEXT NOT NULL);
            """,
        )

    def close(self) -> None:
        self.db.close()

    def ids(self, account: str) -> set[str]:
        rows = self.db.execute("SELECT id FROM posts WHERE account = ?", (account,))
        return {r[0] for r in rows}

    def count(self, account: str, reposts: bool = True) -> int:
        sql = "SELECT count(*) FROM posts WHERE account = ?"
        if not reposts:
            sql += " AND NOT json_extract(data, '$.is_repost')"
        return int(self.db.execute(sql, (account,)).fetchone()[0])

    def put(self, posts: Iterable[Post]) -> None:
        rows = [
            (
                p.account,
                p.id,
                p.created_at.isoformat() if p.created_at else None,
                json.dumps({k: getattr(p, k) for k in _FIELDS}),  # tuples become lists
            )
            for p in posts
        ]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)", rows)

    def delete(self, account: str, ids: Iterable[str]) -> None:
        with self.db:
            self.db.executemany(
                "DELETE FROM posts WHERE account = ? AND id = ?", [(account, i) for i in ids]
            )

    def forget(self, account: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM posts WHERE account = ?", (account,))
            self.db.execute("DELETE FROM walks WHERE account = ?", (account,))

    def posts(self, account: str) -> Iterator[Post]:
        """The account's cached posts, newest first (the order the platforms page in)."""
        rows = self.db.execute(
            "SELECT created_at, data FROM posts WHERE account = ? "
            "ORDER BY created_at DESC, id DESC",
            (account,),
        )
        for created, data in rows:
            fields = {
                k: tuple(v) if isinstance(v, list) else v
                for k, v in json.loads(data).items()
                if k in _FIELDS
            }
            yield Post(created_at=datetime.fromisoformat(created) if created else None, **fields)

    def walked(self, account: str, now: datetime | None = None) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO walks VALUES (?, ?)",
                (account, (now or datetime.now(UTC)).isoformat()),
            )

    def needs_full_walk(self, account: str, now: datetime | None = None) -> bool:
        row = self.db.execute("SELECT full_at FROM walks WHERE account = ?", (account,)).fetchone()
        if row is None:
            return True
        return (now or datetime.now(UTC)) - datetime.fromisoformat(row[0]) > FULL_WALK_EVERY
