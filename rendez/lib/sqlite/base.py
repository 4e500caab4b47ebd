"""Django's SQLite backend whose writers queue in `WRITE_LOCK` (rendez/lib/write_lock.py) before SQLite's
lock.

Two ways to write:
- a transaction (`transaction.atomic`): settings open it with `BEGIN IMMEDIATE`, which takes SQLite's write
  lock up front; the process-wide queue is joined just before and left at COMMIT, ROLLBACK or close;
- a statement in autocommit mode (a `save()` or `update()` outside `atomic`, the job claim): the queue is
  joined around that one statement when it writes.

Reads in autocommit mode (every request that only reads) never queue.

An autocommit INSERT ... RETURNING commits when its row has been fetched, just after the queue was left; a
writer that slips into that moment meets SQLite's busy handler for as long, which is all it used to do.

Waiting in the queue is bounded by the same `timeout` as SQLite's busy handler, and ends with the same
"database is locked" error, so a thread that waits for another while holding a transaction fails as before
instead of hanging.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base as sqlite_base

from rendez.lib.write_lock import WRITE_LOCK

# Statements that cannot write; anything else (INSERT, UPDATE, DELETE, REPLACE, DDL, WITH ... UPDATE) queues.
READ_ONLY = re.compile(r"\s*(SELECT|PRAGMA|EXPLAIN|VALUES|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN)\b", re.I)
READ_ONLY_WITH = re.compile(r"\s*WITH\b(?!.*\b(INSERT|UPDATE|DELETE|REPLACE)\b)", re.I | re.S)
DEFAULT_TIMEOUT = 5.0  # sqlite3.connect's default


def writes(query: str) -> bool:
    return not (READ_ONLY.match(query) or READ_ONLY_WITH.match(query))


def join_queue(timeout: float) -> None:
    if not WRITE_LOCK.acquire(timeout):
        raise sqlite3.OperationalError(f"database is locked (waited {timeout:g} s for the write queue)")


class QueuedCursor(sqlite_base.SQLiteCursorWrapper):
    """Autocommit writes wait their turn; statements inside a transaction already hold it."""

    queue_timeout = DEFAULT_TIMEOUT

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction or not writes(query):
            return super().execute(query, params)
        join_queue(self.queue_timeout)
        try:
            return super().execute(query, params)
        finally:
            WRITE_LOCK.release()

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction or not writes(query):
            return super().executemany(query, param_list)
        join_queue(self.queue_timeout)
        try:
            return super().executemany(query, param_list)
        finally:
            WRITE_LOCK.release()


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holds_write_queue = False
        self.queue_timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.queue_timeout = self.queue_timeout
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        with self.wrap_database_errors:  # a timeout raises django.db.OperationalError, as SQLite's would
            join_queue(self.queue_timeout)
        self.holds_write_queue = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_queue_unless_in_transaction()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_queue_unless_in_transaction()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._leave_queue()

    def _leave_queue_unless_in_transaction(self) -> None:
        # A failed COMMIT leaves the transaction open; the ROLLBACK that follows lets go.
        if self.connection is None or not self.connection.in_transaction:
            self._leave_queue()

    def _leave_queue(self) -> None:
        if self.holds_write_queue:
            self.holds_write_queue = False
            WRITE_LOCK.release()
