"""Slots with staff calendars synced (issue 18) against slots without: the cost of busy blocks.

Two tenants built alike (staff working 08:00-20:00 every day, an appointment every two hours in the 30 days
measured): in "on" every staff member has a Google Calendar connection holding 4 busy events a day (one
all-day event a week) over those days, as a full calendar synced into busy blocks, and the tenant's
`has_calendars` is on (as the connection writers leave it); in "off" nobody has a connection and the flag is
off, so slots run no busy-block statement. `GET /api/v1/slots` for 30 days of 1 staff member and of 8 ("any
staff") through Django's test client in this process. Each round warms up, then asks on and off in turn
(whatever else loads the machine weighs on both alike) and prints median and p95 per case and the ratios
on/off of wall-clock and CPU time (goal <= 1.1); the last line gives each ratio's range over the rounds.

    python bench/calendar_slots.py [--database-url sqlite:///var/bench-calendar-slots.sqlite3]
        [--calls 30] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time as clock
from datetime import UTC, datetime, time, timedelta

from _setup import ROOT, django_on, emit

DAYS = 30
STAFF = 8
WARM_UP = 5


def build(slug: str, calendars: bool, start: datetime):
    from rendez.calendars.models import BusyBlock, CalendarConnection
    from rendez.scheduling.models import Appointment, Service, Staff, WorkingHours
    from rendez.tenants.models import ApiKey, Tenant

    tenant = Tenant.objects.create(slug=slug, name=slug, timezone="Europe/Berlin")
    staff = [
        Staff.objects.create(tenant=tenant, name=f"S{i}", timezone="Europe/Berlin") for i in range(STAFF)
    ]
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=day, start_time=time(8), end_time=time(20))
        for member in staff
        for day in range(7)
    )
    service = Service.objects.create(tenant=tenant, name="C", duration_minutes=30, horizon_days=400)
    service.staff.set(staff)
    appointments, blocks = [], []
    for member in staff:
        for slot in range(DAYS * 12):
            at = start + timedelta(hours=2 * slot + 3)
            end = at + timedelta(minutes=30)
            appointments.append(
                Appointment(
                    tenant=tenant,
                    service=service,
                    staff=member,
                    start=at,
                    end=end,
                    block_start=at,
                    block_end=end,
                    seats_taken=1,
                    capacity=1,
                )
            )
        if not calendars:
            continue
        link = CalendarConnection.objects.create(
            tenant=tenant, staff=member, provider="google", busy_calendar_ids=["primary"]
        )
        for day in range(DAYS):
            midnight = start + timedelta(days=day)
            if day % 7 == 5:
                blocks.append((link, f"allday{day}", midnight, midnight + timedelta(days=1), True))
            for number, hour in enumerate((9, 11, 14, 17)):
                at = midnight + timedelta(hours=hour, minutes=15)
                blocks.append((link, f"e{day}x{number}", at, at + timedelta(minutes=45), False))
    if calendars:
        from rendez.calendars import busy

        busy.connections_changed(link)  # what the connection writers do: the tenant's flag goes on
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    BusyBlock.objects.bulk_create(
        [
            BusyBlock(
                tenant=tenant,
                staff_id=link.staff_id,
                connection=link,
                calendar_id="primary",
                external_event_id=event_id,
                start=s,
                end=e,
                all_day=all_day,
            )
            for link, event_id, s, e, all_day in blocks
        ],
        batch_size=2000,
    )
    _, key = ApiKey.issue(tenant, "bench")
    return service, staff, key, len(blocks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-calendar-slots.sqlite3'}"
    )
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django_on(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rendez.calendars.models import BusyBlock

    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    setups = {"on": build("bench-on", True, start), "off": build("bench-off", False, start)}
    first, last = start.date(), (start + timedelta(days=DAYS - 1)).date()
    client = Client()

    def ask(name: str, staff_id) -> tuple[float, float]:
        service, staff, key, _ = setups[name]
        query = {"service_id": service.pk, "date_from": first, "date_to": last, "staff_id": staff_id(staff)}
        began, cpu = clock.perf_counter(), clock.process_time()
        response = client.get("/api/v1/slots", query, headers={"Authorization": f"Bearer {key}"})
        took = (clock.perf_counter() - began, clock.process_time() - cpu)
        assert response.status_code == 200, response.content
        return took

    shapes = {"1 staff": lambda staff: str(staff[0].pk), "8 staff (any)": lambda staff: "any"}
    for label, staff_id in shapes.items():
        for name in setups:
            with CaptureQueriesContext(connection) as captured:
                ask(name, staff_id)
            busy_reads = sum(BusyBlock._meta.db_table in query["sql"] for query in captured)
            emit(case=label, calendars=name, queries=len(captured), busy_block_statements=busy_reads)

    ratios: dict[str, dict[str, list[float]]] = {label: {"wall": [], "cpu": []} for label in shapes}
    for round_number in range(1, args.rounds + 1):
        for label, staff_id in shapes.items():
            for _ in range(WARM_UP):
                for name in setups:
                    ask(name, staff_id)
            times: dict[str, list[float]] = {name: [] for name in setups}
            cpu: dict[str, list[float]] = {name: [] for name in setups}
            for _ in range(args.calls):
                for name in setups:
                    wall, used = ask(name, staff_id)
                    times[name].append(wall)
                    cpu[name].append(used)
            medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
            cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
            for name, values in times.items():
                ordered = sorted(values)
                emit(
                    round=round_number,
                    case=label,
                    calendars=name,
                    database=connection.vendor,
                    busy_blocks=setups[name][3],
                    median_ms=round(medians[name], 2),
                    p95_ms=round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2),
                    cpu_median_ms=round(cpu_medians[name], 2),
                )
            # CPU time of this process (SQLite runs in it) is the steadier figure on a shared, loaded machine.
            ratios[label]["wall"].append(medians["on"] / medians["off"])
            ratios[label]["cpu"].append(cpu_medians["on"] / cpu_medians["off"])
            emit(
                round=round_number,
                case=label,
                ratio_on_to_off=round(ratios[label]["wall"][-1], 3),
                cpu_ratio_on_to_off=round(ratios[label]["cpu"][-1], 3),
                goal_on_to_off="<= 1.1",
            )
    for label, found in ratios.items():
        emit(
            case=label,
            database=connection.vendor,
            rounds=args.rounds,
            ratio_on_to_off_range=[round(min(found["wall"]), 3), round(max(found["wall"]), 3)],
            cpu_ratio_on_to_off_range=[round(min(found["cpu"]), 3), round(max(found["cpu"]), 3)],
        )


if __name__ == "__main__":
    main()
