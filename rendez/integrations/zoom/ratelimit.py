"""Zoom's request limits, kept by every Rendez process together through the database (zoom-api.md §5).

**Per account and category** (§5.1): Zoom counts requests per account in one-second windows, separately for
Light, Medium and Heavy endpoints, sized by the account's plan and shared by all apps on it. `acquire()` is
called before every REST request (client.py) and takes one token from the bucket of the account and the
endpoint's category, a `RateBucket` row. The hot path is one statement: an upsert that refills the bucket
for the time passed, takes a token and returns what is left. Left below zero means the token was reserved
ahead: the caller sleeps until its turn, holding no lock. A turn further away than `MAX_WAIT` is handed back
and the call fails as retryable with that `retry_after`, so a worker is never parked for long.

The bucket refills at 90 % of Zoom's figure and holds a burst of 5 % of it (at least one token): Zoom counts
in fixed windows, where a bucket can spend its burst and a second's refill in the same window, and requests
bunch up on the way. A 429 that says "per second" (or a daily limit of the category, with its Retry-After)
empties the bucket until Zoom takes requests again, for all processes at once (`pause()`).

Time is the caller's clock, not the database's. A fast clock on one machine gains refill that a slow one then
loses (a bucket's `refilled_at` never goes back), so NTP-level skew averages out.

**Per host and UTC day** (§5.2): Zoom takes 100 meeting creates and updates per host user and UTC day. The
provider sends each inside `host_write()`, which counts it first (`HostDailyUsage`) and refuses the 101st
without calling Zoom (`ZoomDailyCapReached`, retryable at 00:00 UTC). A write Zoom never took (no answer, a
5xx, a per-second 429) is uncounted; Zoom's own cap 429 (which may count calls made by other apps) sets the
counter to the cap.

**The plan.** `Connection.account_plan`, else `ZOOM_ACCOUNT_PLAN_DEFAULT` ("pro"). Zoom does not tell a
user-level app its account's plan: `GET /users/me` `type` is the user's license (a Basic user can sit on any
plan), and the plans endpoint is for master accounts. What Zoom does tell is that an account is Free: only
Free accounts have per-category daily limits, and their answers carry `X-RateLimit-Limit: 6000/2000/1000`
for Light/Medium/Heavy. `learn_plan()` reads that and marks the account's connections Free; Pro and Business
cannot be told apart, so an admin sets `business` when it applies.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx2
from django.conf import settings
from django.db import connection as db
from django.db.models import F

from rendez.integrations.zoom.errors import ZoomDailyCapReached, ZoomError, ZoomUnavailable
from rendez.integrations.zoom.models import AccountPlan, Connection, HostDailyUsage, RateBucket
from rendez.integrations.zoom.responses import (
    DAILY_CAP_MESSAGE,
    read_error_body,
    retry_after,
    seconds_until_utc_midnight,
)
from rendez.observability import metrics

logger = logging.getLogger("rendez.zoom")

LIGHT, MEDIUM, HEAVY = "light", "medium", "heavy"
# Requests per second by plan and category (§5.1).
PER_SECOND = {
    AccountPlan.FREE: {LIGHT: 4, MEDIUM: 2, HEAVY: 1},
    AccountPlan.PRO: {LIGHT: 30, MEDIUM: 20, HEAVY: 10},
    AccountPlan.BUSINESS: {LIGHT: 80, MEDIUM: 60, HEAVY: 40},
}
# The daily limits only Free accounts have; seen in a response's X-RateLimit-Limit they tell the plan.
FREE_PER_DAY = {LIGHT: 6000, MEDIUM: 2000, HEAVY: 1000}
HEADROOM = 0.9
BURST = 0.05
# Longer waits fail the call as retryable instead of holding a worker.
MAX_WAIT = 5.0
# A per-second 429 without Retry-After: Zoom's window is one second.
QPS_PAUSE = 1.0
DEFAULT_DAILY_WRITES = 100
# Endpoint categories (§5.1 "Rate Limit Label"); anything else counts as Medium, the smaller budget.
CATEGORIES = (
    (re.compile(r"^/users/[^/]+/(meetings|settings)$"), MEDIUM),
    (re.compile(r"^/users$"), MEDIUM),
    (re.compile(r"^/users/[^/]+$"), LIGHT),
    (re.compile(r"^/meetings/[^/]+$"), LIGHT),
)


class Throttled(ZoomUnavailable):
    """Our own limiter holds the call back longer than a worker should wait: try again after `retry_after`."""


@dataclass(frozen=True)
class Limit:
    """A bucket's size: `rate` tokens a second, at most `capacity` saved up."""

    rate: float
    capacity: float


