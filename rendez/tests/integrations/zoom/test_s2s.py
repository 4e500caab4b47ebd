"""Tenant Server-to-Server end to end: credentials verified with Zoom before they are stored, one token an
hour for the whole tenant."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.errors import ConnectionUnusable
from rendez.integrations.zoom.models import Connection, Mode, StaffMapping
from rendez.integrations.zoom.schemas import UserPage
from rendez.jobs.models import Job
from rendez.tests.integrations.zoom.fixtures import (
    AISHA,
    JONAS,
    MARIA,
    MARIA_EMAIL,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    connect_tenant,
    make_token_due,
    run_jobs,
    token_requests,
)

CREDENTIALS = {"account_id": S2S_ACCOUNT_ID, "client_id": S2S_CLIENT_ID, "client_secret": S2S_CLIENT_SECRET}


def _save(api, **changes: str):
    return api.put("/integrations/zoom/s2s", {**CREDENTIALS, **changes})


def test_a_wrong_client_secret_is_refused_with_zooms_reason_and_nothing_is_stored(api, zoom, alice, maria):
    response = _save(api, client_secret="not-the-secret")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "zoom_refused_credentials"
    assert "Invalid client_id or client_secret" in error["message"]
    assert "client_secret" in error["fields"]
    assert not Connection.objects.exists()
    assert not StaffMapping.objects.exists()
    assert len(token_requests(zoom, "account_credentials")) == 1


def test_a_wrong_account_id_is_refused_with_zooms_reason_and_nothing_is_stored(api, zoom, alice):
    response = _save(api, account_id="someone-elses-account")

    assert response.status_code == 422
    error = response.json()["error"]
    assert "Invalid account_id" in error["message"]
    assert "account_id" in error["fields"]
    assert not Connection.objects.exists()


def test_right_credentials_are_stored_after_zoom_granted_a_token(api, zoom, alice):
    response = _save(api)

    assert response.status_code == 200
    assert response.json() == {
        "account_id": S2S_ACCOUNT_ID,
        "client_id": S2S_CLIENT_ID,
        "status": "connected",
        "problem": "",
    }
    connection = Connection.objects.get(tenant=alice, staff__isnull=True)
    assert connection.mode == Mode.TENANT_S2S
    assert connection.client_secret == S2S_CLIENT_SECRET
    assert S2S_CLIENT_SECRET not in connection.client_secret_encrypted
    assert connection.access_token and not connection.refresh_token
    (grant,) = token_requests(zoom, "account_credentials")
    expected = base64.b64encode(f"{S2S_CLIENT_ID}:{S2S_CLIENT_SECRET}".encode()).decode()
    assert grant["headers"]["authorization"] == f"Basic {expected}"
    assert grant["body"]["account_id"] == S2S_ACCOUNT_ID


def test_the_secret_is_never_shown(api, zoom, alice):
    saved = _save(api)

    shown = api.get("/integrations/zoom/s2s")
    settings = api.get("/integrations/zoom/settings")

    assert shown.status_code == 200
    assert shown.json() == saved.json()
    for response in (saved, shown, settings):
        assert S2S_CLIENT_SECRET.encode() not in response.content
    assert settings.json()["connection"]["mode"] == "tenant_s2s"


def test_reading_s2s_without_an_s2s_connection_is_404(api, zoom, alice):
    assert api.get("/integrations/zoom/s2s").status_code == 404


def test_staff_are_mapped_by_email_as_with_tenant_oauth(api, zoom, alice, maria, jonas, nina):
    _save(api)

    mapped = dict(StaffMapping.objects.values_list("staff__name", "zoom_user_id"))
    assert mapped == {"Maria Koch": MARIA, "Jonas Weber": JONAS}
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] == {
        "mode": "tenant_s2s",
        "status": "connected",
        "zoom_user_id": MARIA,
        "email": MARIA_EMAIL,
    }


def test_the_users_of_the_account_are_listed_with_the_s2s_token(api, zoom, alice):
    _save(api)

    response = api.get("/integrations/zoom/users")

    assert response.status_code == 200
    assert len(response.json()) == 4


def test_deleting_removes_the_credentials_and_revokes_the_token(api, zoom, alice, maria):
    _save(api)
    token = Connection.objects.get(tenant=alice).access_token

    response = api.delete("/integrations/zoom/s2s")

    assert response.status_code == 204
    assert not Connection.objects.exists()
    assert not StaffMapping.objects.exists()
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] is None
    assert zoom.control.requests("POST", "/oauth/revoke") == []
    assert run_jobs() == 1
    (revoke,) = zoom.control.requests("POST", "/oauth/revoke")
    assert revoke["status"] == 200
    assert revoke["body"] == {"token": token}
    expected = base64.b64encode(f"{S2S_CLIENT_ID}:{S2S_CLIENT_SECRET}".encode()).decode()
    assert revoke["headers"]["authorization"] == f"Basic {expected}"
    assert Job.objects.get(kind="zoom.revoke").state == Job.State.SUCCEEDED


def test_the_token_is_reused_until_shortly_before_it_expires(api, zoom, alice):
    _save(api)
    connection = Connection.objects.get(tenant=alice)

    for _ in range(3):
        ZoomClient(connection).get_model("/users", UserPage)

    assert len(token_requests(zoom, "account_credentials")) == 1


def test_an_expired_token_is_replaced_by_exactly_one_account_credentials_grant(api, zoom, alice):
    _save(api)
    connection = make_token_due(tenant=alice)
    old_token = connection.access_token

    page = ZoomClient(connection).get_model("/users", UserPage)
    ZoomClient(Connection.objects.get(tenant=alice)).get_model("/users", UserPage)

    assert len(page.users) == 4
    assert len(token_requests(zoom, "account_credentials")) == 2  # the save, then one renewal
    stored = Connection.objects.get(tenant=alice)
    assert stored.access_token != old_token
    assert stored.access_token_renew_at is not None
    assert stored.access_token_renew_at > timezone.now()


def test_a_token_zoom_expired_early_is_replaced_once_and_the_call_retried(api, zoom, alice):
    _save(api)
    zoom.control.expire_tokens()
    zoom.control.clear_requests()

    page = ZoomClient(Connection.objects.get(tenant=alice)).get_model("/users", UserPage)

    assert len(page.users) == 4
    assert len(token_requests(zoom, "account_credentials")) == 1
    assert [entry["status"] for entry in zoom.control.requests("GET", "/v2/users")] == [401, 200]


def test_credentials_zoom_stops_accepting_make_the_connection_need_reconnecting(api, zoom, alice):
    _save(api)
    with zoom.emulator.mutation() as state:
        state.s2s_apps[S2S_CLIENT_ID].client_secret = "regenerated-secret"
    zoom.control.expire_tokens()

    with pytest.raises(ConnectionUnusable):
        ZoomClient(Connection.objects.get(tenant=alice)).get_model("/users", UserPage)

    shown = api.get("/integrations/zoom/s2s").json()
    assert shown["status"] == "needs_reconnect"
    assert "no longer accepts the Server-to-Server app's credentials" in shown["problem"]
    assert Job.objects.filter(kind="zoom.connection_notice").count() == 1


def test_zoom_being_down_while_saving_stores_nothing(api, zoom, alice):
    zoom.control.set_faults(paths=["/oauth/token"], error_rate=1.0, error_kind="503")

    response = _save(api)

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "zoom_unavailable"
    assert not Connection.objects.exists()


def test_deleting_s2s_leaves_a_tenant_oauth_connection_alone(api, zoom, alice):
    connection = connect_tenant(api, zoom, alice)

    response = api.delete("/integrations/zoom/s2s")

    assert response.status_code == 404
    assert Connection.objects.get(tenant=alice).pk == connection.pk
    assert not Job.objects.filter(kind="zoom.revoke").exists()


def test_s2s_for_another_account_replaces_the_tenant_oauth_connection(api, zoom, alice, maria):
    oauth_connection = connect_tenant(api, zoom, alice, AISHA)

    response = _save(api)

    assert response.status_code == 200
    stored = Connection.objects.get(tenant=alice)
    assert (stored.mode, stored.account_id) == (Mode.TENANT_S2S, S2S_ACCOUNT_ID)
    assert stored.pk != oauth_connection.pk
    assert Job.objects.filter(kind="zoom.revoke").count() == 1
    assert StaffMapping.objects.get(staff=maria).connection_id == stored.pk
