"""Panel pages: what the month view, week view, appointments list and dashboard cost an admin, in a tenant of
1,687 appointments and in one of 100,000, the current month holding the same 459 in both.

Two fresh tenants in one PostgreSQL database (`--database-url`, recreated): four staff members, a 30-minute
service, one booking per appointment (its customer one of 50), a ready meeting for every appointment of the
current month. The month's 459 appointments are laid out identically in both tenants; the rest of each
tenant's appointments lie before the month. An admin of each signs in through Django's test client (no
network, no server); each page is asked for `--warm-up` times untimed, then `--calls` times, the two tenants
turn about so that whatever else loads the machine weighs on both alike.

Prints a JSON line per page and tenant (median, p95, queries, appointments rendered) and one per page with
the ratio of the large tenant to the small one.
Goals: month ≤ 60 ms, list ≤ 50 ms, dashboard ≤ 40 ms, ratio ≤ 1.2.

    python bench/panel.py [--database-url postgres://postgres@127.0.0.1:5432/rendez_panel_bench]
                          [--calls 30] [--warm-up 5] [--profile month]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time as clock
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from _setup import django_on, emit

BERLIN = ZoneInfo("Europe/Berlin")
SIZES = {"small": 1_687, "large": 100_000}
IN_MONTH = 459
STAFF = 4
CUSTOMERS = 50
GOALS_MS = {"month": 60.0, "week": None, "appointments": 50.0, "dashboard": 40.0}
RATIO_GOAL = 1.2
# What marks one rendered appointment on each page.
MARKERS = {
    "month": re.compile(r'data-appointment="\d'),
    "week": re.compile(r'data-appointment="\d'),
    "appointments": re.compile(r'<td><a href="/panel/appointments/\d+/"'),
    "dashboard": re.compile(r'href="/panel/appointments/\d+/"'),
}
PAGES = {
    "month": "/panel/calendar/month/",
    "week": "/panel/calendar/",
    "appointments": "/panel/appointments/",
    "dashboard": "/panel/dashboard/",
}


def month_starts(today: date) -> list[datetime]:
    """IN_MONTH starts in this month (Berlin), 08:00-19:30, spread over its days and the four staff."""
    first = today.replace(day=1)
    days = (first.replace(month=first.month % 12 + 1, year=first.year + first.month // 12) - first).days
    starts = []
    for n in range(IN_MONTH):
        day = first + timedelta(days=n % days)
        half_hour = (n // days) % 24
        eight = datetime(day.year, day.month, day.day, 8, tzinfo=BERLIN).astimezone(UTC)
        starts.append(eight + timedelta(minutes=30 * half_hour))
    return starts


def build(slug: str, total: int, today: date):
    """A tenant with `total` appointments, IN_MONTH of them this month; its admin's signed-in client."""
    from django.contrib.auth.models import User
    from django.test import Client

    from rendez.conferencing.models import Meeting
    from rendez.scheduling.models import Appointment, Booking, Customer, Service, Staff
    from rendez.tenants.models import Membership, Tenant

    tenant = Tenant.objects.create(slug=slug, name=slug.title(), timezone="Europe/Berlin")
    staff = [
        Staff.objects.create(tenant=tenant, name=f"Staff {i}", timezone="Europe/Berlin") for i in range(STAFF)
    ]
    service = Service.objects.create(
        tenant=tenant, name="Consultation", duration_minutes=30, horizon_days=400
    )
    service.staff.set(staff)
    customers = Customer.objects.bulk_create(
        Customer(tenant=tenant, name=f"Customer {n}", email=f"c{n}@example.com") for n in range(CUSTOMERS)
    )
    # History ends where the month's grid begins (the Monday of its first week): the grid shows the 459 only.
    first = today.replace(day=1) - timedelta(days=today.replace(day=1).weekday())
    grid_start = datetime(first.year, first.month, first.day, tzinfo=BERLIN).astimezone(UTC)
    in_month = month_starts(today)
    # One appointment per staff member and half hour, going back from there.
    history = [grid_start - timedelta(minutes=30 * (1 + n // STAFF)) for n in range(total - IN_MONTH)]
    now = datetime.now(UTC)
    rows = []
    for n, start in enumerate(in_month + history):
        end = start + timedelta(minutes=30)
        member = staff[n % STAFF]
        rows.append(
            Appointment(
                tenant=tenant,
                service=service,
                staff=member,
                start=start,
                end=end,
                block_start=start,
                block_end=end,
                seats_taken=1,
                capacity=1,
            )
        )
    appointments = Appointment.objects.bulk_create(rows, batch_size=5000)
    Booking.objects.bulk_create(
        (
            Booking(
                tenant=tenant,
                appointment=a,
                customer=customers[n % CUSTOMERS],
                status=Booking.Status.CONFIRMED if a.end > now else Booking.Status.COMPLETED,
                manage_token=f"{slug}-{a.pk}",
            )
            for n, a in enumerate(appointments)
        ),
        batch_size=5000,
    )
    Meeting.objects.bulk_create(
        Meeting(
            tenant=tenant,
            appointment=a,
            external_id=str(9_000_000 + a.pk),
            state=Meeting.State.READY,
            join_url=f"https://zoom.example/j/{a.pk}",
        )
        for a in appointments[:IN_MONTH]
    )
    admin = User.objects.create_user(f"admin-{slug}", f"admin@{slug}.example", "bench-password-1")
    Membership.objects.create(user=admin, tenant=tenant, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)
    session = client.session
    session["panel_tenant_id"] = tenant.pk
    session.save()
    return client


def timed(client, path: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = clock.perf_counter()
        response = client.get(path)
        elapsed = clock.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return elapsed * 1000, len(captured.captured_queries), response.content.decode()


def measure(clients: dict, page: str, calls: int, warm_up: int) -> None:
    path = PAGES[page]
    times: dict[str, list[float]] = {name: [] for name in clients}
    queries: dict[str, int] = {}
    shown: dict[str, int] = {}
    for run in range(warm_up + calls):
        names = list(clients) if run % 2 == 0 else list(clients)[::-1]
        for name in names:
            ms, count, body = timed(clients[name], path)
            if run >= warm_up:
                times[name].append(ms)
            queries[name] = count
            shown[name] = len(MARKERS[page].findall(body))
    for name, durations in times.items():
        durations.sort()
        emit(
            bench=f"panel.{page}",
            tenant_appointments=SIZES[name],
            calls=calls,
            median_ms=round(statistics.median(durations), 2),
            p95_ms=round(durations[max(0, int(len(durations) * 0.95) - 1)], 2),
            queries=queries[name],
            appointments_shown=shown[name],
            goal_ms=GOALS_MS[page],
        )
    small, large = (statistics.median(times[name]) for name in ("small", "large"))
    emit(
        bench="panel.ratio",
        page=page,
        small_ms=round(small, 2),
        large_ms=round(large, 2),
        ratio=round(large / small, 2),
        goal=RATIO_GOAL,
        met=large / small <= RATIO_GOAL and (GOALS_MS[page] is None or max(small, large) <= GOALS_MS[page]),
    )


def profile(client, page: str) -> None:
    import cProfile
    import pstats

    for _ in range(5):
        client.get(PAGES[page])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        client.get(PAGES[page])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/rendez_panel_bench")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--profile", help="pages to cProfile (comma-separated), of the large tenant, instead")
    args = parser.parse_args()
    django_on(args.database_url)
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    today = datetime.now(BERLIN).date()
    started = clock.perf_counter()
    clients = {name: build(name, total, today) for name, total in SIZES.items()}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    emit(
        bench="panel.generated",
        sizes=SIZES,
        in_month=IN_MONTH,
        seconds=round(clock.perf_counter() - started, 1),
    )
    if args.profile:
        for page in args.profile.split(","):
            profile(clients["large"], page)
        return
    for page in args.pages.split(","):
        measure(clients, page, args.calls, args.warm_up)


if __name__ == "__main__":
    main()
