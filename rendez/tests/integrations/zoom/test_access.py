"""Who may use Zoom: the plan's `zoom` capability, the operator's connection modes, the tenant boundary, and
settings that are validated before they are saved. Every refusal also leaves no trace: no rows, no Zoom
call."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from rendez.integrations.zoom import notices
from rendez.integrations.zoom.models import Connection, Event, Mode, OAuthState, StaffMapping, ZoomSettings
from rendez.jobs.models import Job
from rendez.scheduling.tests.factories import make_staff
from rendez.tenants.models import Plan
from rendez.tests.integrations.zoom.fixtures import (
    JONAS,
    MARIA,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    connect_staff,
    connect_tenant,
    consent,
)

CREDENTIALS = {"account_id": S2S_ACCOUNT_ID, "client_id": S2S_CLIENT_ID, "client_secret": S2S_CLIENT_SECRET}

# Every Zoom endpoint of the API; "{staff}" is a staff member of the calling tenant.
ENDPOINTS = [
    ("get", "/integrations/zoom/settings", None),
    ("put", "/integrations/zoom/settings", {"enabled": True}),
    ("post", "/integrations/zoom/connect", None),
    ("delete", "/integrations/zoom/connection", None),
    ("put", "/integrations/zoom/s2s", CREDENTIALS),
    ("get", "/integrations/zoom/s2s", None),
    ("delete", "/integrations/zoom/s2s", None),
    ("get", "/integrations/zoom/users", None),
    ("post", "/staff/{staff}/zoom/connect", None),
    ("put", "/staff/{staff}/zoom", {"zoom_user_id": MARIA}),
    ("delete", "/staff/{staff}/zoom", None),
]


def _call(api, method: str, path: str, body: dict | None, staff_id: int):
    path = path.format(staff=staff_id)
    if method in ("get", "delete"):
        return getattr(api, method)(path)
    return getattr(api, method)(path, body)


def _assert_nothing_happened(zoom) -> None:
    for model in (ZoomSettings, Connection, StaffMapping, OAuthState, Event, Job):
        assert not model.objects.exists(), model.__name__
    assert zoom.control.requests() == []


# --- the plan's capability ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_a_tenant_without_zoom_in_its_plan_is_refused_everywhere(basil, basil_api, zoom, method, path, body):
    barber = make_staff(basil, "Bruno")

    response = _call(basil_api, method, path, body, barber.pk)

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "zoom_not_in_plan"
    assert "not part of this business's plan" in error["message"]
    _assert_nothing_happened(zoom)


def test_a_callback_after_the_plan_lost_zoom_is_refused_and_stores_nothing(api, zoom, alice, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect").json()
    callback = consent(zoom, started["authorize_url"], MARIA)
    alice.plan = Plan.objects.create(slug="no-zoom", name="No Zoom", capabilities=[])
    alice.save(update_fields=["plan"])

    response = Client().get(callback)

    assert response.status_code == 403
    assert "Zoom meetings are not part of this business" in response.content.decode()
    assert not Connection.objects.exists()
    assert zoom.control.requests("POST", "/oauth/token") == []


# --- the operator's connection modes ------------------------------------------------------------------------


def test_per_staff_oauth_is_refused_when_the_operator_disabled_it(api, zoom, settings, maria):
    settings.ZOOM_CONNECTION_MODES = ["tenant_oauth", "tenant_s2s"]

    response = api.post(f"/staff/{maria.pk}/zoom/connect")

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "zoom_mode_disabled"
    assert "Per-staff OAuth is not enabled" in error["message"]
    _assert_nothing_happened(zoom)


def test_tenant_oauth_is_refused_when_the_operator_disabled_it(api, zoom, settings, alice):
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth"]

    response = api.post("/integrations/zoom/connect")

    assert response.status_code == 403
    assert "Tenant OAuth is not enabled" in response.json()["error"]["message"]
    _assert_nothing_happened(zoom)


def test_server_to_server_is_refused_when_the_operator_disabled_it(api, zoom, settings, alice):
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_oauth"]

    response = api.put("/integrations/zoom/s2s", CREDENTIALS)

    assert response.status_code == 403
    assert "Server-to-Server is not enabled" in response.json()["error"]["message"]
    _assert_nothing_happened(zoom)


def test_the_settings_list_the_modes_the_operator_enabled(api, zoom, settings):
    settings.ZOOM_CONNECTION_MODES = ["tenant_s2s", "staff_oauth"]

    assert api.get("/integrations/zoom/settings").json()["connection_modes"] == ["staff_oauth", "tenant_s2s"]


def test_a_callback_of_a_mode_disabled_meanwhile_is_refused_and_stores_nothing(api, zoom, settings, maria):
    started = api.post(f"/staff/{maria.pk}/zoom/connect").json()
    callback = consent(zoom, started["authorize_url"], MARIA)
    settings.ZOOM_CONNECTION_MODES = ["tenant_s2s"]

    response = Client().get(callback)

    assert response.status_code == 403
    assert "not enabled on this platform" in response.content.decode()
    assert not Connection.objects.exists()


# --- the tenant boundary ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [endpoint for endpoint in ENDPOINTS if "{staff}" in endpoint[1]],
    ids=["connect", "map", "disconnect"],
)
def test_another_tenants_staff_are_not_found(outsider_api, api, zoom, alice, maria, method, path, body):
    connect_tenant(api, zoom, alice)
    mapping = StaffMapping.objects.get(staff=maria)
    zoom.control.clear_requests()
    jobs_before = Job.objects.count()

    response = _call(outsider_api, method, path, body, maria.pk)

    assert response.status_code == 404
    assert StaffMapping.objects.get(staff=maria).zoom_user_id == mapping.zoom_user_id
    assert not OAuthState.objects.exists()
    assert Job.objects.count() == jobs_before
    assert zoom.control.requests() == []


def test_an_outsider_cannot_see_or_remove_the_tenants_connection(outsider_api, api, zoom, alice, maria):
    connection = connect_staff(api, zoom, maria, MARIA)
    connect_tenant(api, zoom, alice, JONAS)
    zoom.control.clear_requests()

    settings = outsider_api.get("/integrations/zoom/settings").json()
    users = outsider_api.get("/integrations/zoom/users")
    removed = outsider_api.delete("/integrations/zoom/connection")

    assert settings["connection"] is None
    assert users.status_code == 409
    assert removed.status_code == 404
    assert outsider_api.get("/integrations/zoom/s2s").status_code == 404
    assert Connection.objects.filter(tenant=alice).count() == 2
    assert Connection.objects.get(pk=connection.pk).is_usable
    assert not Job.objects.filter(kind="zoom.revoke").exists()
    assert zoom.control.requests() == []


def test_a_staff_member_of_another_tenant_cannot_be_mapped_through_the_api(
    outsider_api, zoom, bob, api, alice
):
    connect_tenant(api, zoom, alice)
    frank = make_staff(bob, "Frank")

    response = api.put(f"/staff/{frank.pk}/zoom", {"zoom_user_id": MARIA})

    assert response.status_code == 404
    assert not StaffMapping.objects.filter(staff=frank).exists()


# --- settings -----------------------------------------------------------------------------------------------


def test_the_settings_have_defaults_before_anything_is_saved(api, zoom):
    settings = api.get("/integrations/zoom/settings").json()

    assert settings["enabled"] is False
    assert settings["random_password"] is True
    assert settings["topic_template"] == "{service_name} with {staff_name}"
    assert settings["connection"] is None
    assert not ZoomSettings.objects.exists()


def test_the_settings_are_saved(api, zoom, alice):
    response = api.put(
        "/integrations/zoom/settings",
        {"enabled": True, "topic_template": "{service_name} – {customer_name}", "random_password": False},
    )

    assert response.status_code == 200
    saved = ZoomSettings.objects.get(tenant=alice)
    assert (saved.enabled, saved.topic_template, saved.random_password) == (
        True,
        "{service_name} – {customer_name}",
        False,
    )
    assert (
        api.get("/integrations/zoom/settings").json()["topic_template"] == "{service_name} – {customer_name}"
    )


def _save_initial(api) -> dict:
    response = api.put("/integrations/zoom/settings", {"enabled": True, "topic_template": "{service_name}"})
    assert response.status_code == 200
    return response.json()


def test_an_unknown_shortcode_is_refused_by_name_and_nothing_changes(api, zoom, alice):
    before = _save_initial(api)

    response = api.put(
        "/integrations/zoom/settings", {"enabled": False, "topic_template": "{service_name} with {nope}"}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert "{nope}" in error["fields"]["topic_template"]
    assert api.get("/integrations/zoom/settings").json() == before


def test_the_meetings_own_link_is_refused_in_its_description(api, zoom, alice):
    before = _save_initial(api)

    response = api.put("/integrations/zoom/settings", {"description_template": "Join at {zoom_meeting_url}"})

    assert response.status_code == 422
    assert "{zoom_meeting_url}" in response.json()["error"]["fields"]["description_template"]
    assert api.get("/integrations/zoom/settings").json() == before


def test_an_empty_topic_is_refused(api, zoom, alice):
    response = api.put("/integrations/zoom/settings", {"topic_template": "   "})

    assert response.status_code == 422
    assert "topic" in response.json()["error"]["fields"]["topic_template"]
    assert not ZoomSettings.objects.exists()


def test_null_settings_are_refused(api, zoom, alice):
    response = api.put("/integrations/zoom/settings", {"enabled": None})

    assert response.status_code == 422
    refusal = response.json()["error"]
    assert refusal["fields"] == {"enabled": "Cannot be null; leave it out to keep its value."}
    assert not ZoomSettings.objects.exists()


def test_the_read_only_connection_is_not_changed_through_the_settings(api, zoom, alice):
    response = api.put("/integrations/zoom/settings", {"connection": {"mode": "tenant_s2s"}})

    assert response.json()["connection"] is None
    assert not Connection.objects.exists()
    assert zoom.control.requests() == []


# --- reconnect links ----------------------------------------------------------------------------------------


def _reconnect_path(connection: Connection) -> str:
    return urlsplit(notices.reconnect_link(connection)).path


def test_a_reconnect_link_of_a_tenant_without_zoom_is_refused(basil, zoom):
    barber = make_staff(basil, "Bruno")
    link = _reconnect_path(Connection(tenant=basil, staff=barber, mode=Mode.STAFF_OAUTH))

    response = Client().get(link)

    assert response.status_code == 403
    assert "Zoom meetings are not part of this business" in response.content.decode()
    _assert_nothing_happened(zoom)


def test_a_reconnect_link_of_a_mode_disabled_meanwhile_is_refused(api, zoom, settings, maria):
    link = _reconnect_path(connect_staff(api, zoom, maria, MARIA))
    settings.ZOOM_CONNECTION_MODES = ["tenant_s2s"]

    response = Client().get(link)

    assert response.status_code == 403
    assert "not enabled on this platform" in response.content.decode()
    assert not OAuthState.objects.exists()
