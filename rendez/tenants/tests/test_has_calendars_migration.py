"""Migration 0005: tenants with a calendar connection that is not disconnected start with `has_calendars` on,
the others off."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rendez.scheduling.tests.factories import make_staff, make_tenant
from rendez.tenants.models import Tenant

BEFORE = [("tenants", "0004_offer_staff_without_zoom"), ("calendars", "0001_calendar_core")]


def _migrate(targets=None):
    """Migrate to `targets` (default: every app's latest); the models as of `targets`."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_tenants_with_a_live_calendar_connection_get_the_flag():
    tenants = {
        status: make_tenant(f"calendars-{status}") for status in ("connected", "broken", "gone", "none")
    }
    staff = {status: make_staff(tenant, "Maria") for status, tenant in tenants.items()}
    apps = _migrate(BEFORE)
    try:
        then = apps.get_model("calendars", "CalendarConnection")
        for status, db_status in (
            ("connected", "connected"),
            ("broken", "needs_reconnect"),
            ("gone", "disconnected"),
        ):
            then.objects.create(
                tenant_id=tenants[status].pk, staff_id=staff[status].pk, provider="google", status=db_status
            )
    finally:
        _migrate()

    flags = dict(Tenant.objects.filter(slug__startswith="calendars-").values_list("slug", "has_calendars"))
    assert flags == {
        "calendars-connected": True,
        "calendars-broken": True,
        "calendars-gone": False,
        "calendars-none": False,
    }
