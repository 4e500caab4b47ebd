"""A 52-occurrence series on PostgreSQL against an emulated Zoom Pro account: one meeting per occurrence.

The emulator runs as its own process (`bench/meetings.py`'s `Emulator`, two hosts, `--latency-ms` per call);
worker processes make the meetings. Two cases:

- within_cap: a weekly series of 52 on one host (a host may make 100 meetings a day): the time from the
  series' commit until all 52 meetings exist, against the bound the account's Medium rate limit sets (52 / 20
  per second), and Zoom calls per occurrence (goal 1.00: one create each).
- daily_cap: the same on another host with its daily allowance set to `--cap`
  (ZOOM_DAILY_MEETING_WRITES_PER_HOST in the workers): the first `--cap` occurrences, soonest first, are made
  at once; the rest wait for 00:00 UTC. Each midnight is then played by emptying the host's day counter and
  making the deferred syncs due, their spread kept (what the clock does at 00:00 UTC), until all are made: the
  days it took against the bound ceil(52 / cap), how many dates were made out of turn, whether the deferred
  ones resume in start order, and calls per occurrence over all days.

Prints JSON lines (`series.within_cap`, `series.daily_cap`).

    python bench/series_bench.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench_series]
        [--occurrences 52] [--latency-ms 100] [--workers 2] [--cap 20] [--timeout 300]

The database is recreated empty and migrated (bench/_setup.py), so its name must contain "bench".
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock_time
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from _setup import django_on, emit
from jobs import Workers
from meetings import Emulator, point_rendez_at, video_tenant

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
MEDIUM_PER_SECOND = 20
BERLIN = ZoneInfo("Europe/Berlin")


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    server = urlunsplit(urlsplit(url)._replace(path="")) if url.startswith("postgres") else DEFAULT_SERVER
    return f"{server}/rendez_bench_series"


def book_series(service, member, occurrences: int, hour: int, who: str):
    """A weekly series at `hour`:00 Berlin from the Monday in two weeks; (bookings, commit instant, ms)."""
    from django.utils import timezone

    from rendez.scheduling import services
    from rendez.scheduling.series import Repeat

    today = timezone.now().astimezone(BERLIN).date()
    monday = today + timedelta(days=7 - today.weekday(), weeks=1)
    started = time.perf_counter()
    outcome = services.book_series(
        tenant_id=service.tenant_id,
        service_id=service.pk,
        staff_id=member.pk,
        start=datetime.combine(monday, clock_time(hour), tzinfo=BERLIN),
        customer=services.CustomerDetails(name=who, email=f"{who.lower()}@bench.example"),
        repeat=Repeat("weekly", count=occurrences),
    )
    return outcome.bookings, time.time(), (time.perf_counter() - started) * 1000


def meetings_of(bookings):
    from rendez.conferencing.models import Meeting

    return {
        m.appointment_id: m
        for m in Meeting.objects.filter(appointment_id__in=[b.appointment_id for b in bookings])
    }


def wait_until(predicate, timeout: float, what: str, bookings=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            states = sorted((m.state, m.last_error[:120]) for m in meetings_of(bookings or []).values())
            raise SystemExit(f"{what} within {timeout}s: no; meetings: {states}")
        time.sleep(0.05)


def ready_count(bookings) -> int:
    from rendez.conferencing.models import Meeting

    return sum(m.state == Meeting.State.READY for m in meetings_of(bookings).values())


def creates(log: list[dict]) -> int:
    return sum(
        1 for e in log if e["method"] == "POST" and e["path"].endswith("/meetings") and e["status"] == 201
    )


def within_cap(emulator: Emulator, service, member, occurrences: int, timeout: float) -> None:
    emulator.clear_requests()
    bookings, committed, booking_ms = book_series(service, member, occurrences, 10, "Ada")
    wait_until(lambda: ready_count(bookings) == occurrences, timeout, "all meetings ready")
    ready = meetings_of(bookings).values()
    all_ready = max(m.updated_at.timestamp() for m in ready) - committed
    first_ready = min(m.updated_at.timestamp() for m in ready) - committed
    log = emulator.requests()
    bound = occurrences / MEDIUM_PER_SECOND
    emit(
        bench="series.within_cap",
        occurrences=occurrences,
        book_series_ms=round(booking_ms, 1),
        first_ready_s=round(first_ready, 2),
        all_ready_s=round(all_ready, 2),
        rate_limit_bound_s=round(bound, 2),
        ratio_to_bound=round(all_ready / bound, 2),
        zoom_calls=len(log),
        creates_201=creates(log),
        calls_per_occurrence=round(len(log) / occurrences, 2),
        distinct_meetings=len({m.external_id for m in ready}),
        by_kind=dict(Counter(f"{e['method']} {e['path'].split('/')[-1]}" for e in log)),
    )


def deferred_waiting(bookings) -> list:
    from rendez.conferencing.models import Meeting

    return [m for m in meetings_of(bookings).values() if m.state == Meeting.State.RETRYING]


def syncs_running() -> bool:
    """A sync still recording its outcome (the record says `retrying` before the job says when it runs)."""
    from rendez.jobs.models import Job

    return Job.objects.filter(kind="conferencing.sync", state=Job.State.RUNNING).exists()


def play_midnight(bookings) -> None:
    """What 00:00 UTC does: the host's day counter starts again and the deferred syncs become due, moved
    earlier all by the same amount (their spread over the first minutes, in start order, is kept)."""
    from django.db.models import F, Min
    from django.utils import timezone

    from rendez.integrations.zoom.models import HostDailyUsage
    from rendez.jobs.models import Job

    HostDailyUsage.objects.all().delete()
    deferred = Job.objects.filter(kind="conferencing.sync", state=Job.State.PENDING)
    first = deferred.aggregate(first=Min("run_after"))["first"]
    if first is not None:
        deferred.update(run_after=F("run_after") - (first - timezone.now()))


def daily_cap(emulator: Emulator, service, member, occurrences: int, cap: int, timeout: float) -> None:
    from django.utils import timezone

    emulator.clear_requests()
    bookings, _, _ = book_series(service, member, occurrences, 12, "Bea")
    order = {b.appointment_id: n for n, b in enumerate(bookings)}  # soonest first
    days, out_of_turn, resume_ordered, made_before = 0, 0, True, 0
    while True:
        days += 1
        expected = min(occurrences, made_before + cap)
        wait_until(
            lambda expected=expected: (
                ready_count(bookings) == expected
                and len(deferred_waiting(bookings)) == occurrences - expected
                and not syncs_running()
            ),
            timeout,
            f"day {days}: {expected} ready and the rest deferred",
            bookings,
        )
        ready_positions = sorted(order[a] for a, m in meetings_of(bookings).items() if m.state == "ready")
        # Several runners claim at once, so two neighbours may swap: count the days' dates made out of turn.
        out_of_turn += len(set(ready_positions) - set(range(expected)))
        waiting = sorted(deferred_waiting(bookings), key=lambda m: order[m.appointment_id])
        midnight = (timezone.now() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        attempts = [m.next_attempt_at for m in waiting]
        resume_ordered &= attempts == sorted(attempts) and all(a >= midnight for a in attempts)
        made_before = expected
        if expected == occurrences:
            break
        play_midnight(bookings)
    log = emulator.requests()
    emit(
        bench="series.daily_cap",
        occurrences=occurrences,
        cap_per_host_per_day=cap,
        days=days,
        daily_cap_bound_days=math.ceil(occurrences / cap),
        dates_made_out_of_turn=out_of_turn,
        deferred_resume_after_midnight_in_start_order=resume_ordered,
        zoom_calls=len(log),
        creates_201=creates(log),
        calls_per_occurrence=round(len(log) / occurrences, 2),
        responses_429=sum(1 for e in log if e["status"] == 429),
        by_kind=dict(Counter(f"{e['method']} {e['path'].split('/')[-1]}" for e in log)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--occurrences", type=int, default=52)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cap", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench/series_bench.py measures PostgreSQL with worker processes: give a postgres:// URL"
        )

    # Two hosts: Zoom (the emulator too) counts each host's creates per UTC day, and the first case's would
    # eat into the second's day.
    emulator = Emulator(2)
    workers = None
    try:
        point_rendez_at(emulator)
        django_on(args.database_url)
        [member, other], service = video_tenant(2)
        service.series_allowed = True
        service.save(update_fields=["series_allowed"])
        emulator.set_faults(latency_ms=args.latency_ms)
        workers = Workers(args.workers, "--concurrency", "4")
        # Warm-up: the worker gets its token and the host's settings before anything is timed.
        book_series(service, member, 1, 8, "Warm")
        book_series(service, other, 1, 8, "Warm")
        time.sleep(3)
        within_cap(emulator, service, member, args.occurrences, args.timeout)
        workers.stop()
        workers = Workers(
            args.workers, "--concurrency", "4", env={"ZOOM_DAILY_MEETING_WRITES_PER_HOST": str(args.cap)}
        )
        from rendez.integrations.zoom.models import HostDailyUsage

        HostDailyUsage.objects.all().delete()  # the warm-up's create is another day's, as far as this goes
        daily_cap(emulator, service, other, args.occurrences, args.cap, args.timeout)
    finally:
        if workers is not None:
            workers.stop()
        emulator.stop()


if __name__ == "__main__":
    main()
