"""Model rows for the few hot statements written by hand (an upsert, a multi-row insert with a conflict target
the ORM cannot express): columns, parameters and results go through the fields' own conversions, so the
statement stays right when a column is added or a backend stores a type differently (SQLite's datetimes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

M = TypeVar("M", bound=models.Model)


@cache
def insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """Every column of `model` but its generated key, in a fixed order."""
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


def all_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(model._meta.concrete_fields)


def columns(fields: Sequence[models.Field], table: str = "") -> str:
    """The quoted column names of `fields`, each prefixed by `table.` when given."""
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + connection.ops.quote_name(str(field.column)) for field in fields)


def placeholders(fields: Sequence[models.Field], rows: int = 1) -> str:
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return ", ".join([row] * rows)


def params(instance: models.Model, fields: Sequence[models.Field]) -> list[Any]:
    """The values of `instance` for `fields`, as the database takes them."""
    db = _database()
    return [field.get_db_prep_save(field.pre_save(instance, add=True), db) for field in fields]


def _database() -> BaseDatabaseWrapper:
    """This thread's connection itself. `django.db.connection` is a proxy that finds it again on every
    attribute read (a context-local lookup): a booking's rows read it about a hundred times."""
    return connections[DEFAULT_DB_ALIAS]


def cursor() -> CursorWrapper:
    """A cursor for the hand-written hot statements: on PostgreSQL each statement it runs is a server-side
    prepared statement (parsed and planned once per connection, its parameters bound by the server), unless
    settings.DB_PREPARED_STATEMENTS is off (a pooler that cannot keep them: docs/operations.md).

    Only here: the ORM's statements keep Django's client-side binding, whose literal SQL some of them rely on
    (an untyped parameter in a SELECT list is an error with server-side binding). The cursor goes through
    Django's wrappers, so query logging, execute_wrappers and error translation see these statements too."""
    db = _database()
    if db.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        # What BaseDatabaseWrapper.cursor() does, with a cursor class of ours instead of create_cursor's.
        return db._prepare_cursor(_PreparingCursor(db.connection, logged=db.queries_logged))  # type: ignore[attr-defined]


class _PreparingCursor(psycopg.Cursor):
    """psycopg's server-binding cursor, preparing every statement it runs (Django connects with
    prepare_threshold=None, which prepares none by itself). psycopg keeps the last 100 per connection."""

    def __init__(self, connection: Any, *, logged: bool = False) -> None:
        super().__init__(connection)
        self._logged = logged

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None):
        executed = super().execute(query, params, prepare=True, binary=binary)
        if self._logged and self._query is None:
            # psycopg records the statement it sent only when it was not a prepared one. Django's query log
            # (DEBUG, CaptureQueriesContext) reads it from there, and expects it with its values in, as a
            # client-side binding cursor sends it.
            self._query = _Logged(psycopg.ClientCursor(self.connection).mogrify(query, params).encode())  # type: ignore[assignment]
        return executed


@dataclass(frozen=True)
class _Logged:
    """What Django's query log reads of a cursor's last statement (psycopg's `PostgresQuery` attributes)."""

    query: bytes
    params: Any = None


def insert(instance: M) -> M:
    """Save a new `instance` as `save()` would, in one INSERT returning its key, without compiling a query
    each time. No signals are sent: use it only for models nothing listens to."""
    model, db = type(instance), _database()
    with cursor() as db_cursor:
        db_cursor.execute(_insert_sql(model), params(instance, insert_fields(model)))
        instance.pk = db_cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


@cache
def _insert_sql(model: type[models.Model]) -> str:
    fields = insert_fields(model)
    table, key = connection.ops.quote_name(model._meta.db_table), columns([model._meta.pk])
    return f"INSERT INTO {table} ({columns(fields)}) VALUES {placeholders(fields)} RETURNING {key}"


def from_db(model: type[models.Model], fields: Sequence[models.Field], values: Sequence[Any]) -> Any:
    """An instance of `model` from a row of `fields` read by hand (RETURNING), converted as the ORM would."""
    db = _database()
    row = [_convert(db, model, field, value) for field, value in zip(fields, values, strict=True)]
    return model.from_db(db.alias, [field.attname for field in fields], row)


def converted(model: type[models.Model], field: models.Field, value: Any) -> Any:
    """One value read by hand, as the ORM would have loaded it."""
    return _convert(_database(), model, field, value)


Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _convert(db: BaseDatabaseWrapper, model: type[models.Model], field: models.Field, value: Any) -> Any:
    column, converters = _converters(db, model, field)
    for convert in converters:
        value = convert(value, column, db)
    return value


@lru_cache(maxsize=512)
def _converters(
    db: BaseDatabaseWrapper, model: type[models.Model], field: models.Field
) -> tuple[Any, tuple[Converter, ...]]:
    # Per connection: the backend's converters are its methods and may read its settings. A few entries per
    # thread that ever connected; the bound keeps those of finished threads from piling up.
    column = field.get_col(model._meta.db_table)
    return column, (*db.ops.get_db_converters(column), *field.get_db_converters(db))
