"""A service's video provider over the API: `video_provider` and `fallback_video_provider`, with
`zoom_enabled` still read and written as the older name of `video_provider == "zoom"` (issue 18,
section 5)."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Service
from rendez.scheduling.tests.factories import make_service

pytestmark = pytest.mark.django_db

NEW = {"name": "Coaching", "duration_minutes": 45}


def stored(service_id: int) -> tuple[str | None, str | None]:
    service = Service.objects.get(pk=service_id)
    return service.video_provider, service.fallback_video_provider


def refused(response, code: str, field: str) -> dict:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"], error
    return error


def test_a_service_shows_its_provider_its_fallback_and_the_alias(alice, alice_api):
    zoom = make_service(alice, name="Zoom call", video_provider="zoom", fallback_video_provider="google_meet")
    meet = make_service(alice, name="Meet call", video_provider="google_meet")
    none = make_service(alice, name="In person")
    shown = {item["id"]: item for item in alice_api.get("/services").json()["items"]}
    assert [
        (shown[s.pk]["video_provider"], shown[s.pk]["fallback_video_provider"], shown[s.pk]["zoom_enabled"])
        for s in (zoom, meet, none)
    ] == [("zoom", "google_meet", True), ("google_meet", None, False), (None, None, False)]


@pytest.mark.parametrize(
    ("sent", "provider"),
    [
        ({}, None),
        ({"zoom_enabled": True}, "zoom"),
        ({"zoom_enabled": False}, None),
        ({"video_provider": "teams"}, "teams"),
        ({"video_provider": None}, None),
        ({"video_provider": "zoom", "zoom_enabled": True}, "zoom"),
        ({"video_provider": "google_meet", "zoom_enabled": False}, "google_meet"),
        ({"video_provider": None, "zoom_enabled": False}, None),
    ],
)
def test_a_new_service_takes_its_provider_from_either_name(alice_api, sent, provider):
    response = alice_api.post("/services", {**NEW, **sent})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["video_provider"], body["zoom_enabled"]) == (provider, provider == "zoom")
    assert stored(body["id"]) == (provider, None)


@pytest.mark.parametrize(
    "sent",
    [
        {"video_provider": "google_meet", "zoom_enabled": True},
        {"video_provider": None, "zoom_enabled": True},
        {"video_provider": "zoom", "zoom_enabled": False},
    ],
)
def test_contradictory_names_are_refused_and_nothing_is_made(alice, alice_api, sent):
    error = refused(
        alice_api.post("/services", {**NEW, **sent}), "contradictory_video_provider", "zoom_enabled"
    )
    assert "zoom_enabled" in error["message"] and "video_provider" in error["message"]
    assert not Service.objects.filter(tenant=alice).exists()


def test_patching_the_alias_moves_the_provider(alice, alice_api):
    service = make_service(alice, name="Coaching")
    assert (
        alice_api.patch(f"/services/{service.pk}", {"zoom_enabled": True}).json()["video_provider"] == "zoom"
    )
    patched = alice_api.patch(f"/services/{service.pk}", {"fallback_video_provider": "teams"}).json()
    assert (patched["video_provider"], patched["fallback_video_provider"]) == ("zoom", "teams")
    # An older client turning Zoom off knows nothing of fallbacks: the fallback goes with the provider.
    off = alice_api.patch(f"/services/{service.pk}", {"zoom_enabled": False}).json()
    assert (off["video_provider"], off["fallback_video_provider"], off["zoom_enabled"]) == (None, None, False)
    assert stored(service.pk) == (None, None)


def test_turning_zoom_off_leaves_another_provider_be(alice, alice_api):
    service = make_service(alice, name="Coaching", video_provider="teams")
    assert alice_api.patch(f"/services/{service.pk}", {"zoom_enabled": False}).status_code == 200
    assert stored(service.pk) == ("teams", None)


def test_patching_the_provider_to_null_and_back(alice, alice_api):
    service = make_service(alice, name="Coaching", video_provider="zoom")
    assert (
        alice_api.patch(f"/services/{service.pk}", {"video_provider": None}).json()["zoom_enabled"] is False
    )
    body = alice_api.patch(f"/services/{service.pk}", {"video_provider": "zoom", "zoom_enabled": True}).json()
    assert (body["video_provider"], body["zoom_enabled"]) == ("zoom", True)


def test_a_contradictory_patch_changes_nothing(alice, alice_api):
    service = make_service(alice, name="Coaching", video_provider="zoom", fallback_video_provider="teams")
    response = alice_api.patch(
        f"/services/{service.pk}", {"video_provider": "teams", "zoom_enabled": True, "name": "Renamed"}
    )
    refused(response, "contradictory_video_provider", "zoom_enabled")
    service.refresh_from_db()
    assert (service.name, service.video_provider, service.fallback_video_provider) == (
        "Coaching",
        "zoom",
        "teams",
    )


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ({"video_provider": "zoom", "fallback_video_provider": "zoom"}, "fallback_same_as_provider"),
        ({"fallback_video_provider": "google_meet"}, "fallback_without_provider"),
        ({"zoom_enabled": False, "fallback_video_provider": "teams"}, "fallback_without_provider"),
    ],
)
def test_a_fallback_must_differ_from_a_provider_it_falls_back_from(alice, alice_api, sent, code):
    refused(alice_api.post("/services", {**NEW, **sent}), code, "fallback_video_provider")
    service = make_service(alice, name="Coaching", video_provider="zoom")
    patch = {**sent, "video_provider": None} if code == "fallback_without_provider" else sent
    refused(alice_api.patch(f"/services/{service.pk}", patch), code, "fallback_video_provider")
    assert stored(service.pk) == ("zoom", None)


@pytest.mark.parametrize("field", ["video_provider", "fallback_video_provider"])
def test_an_unknown_provider_is_refused_by_name(alice, alice_api, field):
    response = alice_api.post("/services", {**NEW, "video_provider": "zoom", field: "webex"})
    assert response.status_code == 422 and field in response.json()["error"]["fields"]
    assert not Service.objects.filter(tenant=alice).exists()


def test_null_is_no_way_to_leave_zoom_enabled_unsaid(alice, alice_api):
    service = make_service(alice, name="Coaching", video_provider="zoom")
    response = alice_api.patch(f"/services/{service.pk}", {"zoom_enabled": None})
    assert response.status_code == 422 and "zoom_enabled" in response.json()["error"]["fields"]
    assert stored(service.pk) == ("zoom", None)


def test_the_openapi_document_describes_the_names(alice_api, client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("ServiceIn", "ServicePatch", "ServiceOut"):
        fields = schemas[name]["properties"]
        assert {"video_provider", "fallback_video_provider", "zoom_enabled"} <= set(fields), name
    assert "older name" in schemas["ServiceOut"]["properties"]["zoom_enabled"]["description"]