# --- pure arithmetic ----------------------------------------------------------------------------------------


def category_of(path: str) -> str:
    path = path.split("?", 1)[0]
    return next((category for pattern, category in CATEGORIES if pattern.match(path)), MEDIUM)


def limit_for(plan: str, category: str) -> Limit:
    per_second = PER_SECOND[AccountPlan(plan)][category]
    return Limit(rate=per_second * HEADROOM, capacity=max(1.0, per_second * BURST))


def refilled(tokens: float, refilled_at: float, now: float, limit: Limit) -> float:
    """The tokens of a bucket at `now` (what the upsert computes in SQL)."""
    return min(limit.capacity, tokens + max(0.0, now - refilled_at) * limit.rate)


def wait_for(tokens_left: float, limit: Limit) -> float:
    """How long a caller who left the bucket at `tokens_left` waits for its token."""
    return max(0.0, -tokens_left / limit.rate)


def paused_tokens(seconds: float, limit: Limit) -> float:
    """The tokens that make the next taker wait `seconds`."""
    return 1.0 - seconds * limit.rate


def plan_told_by(response: httpx2.Response, category: str) -> str | None:
    """`free` when the response carries a Free account's daily limit for its category, else None."""
    told = response.headers.get("X-RateLimit-Limit", "").strip()
    said_category = response.headers.get("X-RateLimit-Category", category).strip().lower()
    if said_category == category and told == str(FREE_PER_DAY[category]):
        return AccountPlan.FREE
    return None


# --- the account's buckets ----------------------------------------------------------------------------------


def account_plan(connection: Connection) -> str:
    plan = connection.account_plan or str(getattr(settings, "ZOOM_ACCOUNT_PLAN_DEFAULT", AccountPlan.PRO))
    return plan if plan in AccountPlan.values else AccountPlan.PRO


def account_key(connection: Connection) -> str:
    """Whose budget a connection spends: its Zoom account's; "" for a probe that knows no account yet."""
    if connection.account_id:
        return connection.account_id
    return f"connection:{connection.pk}" if connection.pk else ""


