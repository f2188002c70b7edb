"""`fadaa backup`: a consistent copy of the SQLite database while the service runs.

SQLite's online backup API copies page by page and restarts the copy of whatever a writer
changed meanwhile, so the file is consistent without stopping the bot; copying the file
(and its -wal) by hand is not. PostgreSQL is backed up with its own tool, pg_dump.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.store.database import StoreUnavailable

PAGES_PER_STEP = 1024  # a writer waits at most one step's copy, not the whole file's


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database at `database_url` to `target`; returns the pages copied."""
    url = make_url(database_url)
    if not url.get_backend_name() == "sqlite":
        raise StoreUnavailable(
            "fadaa backup copies a SQLite database; back PostgreSQL up with pg_dump "
            "(docs/runbook.md, 'Backup and restore')"
        )
    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise StoreUnavailable(f"no SQLite database at {source_path}")
    if target.exists():
        raise StoreUnavailable(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=PAGES_PER_STEP)
        pages: int = copy.execute("PRAGMA page_count").fetchone()[0]
        return pages
    finally:
        copy.close()
        source.close()
