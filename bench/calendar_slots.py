"""Slots with staff calendars synced (issue 18) against slots without: the cost of busy blocks.

Two tenants built alike (staff working 08:00-20:00 every day, an appointment every two hours in the 30 days
measured): in "on" every staff member has a Google Calendar connection holding 4 busy events a day (one
all-day event a week) over those days, as a full calendar synced into busy blocks; in "off" nobody has a
connection. A third case, "no hook", asks the "off" tenant with the busy-time registry emptied: the code as it
was before calendars (one statement fewer). `GET /api/v1/slots` for 30 days of 1 staff member and of 8 ("any
staff") through Django's test client in this process, the cases turn about after a warm-up so that whatever
else loads the machine weighs on all alike. Prints median and p95 per case and the ratios on/off (goal
<= 1.1) and off/no-hook.

    python bench/calendar_slots.py [--database-url sqlite:///var/bench-calendar-slots.sqlite3] [--calls 30]
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
    args = parser.parse_args()
    django_on(args.database_url)

    from django.db import connection
    from django.test import Client

    from rendez.scheduling import external_busy

    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
    on = build("bench-on", True, start)
    off = build("bench-off", False, start)
    first, last = start.date(), (start + timedelta(days=DAYS - 1)).date()
    client = Client()

    def ask(setup, staff_id: str, hooked: bool = True) -> tuple[float, float]:
        service, staff, key, _ = setup
        query = {"service_id": service.pk, "date_from": first, "date_to": last, "staff_id": staff_id}
        saved = list(external_busy._sources)
        if not hooked:
            external_busy._sources.clear()
        try:
            began, cpu = clock.perf_counter(), clock.process_time()
            response = client.get("/api/v1/slots", query, headers={"Authorization": f"Bearer {key}"})
            took = (clock.perf_counter() - began, clock.process_time() - cpu)
        finally:
            external_busy._sources[:] = saved
        assert response.status_code == 200, response.content
        return took

    for label, member in (("1 staff", lambda s: str(s[1][0].pk)), ("8 staff (any)", lambda s: "any")):
        cases = {
            "on": lambda member=member: ask(on, member(on)),
            "off": lambda member=member: ask(off, member(off)),
            "no hook": lambda member=member: ask(off, member(off), hooked=False),
        }
        for _ in range(WARM_UP):
            for case in cases.values():
                case()
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.calls):
            for name, case in cases.items():
                wall, used = case()
                times[name].append(wall)
                cpu[name].append(used)
        medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
        cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
        for name, values in times.items():
            ordered = sorted(values)
            emit(
                case=label,
                calendars=name,
                database=connection.vendor,
                busy_blocks=on[3] if name == "on" else 0,
                median_ms=round(medians[name], 2),
                p95_ms=round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2),
                cpu_median_ms=round(cpu_medians[name], 2),
            )
        # CPU time of this process (SQLite runs in it) is the steadier figure on a shared, loaded machine.
        emit(
            case=label,
            ratio_on_to_off=round(medians["on"] / medians["off"], 3),
            cpu_ratio_on_to_off=round(cpu_medians["on"] / cpu_medians["off"], 3),
            ratio_off_to_no_hook=round(medians["off"] / medians["no hook"], 3),
            cpu_ratio_off_to_no_hook=round(cpu_medians["off"] / cpu_medians["no hook"], 3),
            goal_on_to_off="<= 1.1",
        )


if __name__ == "__main__":
    main()
