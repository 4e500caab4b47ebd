"""The operator's admin shows Zoom connections, mappings and settings, and changes none of them: a deleted
connection would skip the revoke at Zoom and the re-sync of the staff concerned, an edited setting the checks
of its templates."""

from __future__ import annotations

import pytest

from rendez.integrations.zoom import tenant_settings
from rendez.integrations.zoom.models import Connection, ZoomSettings
from rendez.tests.integrations.zoom.fixtures import MARIA, connect_staff

pytestmark = pytest.mark.django_db


def test_a_connection_is_shown_but_cannot_be_deleted_in_the_admin(admin_client, api, zoom, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    page = f"/admin/zoom/connection/{connection.pk}/"

    assert admin_client.get(page + "change/").status_code == 200
    assert admin_client.get(page + "delete/").status_code == 403
    admin_client.post(
        "/admin/zoom/connection/", {"action": "delete_selected", "_selected_action": [connection.pk]}
    )

    assert Connection.objects.filter(pk=connection.pk).exists()


def test_zoom_settings_cannot_be_changed_in_the_admin(admin_client, alice):
    settings = tenant_settings.update(alice, {"enabled": True, "topic_template": "{service_name}"})
    page = f"/admin/zoom/zoomsettings/{settings.pk}/"

    assert admin_client.get("/admin/zoom/zoomsettings/").status_code == 200
    admin_client.post(page + "change/", {"tenant": alice.pk, "enabled": "", "topic_template": "{nonsense"})
    assert admin_client.get(page + "delete/").status_code == 403

    fresh = ZoomSettings.objects.get(pk=settings.pk)
    assert (fresh.enabled, fresh.topic_template) == (True, "{service_name}")