def acquire(
    connection: Connection,
    category: str,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Take a token of the account's `category` bucket, sleeping until it is ours; returns the wait.

    The turn is a moment on `clock` (the time the bucket was read at plus the wait it gave), slept to from
    whenever the statement returned: sleeping the whole wait after the round trip would send every call late
    by its round trip, which varies with the database's load, and uneven sending is what makes Zoom count more
    calls in one of its one-second windows than the bucket handed out.

    Raises `Throttled` when the wait would exceed `MAX_WAIT`. Call outside transactions: the upsert's row
    lock lasts as long as the caller's transaction.
    """
    key = account_key(connection)
    if not key:
        return 0.0
    limit = limit_for(account_plan(connection), category)
    read_at = clock()
    wait = wait_for(take(key, category, limit, now=read_at), limit)
    if wait > MAX_WAIT:
        give_back(key, category)
        metrics.zoom_rate_limit_refused(category)
        raise Throttled(
            f"Rendez holds back {category} requests to this Zoom account for {wait:.0f} s to stay within "
            "Zoom's limits",
            retry_after=wait,
        )
    if wait > 0:
        metrics.zoom_rate_limit_waited(category, wait)
        left = read_at + wait - clock()
        if left > 0:
            sleep(left)
    return wait


def take(account: str, category: str, limit: Limit, *, now: float | None = None) -> float:
    """Refill, take one token, and return what is left (below zero: reserved ahead)."""
    now = time.time() if now is None else now
    with db.cursor() as cursor:
        cursor.execute(
            _upsert_sql(f"{_REFILLED} - 1") + " RETURNING tokens",
            [account, category, limit.capacity - 1, now, limit.capacity, limit.rate],
        )
        (left,) = cursor.fetchone()
    return float(left)


def give_back(account: str, category: str) -> None:
    RateBucket.objects.filter(account_id=account, category=category).update(tokens=F("tokens") + 1)


def pause(connection: Connection, category: str, seconds: float, *, now: float | None = None) -> None:
    """Take no requests of `category` to the account for `seconds` (Zoom said so), in every process."""
    key = account_key(connection)
    if not key:
        return
    now = time.time() if now is None else now
    limit = limit_for(account_plan(connection), category)
    with db.cursor() as cursor:
        cursor.execute(
            _upsert_sql(f"{{least}}({_REFILLED}, excluded.tokens)"),
            [key, category, paused_tokens(seconds, limit), now, limit.capacity, limit.rate],
        )
    logger.info("zoom %s requests of account %s paused for %.1f s after a 429", category, key, seconds)
    metrics.zoom_rate_limit_paused(category)


def after_response(connection: Connection, category: str, response: httpx2.Response) -> None:
    """What a response tells the limiter: a 429 pauses the bucket; a Free account's headers set the plan.

    The per-host cap's 429 pauses nothing (other hosts may go on): `host_write()` deals with it.
    """
    if response.status_code == 429:
        if not DAILY_CAP_MESSAGE.search(read_error_body(response).message):
            pause(connection, category, retry_after(response) or QPS_PAUSE)
        return
    learnt = response.status_code < 300 and plan_told_by(response, category)
    if learnt and connection.account_plan != learnt and connection.account_id:
        # The one write to connections outside connections.py, on purpose: it is what every response of the
        # client can teach (the account's plan, one column, a fact about the account rather than a change
        # a person makes), and connections.py imports the client that calls this, so it cannot be the writer
        # here without a cycle. Nothing else of a connection is written from this module.
        Connection.objects.filter(account_id=connection.account_id).update(account_plan=learnt)
        connection.account_plan = learnt
        logger.info("zoom account %s is on the %s plan, as its limits say", connection.account_id, learnt)


# The bucket's tokens refilled up to the new row's `refilled_at` (`excluded`: the row the insert proposed).
# Parameters: capacity, rate.
_REFILLED = "{least}(%s, {table}.tokens + {greatest}(0, excluded.refilled_at - {table}.refilled_at) * %s)"


def _upsert_sql(tokens: str) -> str:
    """Insert a bucket (account, category, tokens, now) or set an existing one's tokens to `tokens`."""
    # SQLite's many-argument MIN/MAX are PostgreSQL's LEAST/GREATEST.
    least, greatest = ("LEAST", "GREATEST") if db.vendor == "postgresql" else ("MIN", "MAX")
    table = db.ops.quote_name(RateBucket._meta.db_table)
    sql = (
        "INSERT INTO {table} (account_id, category, tokens, refilled_at) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (account_id, category) DO UPDATE SET "
        f"tokens = {tokens}, refilled_at = {{greatest}}({{table}}.refilled_at, excluded.refilled_at)"
    )
    return sql.format(table=table, least=least, greatest=greatest)


# --- the host's daily cap -----------------------------------------------------------------------------------


def daily_writes_cap() -> int:
    return int(getattr(settings, "ZOOM_DAILY_MEETING_WRITES_PER_HOST", DEFAULT_DAILY_WRITES))


def utc_day(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


@contextmanager
def host_write(connection: Connection, zoom_user_id: str, *, who: str = "This host") -> Iterator[None]:
    """Count one meeting create or update of `zoom_user_id` before it is sent; refuse it past the cap."""
    account, day, cap = connection.account_id or f"connection:{connection.pk}", utc_day(), daily_writes_cap()
    if not count_write(account, zoom_user_id, day, cap):
        raise ZoomDailyCapReached(
            f"{who} has made {cap} meeting creates and updates today, Zoom's daily limit",
            status=429,
            retryable=True,
            retry_after=seconds_until_utc_midnight(),
        )
    try:
        yield
    except ZoomDailyCapReached:
        usage = HostDailyUsage.objects.filter(account_id=account, zoom_user_id=zoom_user_id, day=day)
        usage.update(count=cap)
        raise
    except ZoomError as error:
        if isinstance(error, ZoomUnavailable):
            # No answer, a 5xx or a per-second 429: Zoom did not take it (a lost answer to a write that was
            # taken is the rare exception; Zoom's own 429 then corrects the count).
            uncount_write(account, zoom_user_id, day)
        raise


def count_write(account: str, zoom_user_id: str, day: date, cap: int) -> bool:
    """Add one write to the host's day unless `cap` is reached; whether it was added. One statement."""
    table = db.ops.quote_name(HostDailyUsage._meta.db_table)
    sql = (
        f"INSERT INTO {table} (account_id, zoom_user_id, day, count) VALUES (%s, %s, %s, 1) "
        "ON CONFLICT (account_id, zoom_user_id, day) DO UPDATE SET "
        f"count = {table}.count + 1 WHERE {table}.count < %s "
        "RETURNING count"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [account, zoom_user_id, db.ops.adapt_datefield_value(day), cap])
        return cursor.fetchone() is not None


def uncount_write(account: str, zoom_user_id: str, day: date) -> None:
    HostDailyUsage.objects.filter(account_id=account, zoom_user_id=zoom_user_id, day=day, count__gt=0).update(
        count=F("count") - 1
    )
