"""API keys issued by the operator in the Django admin: shown once, stored as a digest, revocable."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rendez.scheduling.tests.factories import make_tenant
from rendez.tenants.models import ApiKey

ADD_URL = "/admin/tenants/apikey/add/"
CHANGELIST_URL = "/admin/tenants/apikey/"
RAW_KEY = re.compile(r"rdz_[A-Za-z0-9_-]{43}")


@pytest.fixture
def alice(db):
    return make_tenant("alice", name="Alice's Studio")


def services_status(raw_key: str) -> int:
    return Client().get("/api/v1/services", headers={"Authorization": f"Bearer {raw_key}"}).status_code


def add_key(admin_client, tenant, name: str = "Booking widget") -> tuple[str, str]:
    """Add a key through the admin form; the page it lands on and the raw key that page shows."""
    response = admin_client.post(ADD_URL, {"tenant": tenant.pk, "name": name}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    [raw_key] = set(RAW_KEY.findall(page))
    return page, raw_key


def test_a_key_added_in_the_admin_authenticates_against_the_api(admin_client, alice):
    _, raw_key = add_key(admin_client, alice)
    assert services_status(raw_key) == 200


def test_the_raw_key_is_shown_once_and_only_its_digest_is_stored(admin_client, alice):
    page, raw_key = add_key(admin_client, alice)
    assert page.count(raw_key) == 1
    key = ApiKey.objects.get()
    assert (key.tenant, key.name, key.prefix) == (alice, "Booking widget", raw_key[:12])
    assert key.digest and key.digest != raw_key and raw_key not in key.digest
    for url in (CHANGELIST_URL, f"/admin/tenants/apikey/{key.pk}/change/"):
        assert raw_key not in admin_client.get(url).content.decode()


def test_the_add_form_asks_only_for_the_tenant_and_a_name(admin_client, alice):
    page = admin_client.get(ADD_URL).content.decode()
    assert 'name="tenant"' in page and 'name="name"' in page
    assert 'name="digest"' not in page and 'name="prefix"' not in page


def test_an_issued_keys_secret_and_tenant_cannot_be_edited(admin_client, alice):
    key, _ = ApiKey.issue(alice, "Old name")
    bob = make_tenant("bob")
    url = f"/admin/tenants/apikey/{key.pk}/change/"
    post = {"name": "New name", "tenant": bob.pk, "digest": "", "prefix": "x"}
    assert admin_client.post(url, post).status_code == 302
    fresh = ApiKey.objects.get()
    assert (fresh.name, fresh.tenant, fresh.digest, fresh.prefix) == (
        "New name",
        alice,
        key.digest,
        key.prefix,
    )


def test_revoking_in_the_admin_stops_the_key(admin_client, alice):
    _, raw_key = add_key(admin_client, alice)
    _, other_raw = add_key(admin_client, alice, "Other")
    key = ApiKey.objects.get(name="Booking widget")
    response = admin_client.post(
        CHANGELIST_URL, {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    assert "1 API key(s) revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert services_status(raw_key) == 401
    assert services_status(other_raw) == 200
