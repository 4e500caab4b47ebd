"""Migration 0007: a service with `zoom_enabled` chooses Zoom as its video provider, one without chooses
none; and back again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rendez.scheduling.models import Service

BEFORE = [("scheduling", "0006_series_questions_assignment")]
AFTER = [("scheduling", "0007_service_video_provider")]


def _migrate(targets=None):
    """Migrate to `targets` (default: every app's latest); the models as of `targets`."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_zoom_enabled_services_choose_zoom_and_the_others_none(alice, bob):
    apps = _migrate(BEFORE)
    try:
        then = apps.get_model("scheduling", "Service")
        video = then.objects.create(tenant_id=alice.pk, name="Video", duration_minutes=30, zoom_enabled=True)
        other = then.objects.create(tenant_id=bob.pk, name="Video", duration_minutes=30, zoom_enabled=True)
        plain = then.objects.create(tenant_id=alice.pk, name="Yoga", duration_minutes=60, zoom_enabled=False)
    finally:
        _migrate()

    chosen = dict(Service.objects.values_list("pk", "video_provider"))
    assert chosen == {video.pk: "zoom", other.pk: "zoom", plain.pk: None}
    assert not Service.objects.exclude(fallback_video_provider=None).exists()
    assert [Service.objects.get(pk=pk).zoom_enabled for pk in (video.pk, other.pk, plain.pk)] == [
        True,
        True,
        False,
    ]


@pytest.mark.django_db(transaction=True)
def test_going_back_ticks_zoom_for_zoom_services_only(alice):
    apps = _migrate(AFTER)
    try:
        now = apps.get_model("scheduling", "Service")
        zoom = now.objects.create(tenant_id=alice.pk, name="Z", duration_minutes=30, video_provider="zoom")
        meet = now.objects.create(
            tenant_id=alice.pk, name="M", duration_minutes=30, video_provider="google_meet"
        )
        apps = _migrate(BEFORE)
        then = apps.get_model("scheduling", "Service")
        assert dict(then.objects.values_list("pk", "zoom_enabled")) == {zoom.pk: True, meet.pk: False}
    finally:
        _migrate()
