"""Bearer API keys: who may call, what a refusal looks like, and what a call records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rendez.api.auth import key_cache
from rendez.api.tests.fixtures import ApiClient
from rendez.tenants.models import ApiKey

ERROR_KEYS = {"code", "message", "fields"}
ENDPOINTS = [
    "/services",
    "/staff",
    "/bookings",
    "/appointments",
    "/slots?service_id=1&date_from=2030-01-01&date_to=2030-01-01",
]


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_request_without_a_key_is_refused(anonymous_api, path, db):
    assert_unauthenticated(anonymous_api.get(path))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_unknown_key_is_refused(path, alice_key):
    assert_unauthenticated(ApiClient("rdz_" + "x" * 43).get(path))


def test_a_key_in_the_wrong_scheme_is_refused(alice_key, alice_api):
    response = alice_api.client.get("/api/v1/services", headers={"Authorization": f"Token {alice_key}"})
    assert_unauthenticated(response)


def test_a_revoked_key_is_refused(alice_api, alice_key):
    ApiKey.objects.get().revoke()
    assert_unauthenticated(alice_api.get("/services"))


def test_a_key_of_a_suspended_tenant_is_refused(alice, alice_api):
    alice.is_active = False
    alice.save()
    assert_unauthenticated(alice_api.get("/services"))


def test_refused_writes_change_nothing(anonymous_api, consultation, dora):
    from rendez.scheduling.models import Booking

    response = anonymous_api.post("/bookings", {"service_id": consultation.pk})
    assert response.status_code == 401
    assert not Booking.objects.exists()


def test_a_valid_key_is_accepted_and_its_use_recorded(alice_api):
    assert ApiKey.objects.get().last_used_at is None
    assert alice_api.get("/services").status_code == 200
    used = ApiKey.objects.get().last_used_at
    assert used is not None
    assert timezone.now() - used < timedelta(seconds=5)


def test_last_use_is_written_at_most_once_a_minute(alice_api, django_assert_max_num_queries):
    alice_api.get("/services")
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    alice_api.get("/services")
    assert ApiKey.objects.get().last_used_at == first
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    key_cache.clear()  # as a few seconds later: the process looks the key up again
    alice_api.get("/services")
    later = ApiKey.objects.get().last_used_at
    assert later is not None and later > first


def test_only_the_digest_of_a_key_is_stored(alice, alice_key):
    key = ApiKey.objects.get()
    assert alice_key not in (key.digest, key.prefix)
    assert key.prefix == alice_key[:12]
    assert ApiKey.authenticate(alice_key) == key


def test_a_known_key_costs_no_query(alice_api):
    alice_api.get("/staff")
    with CaptureQueriesContext(connection) as queries:
        assert alice_api.get("/staff").status_code == 200
    assert not [query for query in queries.captured_queries if "tenants_" in query["sql"]]


def test_a_key_revoked_in_this_process_is_refused_at_once(alice_api):
    assert alice_api.get("/services").status_code == 200
    ApiKey.objects.get().revoke()
    assert_unauthenticated(alice_api.get("/services"))


def test_a_tenant_suspended_in_this_process_is_refused_at_once(alice, alice_api):
    assert alice_api.get("/services").status_code == 200
    alice.is_active = False
    alice.save()
    assert_unauthenticated(alice_api.get("/services"))


def test_a_key_revoked_elsewhere_is_refused_once_the_cache_expires(alice_api, settings, monkeypatch):
    settings.API_KEY_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(key_cache, "clock", lambda: now[0])
    assert alice_api.get("/services").status_code == 200
    # Another process revoking it: this one hears nothing and serves the key it remembers, for a while.
    ApiKey.objects.update(revoked_at=timezone.now())
    now[0] += 4.9
    assert alice_api.get("/services").status_code == 200
    now[0] += 0.1
    assert_unauthenticated(alice_api.get("/services"))
