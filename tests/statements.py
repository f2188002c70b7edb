"""Counting the SQL statements a piece of code sends (SQLAlchemy's cursor events)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.store.database import Database

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def counting_statements(db: Database) -> Iterator[StatementLog]:
    """Every statement sent to the database meanwhile (an executemany counts once: it is
    one round trip for the rows of one INSERT)."""
    log = StatementLog()

    def seen(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return  # every transaction has one; SQLite's BEGIN IMMEDIATE is merely visible
        log.statements.append(" ".join(statement.split())[:120])

    event.listen(db.sync_engine, "before_cursor_execute", seen)
    try:
        yield log
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", seen)
