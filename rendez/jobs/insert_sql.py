"""One INSERT for several jobs, in which coalescing jobs merge into their waiting twin.

The merge is the database's: `ON CONFLICT` on the partial unique index that admits one waiting, never-started
coalescing job per kind and key. Two transactions racing to add one cannot both insert: PostgreSQL makes the
second wait for the first to commit and then update the winner; SQLite has one writer. A job that has
started left the index, so a change made while it runs gets a job of its own.

The statement is written once per shape (database, number of rows, whether any row coalesces) from the
model's own fields and constraint, so a column added to Job is inserted with its default and a changed
constraint changes the conflict target with it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from django.db import connection
from django.db.models import Field, UniqueConstraint
from django.db.models.sql import Query

from rendez.jobs import conf
from rendez.jobs.models import Job
from rendez.lib.rows import columns, converted, cursor, insert_fields, params, placeholders

COALESCING_CONSTRAINT = "jobs_one_coalescing_pending"
# The earlier of the waiting job's run_after and the new one's: the newer request may want it sooner.
EARLIER = {"postgresql": "LEAST", "sqlite": "MIN"}


def insert_jobs(rows: list[dict[str, Any]], now: datetime) -> list[Job]:
    """Insert one job per row (field name -> value; the model's defaults fill the rest) and return them in
    the same order, a merged row as the waiting job it merged into (its id and run_after).

    On PostgreSQL the same statement wakes the workers of each queue that got a job due by `now` (a NOTIFY,
    delivered at commit, one per queue and transaction): no round trip of its own."""
    distinct, positions = _merge_twins(rows)
    jobs = [Job(**row) for row in distinct]
    fields = insert_fields(Job)
    coalescing = any(job.coalesce for job in jobs)
    with cursor() as db_cursor:
        db_cursor.execute(
            _statement(connection.vendor, len(jobs), coalescing),
            [value for job in jobs for value in params(job, fields)] + _returning_params(now),
        )
        # Rows come back in VALUES order, on both databases (Django's bulk_create relies on it too).
        returned = db_cursor.fetchall()
    run_after = Job._meta.get_field("run_after")
    for job, (pk, stored_run_after, *_) in zip(jobs, returned, strict=True):
        job.pk = pk
        job.run_after = converted(Job, run_after, stored_run_after)
        job._state.adding = False
        job._state.db = connection.alias
    return [jobs[position] for position in positions]


def _merge_twins(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows to insert, and for each given row the position of the one it became. Coalescing rows of one
    kind and key in one batch become one, as two enqueues would (PostgreSQL refuses to update one row twice
    in a statement)."""
    distinct: list[dict[str, Any]] = []
    positions: list[int] = []
    coalescing_at: dict[tuple[str, str], int] = {}
    for row in rows:
        twin = (row["kind"], row.get("key", ""))
        position = coalescing_at.get(twin) if row.get("coalesce") else None
        if position is None:
            position = len(distinct)
            distinct.append(row)
            if row.get("coalesce"):
                coalescing_at[twin] = position
        else:
            earlier = min(distinct[position]["run_after"], row["run_after"])
            distinct[position] = {**row, "run_after": earlier}
        positions.append(position)
    return distinct, positions


@cache
def _statement(vendor: str, count: int, coalescing: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(Job._meta.db_table)
    fields = insert_fields(Job)
    sql = f"INSERT INTO {table} ({columns(fields)}) VALUES {placeholders(fields, count)}"
    run_after = quote("run_after")
    if coalescing:
        target, predicate = _conflict_target()
        sql += (
            f" ON CONFLICT ({target}) WHERE {predicate} DO UPDATE SET"
            f" {quote('payload')} = excluded.{quote('payload')},"
            f" {run_after} = {EARLIER[vendor]}({table}.{run_after}, excluded.{run_after})"
        )
    sql += f" RETURNING {quote('id')}, {run_after}"
    if vendor == "postgresql":
        sql += f", CASE WHEN {run_after} <= %s THEN pg_notify(%s, {quote('queue')}) END"
    return sql


def _returning_params(now: datetime) -> list[Any]:
    return [now, conf.NOTIFY_CHANNEL] if connection.vendor == "postgresql" else []


def _conflict_target() -> tuple[str, str]:
    """The coalescing constraint's columns and condition, as the migration wrote them into its index: the
    condition must be spelled with literals for the database to recognise the index as the target."""
    constraint = next(c for c in Job._meta.constraints if c.name == COALESCING_CONSTRAINT)
    assert isinstance(constraint, UniqueConstraint) and constraint.condition is not None
    target = columns([cast(Field, Job._meta.get_field(name)) for name in constraint.fields])
    query = Query(model=Job, alias_cols=False)
    where = query.build_where(constraint.condition)
    sql, params = where.as_sql(query.get_compiler(connection=connection), connection)
    literal = connection.schema_editor().quote_value
    return target, sql % tuple(literal(param) for param in params)
