"""Tenant OAuth end to end: the admin connects the business's Zoom account, staff are mapped to its users."""

from __future__ import annotations

from rendez.integrations.zoom.hosts import host_for
from rendez.integrations.zoom.models import Connection, Mode, StaffMapping
from rendez.jobs.models import Job
from rendez.tests.integrations.zoom.fixtures import (
    AISHA,
    JONAS,
    JONAS_EMAIL,
    LEA,
    MARIA,
    MARIA_EMAIL,
    add_zoom_users,
    connect,
    connect_staff,
    connect_tenant,
)


def _mappings(tenant) -> dict[str, str]:
    rows = StaffMapping.objects.filter(staff__tenant=tenant).values_list("staff__name", "zoom_user_id")
    return dict(rows)


def test_a_tenant_admin_connects_the_businesss_zoom_account(api, zoom, alice):
    response = connect(api, zoom, "/integrations/zoom/connect", MARIA)

    assert response.status_code == 200
    assert "has been connected" in response.content.decode()
    connection = Connection.objects.get(tenant=alice, staff__isnull=True)
    assert connection.mode == Mode.TENANT_OAUTH
    assert (connection.account_id, connection.zoom_user_id, connection.email) == (
        "demo-account",
        MARIA,
        MARIA_EMAIL,
    )
    assert "user:read:list_users:admin" in connection.scopes.split()


def test_the_settings_show_the_tenant_connection(api, zoom, alice):
    connect_tenant(api, zoom, alice)

    settings = api.get("/integrations/zoom/settings").json()

    assert settings["connection"] == {
        "mode": "tenant_oauth",
        "status": "connected",
        "account_id": "demo-account",
        "email": MARIA_EMAIL,
        "problem": "",
    }


def test_connecting_maps_the_staff_whose_email_is_a_zoom_user(api, zoom, alice, maria, jonas, nina):
    connect_tenant(api, zoom, alice)

    assert _mappings(alice) == {"Maria Koch": MARIA, "Jonas Weber": JONAS}
    assert api.get(f"/staff/{jonas.pk}").json()["zoom"] == {
        "mode": "tenant_oauth",
        "status": "connected",
        "zoom_user_id": JONAS,
        "email": JONAS_EMAIL,
    }
    assert api.get(f"/staff/{nina.pk}").json()["zoom"] is None


def test_the_users_list_holds_every_user_across_zoom_pages(api, zoom, alice):
    extra = add_zoom_users(zoom, 310)
    connect_tenant(api, zoom, alice)

    response = api.get("/integrations/zoom/users")

    assert response.status_code == 200
    ids = [user["id"] for user in response.json()]
    assert len(ids) == 4 + 310
    assert set(extra) | {MARIA, JONAS, LEA} <= set(ids)
    assert {"id": MARIA, "email": MARIA_EMAIL, "name": "Maria Koch"} in response.json()
    pages = zoom.control.requests("GET", "/v2/users")
    assert len(pages) == 2
    assert "next_page_token" not in pages[0]["query"]
    assert pages[1]["query"]["next_page_token"]


def test_the_users_list_is_cached_briefly(api, zoom, alice):
    connect_tenant(api, zoom, alice)
    zoom.control.clear_requests()

    first = api.get("/integrations/zoom/users").json()
    second = api.get("/integrations/zoom/users").json()

    assert first == second
    assert zoom.control.requests("GET", "/v2/users") == []


def test_the_users_list_needs_a_tenant_connection(api, zoom, alice):
    response = api.get("/integrations/zoom/users")

    assert response.status_code == 409
    assert "Connect the business's Zoom account first" in response.json()["error"]["message"]
    assert zoom.control.requests() == []


def test_an_admin_maps_a_staff_member_to_a_zoom_user(api, zoom, alice, nina):
    connect_tenant(api, zoom, alice)

    response = api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": LEA})

    assert response.status_code == 200
    assert response.json() == {
        "mode": "tenant_oauth",
        "status": "connected",
        "zoom_user_id": LEA,
        "email": "lea.schmitt@demo-clinic.example",
    }
    assert _mappings(alice) == {"Nina": LEA}
    assert host_for(nina) is not None and host_for(nina).user_path == LEA  # type: ignore[union-attr]


def test_an_admin_changes_an_automatic_mapping(api, zoom, alice, maria):
    connect_tenant(api, zoom, alice)

    response = api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": LEA})

    assert response.status_code == 200
    assert _mappings(alice) == {"Maria Koch": LEA}


