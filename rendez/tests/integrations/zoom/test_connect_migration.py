"""Migration 0003: an installation where one Zoom user already holds several working OAuth connections (what
the forwarded-link attack left behind) keeps the latest one working and marks the others as needing a
reconnect, which is what Zoom made of them, before the database starts refusing duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rendez.integrations.zoom.models import Connection
from rendez.scheduling.tests.factories import make_staff

BEFORE = [("zoom", "0002_ratelimits")]


def _migrate(targets=None):
    """Migrate to `targets` (default: every app's latest); the models as of `targets`."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_older_duplicates_of_a_zoom_user_are_marked_to_reconnect(alice, bob):
    maria, fiona = make_staff(alice, "Maria"), make_staff(bob, "Fiona")
    apps = _migrate(BEFORE)
    try:
        then = apps.get_model("zoom", "Connection")
        earlier = then.objects.create(
            tenant_id=alice.pk, staff_id=maria.pk, mode="staff_oauth", zoom_user_id="u-1"
        )
        later = then.objects.create(
            tenant_id=bob.pk, staff_id=fiona.pk, mode="staff_oauth", zoom_user_id="u-1"
        )
        then.objects.filter(pk=earlier.pk).update(connected_at=timezone.now() - timedelta(days=1))
        other = then.objects.create(tenant_id=alice.pk, mode="tenant_oauth", zoom_user_id="u-2")
    finally:
        _migrate()

    states = dict(Connection.objects.values_list("pk", "status"))
    assert states == {earlier.pk: "needs_reconnect", later.pk: "connected", other.pk: "connected"}
    assert "connected again elsewhere" in Connection.objects.get(pk=earlier.pk).broken_reason
