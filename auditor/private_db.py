"""The auditor's own SQLite files (the live post cache, the audit history): created readable
by the owner only before anything is written to them, and their tables made on first use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def open_private_db(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)  # a file from before, or made by hand, is narrowed too
    db = sqlite3.connect(path)
    db.executescript(schema)
    return db