def test_mapping_to_a_user_zoom_does_not_know_is_refused_and_changes_nothing(api, zoom, alice, maria):
    connect_tenant(api, zoom, alice)

    response = api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": "no-such-user"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_zoom_user"
    assert "no active Zoom user with id 'no-such-user'" in error["message"]
    assert "zoom_user_id" in error["fields"]
    assert _mappings(alice) == {"Maria Koch": MARIA}


def test_mapping_to_a_user_of_another_zoom_account_is_refused(api, zoom, alice, nina):
    connect_tenant(api, zoom, alice)

    response = api.put(f"/staff/{nina.pk}/zoom", {"zoom_user_id": AISHA})

    assert response.status_code == 422
    assert not StaffMapping.objects.filter(staff=nina).exists()


def test_mapping_to_null_clears_the_mapping(api, zoom, alice, maria):
    connect_tenant(api, zoom, alice)

    response = api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": None})

    assert response.status_code == 200
    assert response.json() is None
    assert _mappings(alice) == {}
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] is None


def test_mapping_without_a_tenant_connection_is_refused(api, zoom, alice, maria):
    response = api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": MARIA})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_tenant_connection"
    assert not StaffMapping.objects.exists()
    assert zoom.control.requests() == []


def test_a_personal_connection_wins_over_the_mapping(api, zoom, alice, jonas):
    connect_tenant(api, zoom, alice)
    connect_staff(api, zoom, jonas, LEA)

    assert _mappings(alice) == {"Jonas Weber": JONAS}
    assert api.get(f"/staff/{jonas.pk}").json()["zoom"] == {
        "mode": "staff_oauth",
        "status": "connected",
        "zoom_user_id": LEA,
        "email": "lea.schmitt@demo-clinic.example",
    }
    host = host_for(jonas)
    assert host is not None and host.user_path == "me"


def test_clearing_a_personal_connection_falls_back_to_the_mapping(api, zoom, alice, jonas):
    connect_tenant(api, zoom, alice)
    connect_staff(api, zoom, jonas, LEA)

    assert api.delete(f"/staff/{jonas.pk}/zoom").status_code == 204

    assert api.get(f"/staff/{jonas.pk}").json()["zoom"]["mode"] == "tenant_oauth"


def test_connecting_the_same_account_again_keeps_the_connection_and_its_mappings(api, zoom, alice, maria):
    first = connect_tenant(api, zoom, alice)
    api.put(f"/staff/{maria.pk}/zoom", {"zoom_user_id": LEA})

    again = connect_tenant(api, zoom, alice, JONAS)

    assert again.pk == first.pk
    assert again.zoom_user_id == JONAS
    assert _mappings(alice) == {"Maria Koch": LEA}


def test_the_tenant_disconnects_its_zoom_account(api, zoom, alice, maria):
    connect_tenant(api, zoom, alice)

    response = api.delete("/integrations/zoom/connection")

    assert response.status_code == 204
    assert not Connection.objects.filter(tenant=alice).exists()
    assert not StaffMapping.objects.exists()
    assert api.get("/integrations/zoom/settings").json()["connection"] is None
    assert api.get(f"/staff/{maria.pk}").json()["zoom"] is None
    assert Job.objects.filter(kind="zoom.revoke", state=Job.State.PENDING).count() == 1


def test_disconnecting_without_a_tenant_connection_is_404(api, zoom, alice):
    response = api.delete("/integrations/zoom/connection")

    assert response.status_code == 404
    assert not Job.objects.exists()


def test_disconnecting_a_mapped_staff_member_clears_the_mapping_only(api, zoom, alice, maria, jonas):
    connection = connect_tenant(api, zoom, alice)

    response = api.delete(f"/staff/{maria.pk}/zoom")

    assert response.status_code == 204
    assert _mappings(alice) == {"Jonas Weber": JONAS}
    assert Connection.objects.get(pk=connection.pk).is_usable
    assert not Job.objects.filter(kind="zoom.revoke").exists()


def test_a_zoom_user_who_is_no_admin_cannot_connect_the_business_account(api, zoom, alice, maria):
    response = connect(api, zoom, "/integrations/zoom/connect", LEA)

    assert response.status_code == 400
    assert "not an admin of the Zoom account" in response.content.decode()
    assert not Connection.objects.exists()
    assert not StaffMapping.objects.exists()
