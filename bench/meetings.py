"""Meetings on PostgreSQL: bookings against an emulated Zoom Pro account, workers making the meetings.

The emulator runs as its own process (`python -m zoom_emulator`) with a seed of one Pro account ("Medium"
calls: 20 per second) of `--hosts` users, answering every /v2/ call after `--latency-ms`. The tenant connects
it Server-to-Server; its staff members are mapped to the account's users by email. After a warm-up (one
booking per host, so that every worker has its token and the hosts' passcode rules), `--bookings` bookings
are made as fast as `--booking-threads` threads can, spread evenly over the hosts, while the workers make
their meetings.

Prints JSON lines:
- meetings.all_ready: seconds from the first booking's commit until every meeting exists, against the bound
  the account's rate limit sets (bookings / 20 per second), and how many meetings ended failed;
- meetings.zoom_calls: Zoom calls per booking (the minimum is 1.00: one create), 429s received, and the
  calls by kind; the most Medium calls sent in one second;
- meetings.commit_to_link: p50 and p99 from a booking's commit to its meeting's join link being stored.

    python bench/meetings.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_bench_meetings]
        [--bookings 1000] [--hosts 20] [--latency-ms 100] [--workers 2] [--concurrency 4]
        [--booking-threads 4] [--timeout 900]

The database is recreated empty and migrated (bench/_setup.py), so its name must contain "bench".
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx2
from _setup import ROOT, django_on, emit, make_tenant
from jobs import Workers

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
ACCOUNT_ID = "bench-account"
S2S_CLIENT_ID = "rendez-bench-s2s"
S2S_CLIENT_SECRET = "rendez-bench-s2s-secret"
S2S_SCOPES = [
    "meeting:write:meeting:admin",
    "meeting:update:meeting:admin",
    "meeting:delete:meeting:admin",
    "meeting:read:meeting:admin",
    "meeting:read:list_meetings:admin",
    "user:read:list_users:admin",
    "user:read:user:admin",
    "user:read:settings:admin",
]
MEDIUM_PER_SECOND = 20  # a Pro account's Medium limit (zoom-api.md §5): creates, meeting lists, settings


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    server = urlunsplit(urlsplit(url)._replace(path="")) if url.startswith("postgres") else DEFAULT_SERVER
    return f"{server}/rendez_bench_meetings"


def host_email(number: int) -> str:
    return f"host{number:02d}@bench-clinic.example"


def seed(hosts: int) -> dict:
    users = [
        {
            "email": host_email(n),
            "first_name": "Host",
            "last_name": f"{n:02d}",
            "role": "Owner" if n == 0 else "Member",
        }
        for n in range(hosts)
    ]
    return {
        "accounts": [
            {
                "id": ACCOUNT_ID,
                "name": "Bench Clinic",
                "plan": "Pro",
                "timezone": "Europe/Berlin",
                "users": users,
            }
        ],
        "oauth_apps": [],
        "s2s_apps": [
            {
                "client_id": S2S_CLIENT_ID,
                "client_secret": S2S_CLIENT_SECRET,
                "account_id": ACCOUNT_ID,
                "name": "Rendez S2S (bench)",
                "scopes": S2S_SCOPES,
                "event_url": "",
                "webhook_secret": "bench-webhook-secret",
            }
        ],
    }


class Emulator:
    """`python -m zoom_emulator` on a free port with the bench seed; `control` is its control API."""

    def __init__(self, hosts: int) -> None:
        self.files = tempfile.TemporaryDirectory(prefix="rendez-bench-meetings-")
        seed_file = Path(self.files.name) / "seed.json"
        seed_file.write_text(json.dumps(seed(hosts)))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = open(Path(self.files.name) / "emulator.log", "w")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zoom_emulator", "--port", str(port), "--seed", str(seed_file)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.control = httpx2.Client(base_url=f"{self.base_url}/_control", timeout=60.0)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control.get("/faults").raise_for_status()
                break
            except httpx2.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit("the Zoom emulator did not start") from None
                time.sleep(0.1)

    def set_faults(self, **faults: object) -> None:
        self.control.post("/faults", json=faults).raise_for_status()

    def clear_requests(self) -> None:
        self.control.delete("/requests").raise_for_status()

    def requests(self) -> list[dict]:
        response = self.control.get("/requests", params={"path": "/v2/*"})
        response.raise_for_status()
        return list(response.json()["requests"])

    def stop(self) -> None:
        self.control.close()
        self.process.terminate()
        self.process.wait(10)
        self.log.close()
        self.files.cleanup()


def point_rendez_at(emulator: Emulator) -> None:
    """Environment for this process and the workers it starts (set before Django reads its settings)."""
    os.environ.update(
        {
            "ZOOM_OAUTH_BASE_URL": emulator.base_url,
            "ZOOM_API_BASE_URL": f"{emulator.base_url}/v2",
            "RENDEZ_LOG_LEVEL": "WARNING",
        }
    )


def video_tenant(hosts: int):
    """The bench tenant on a plan with Zoom, its staff mapped to the emulated account's users by email."""
    from rendez.integrations.zoom import connections, tenant_settings
    from rendez.tenants.models import Plan

    tenant, staff, service, _ = make_tenant(staff_count=hosts)
    tenant.plan, _ = Plan.objects.get_or_create(
        slug="pro", defaults={"name": "Pro", "capabilities": ["zoom"]}
    )
    tenant.save(update_fields=["plan"])
    for number, member in enumerate(staff):
        member.email = host_email(number)
        member.save(update_fields=["email"])
    service.name, service.zoom_enabled = "Video consultation", True
    service.save(update_fields=["name", "video_provider"])
    tenant_settings.update(tenant, {"enabled": True})
    connection = connections.save_s2s(tenant, ACCOUNT_ID, S2S_CLIENT_ID, S2S_CLIENT_SECRET)
    mapped = connection.mappings.count()
    if mapped != hosts:
        raise SystemExit(f"only {mapped} of {hosts} staff members were mapped to Zoom users")
    return staff, service


