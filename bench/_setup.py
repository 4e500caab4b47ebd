"""Shared set-up for benchmarks: a Django environment on a database of their own, and a measured tenant."""

from __future__ import annotations

import json
import os
import sys
from datetime import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_on(database_url: str) -> None:
    """Point Django at `database_url` (recreated empty) and migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rendez.settings")
    _recreate(database_url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _recreate(database_url: str) -> None:
    # Benchmarks drop what they are given: refuse anything not plainly meant for them.
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        raise SystemExit(f"benchmark databases must have 'bench' in their name, got {database_url!r}")
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def make_tenant(staff_count: int = 1, zone: str = "Europe/Berlin", capacity: int = 1):
    """A tenant whose staff work Mon–Sun 08:00–20:00 and offer one 30-minute service."""
    from rendez.scheduling.models import Service, Staff, WorkingHours
    from rendez.tenants.models import ApiKey, Tenant

    tenant = Tenant.objects.create(slug="bench", name="Bench", timezone=zone)
    staff = [
        Staff.objects.create(tenant=tenant, name=f"Staff {i}", timezone=zone) for i in range(staff_count)
    ]
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=member, weekday=day, start_time=time(8), end_time=time(20))
        for member in staff
        for day in range(7)
    )
    service = Service.objects.create(
        tenant=tenant, name="Consultation", duration_minutes=30, capacity=capacity, horizon_days=400
    )
    service.staff.set(staff)
    _, key = ApiKey.issue(tenant, "bench")
    return tenant, staff, service, key


def emit(**figures) -> None:
    print(json.dumps(figures), flush=True)


def serving(process, port: int, within: float = 30.0):
    """`process` once it accepts connections on `port`; if it does not in time, killed and the run stopped."""
    import socket
    import time as clock

    deadline = clock.monotonic() + within
    while clock.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            clock.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")