def slots(staff: list, count: int, first_day: int):
    """`count` (staff member, start) pairs on 30-minute slots 08:00-20:00 Berlin from `first_day` days on,
    the staff members taken in turn."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    berlin = ZoneInfo("Europe/Berlin")
    day = timezone.now().astimezone(berlin).date() + timedelta(days=first_day)
    pairs: list = []
    while len(pairs) < count:
        for half_hour in range(24):
            start = datetime.combine(day, datetime.min.time(), tzinfo=berlin) + timedelta(
                hours=8, minutes=30 * half_hour
            )
            pairs += [(member, start) for member in staff]
        day += timedelta(days=1)
    return pairs[:count]


def book_all(service, pairs, threads: int = 1) -> dict[int, float]:
    """Book every pair from `threads` threads, each with its own staff members (so none waits for another's
    row lock); returns each appointment's commit instant (epoch seconds)."""
    from django.db import connection

    from rendez.scheduling import services

    committed: dict[int, float] = {}

    def book(share) -> None:
        try:
            for number, (member, start) in share:
                booking = services.book(
                    service=service,
                    staff=member,
                    start=start,
                    customer=services.CustomerDetails(
                        name=f"Customer {number}", email=f"c{number}@b.example"
                    ),
                )
                committed[booking.appointment_id] = time.time()
        finally:
            connection.close()

    shares: list[list] = [[] for _ in range(threads)]
    for number, (member, start) in enumerate(pairs):
        shares[member.pk % threads].append((number, (member, start)))
    runners = [threading.Thread(target=book, args=(share,)) for share in shares]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    if len(committed) != len(pairs):
        raise SystemExit(f"only {len(committed)} of {len(pairs)} bookings were made")
    return committed


def wait_for_meetings(appointment_ids: list[int], timeout: float) -> None:
    from rendez.conferencing.models import Meeting

    settled = (Meeting.State.READY, Meeting.State.FAILED)
    deadline = time.monotonic() + timeout
    while Meeting.objects.filter(appointment_id__in=appointment_ids, state__in=settled).count() < len(
        appointment_ids
    ):
        if time.monotonic() > deadline:
            raise SystemExit(f"the meetings were not all made within {timeout}s")
        time.sleep(0.1)


def kind_of(entry: dict) -> str:
    path, method = entry["path"], entry["method"]
    if path.endswith("/meetings"):
        return "create" if method == "POST" else "list_meetings"
    if path.endswith("/settings"):
        return "settings"
    return f"{method.lower()}_other"


def is_medium(entry: dict) -> bool:
    return entry["path"].endswith(("/meetings", "/settings")) or entry["path"] == "/v2/users"


def report(bookings: int, committed: dict[int, float], booking_s: float, log: list[dict]) -> None:
    from rendez.conferencing.models import Meeting

    meetings = list(Meeting.objects.filter(appointment_id__in=list(committed)))
    ready = [m for m in meetings if m.state == Meeting.State.READY]
    first_commit = min(committed.values())
    last_ready = max(m.updated_at.timestamp() for m in ready) if ready else first_commit
    bound = bookings / MEDIUM_PER_SECOND
    all_ready = last_ready - first_commit
    emit(
        bench="meetings.all_ready",
        bookings=bookings,
        booking_s=round(booking_s, 2),
        all_ready_s=round(all_ready, 2),
        rate_limit_bound_s=round(bound, 2),
        ratio_to_bound=round(all_ready / bound, 2),
        ready=len(ready),
        failed=len(meetings) - len(ready),
    )
    statuses = Counter(entry["status"] for entry in log)
    medium_per_second = Counter(entry["timestamp"] for entry in log if is_medium(entry))
    emit(
        bench="meetings.zoom_calls",
        bookings=bookings,
        calls=len(log),
        calls_per_booking=round(len(log) / bookings, 2),
        creates_201=sum(1 for e in log if kind_of(e) == "create" and e["status"] == 201),
        responses_429=statuses[429],
        by_kind=dict(Counter(kind_of(entry) for entry in log)),
        max_medium_calls_in_one_second=max(medium_per_second.values(), default=0),
    )
    waits = sorted((m.updated_at.timestamp() - committed[m.appointment_id]) * 1000 for m in ready)
    cuts = statistics.quantiles(waits, n=100) if len(waits) > 1 else waits * 99
    emit(
        bench="meetings.commit_to_link",
        meetings=len(waits),
        p50_ms=round(cuts[49], 1),
        p99_ms=round(cuts[98], 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=default_database_url())
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="runner threads per worker process")
    parser.add_argument("--booking-threads", type=int, default=4, help="threads making the bookings")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit(
            "bench/meetings.py measures PostgreSQL with worker processes: give a postgres:// URL"
        )
    if args.bookings / args.hosts > 95:
        raise SystemExit("Zoom allows a host 100 creates a day: give more hosts or fewer bookings")

    emulator = Emulator(args.hosts)
    workers = None
    try:
        point_rendez_at(emulator)
        django_on(args.database_url)
        staff, service = video_tenant(args.hosts)
        emulator.set_faults(latency_ms=args.latency_ms)
        workers = Workers(args.workers, "--concurrency", str(args.concurrency))
        # Warm-up: every worker process gets its token and the hosts' rules before anything is timed.
        warm = book_all(service, slots(staff, len(staff) * 2, first_day=1))
        wait_for_meetings(list(warm), args.timeout)
        emulator.clear_requests()

        started = time.monotonic()
        committed = book_all(service, slots(staff, args.bookings, first_day=3), args.booking_threads)
        booking_s = time.monotonic() - started
        wait_for_meetings(list(committed), args.timeout)
        report(args.bookings, committed, booking_s, emulator.requests())
    finally:
        if workers is not None:
            workers.stop()
        emulator.stop()


if __name__ == "__main__":
    main()
