"""API keys in the panel: an admin creates one (its secret shown once), it works against the API until
revoked; staff and other tenants are kept out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rendez.tenants.models import ApiKey
from rendez.web.panel.tests.fixtures import signed_in

pytestmark = pytest.mark.django_db


def _create(client: Client, name: str = "Website"):
    return client.post("/panel/api-keys/", {"name": name}, follow=True)


def _raw_key(body: str) -> str:
    match = re.search(r'data-testid="raw-key"[^>]*value="(rdz_[^"]+)"', body)
    assert match is not None
    return match[1]


def _services(raw_key: str) -> int:
    return Client().get("/api/v1/services", headers={"Authorization": f"Bearer {raw_key}"}).status_code


def test_an_admin_creates_a_key_that_is_shown_once_and_authenticates(ada_client, alice):
    page = _create(ada_client)
    assert page.redirect_chain == [("/panel/api-keys/created/", 302)]
    body = page.content.decode()
    raw_key = _raw_key(body)
    assert "This is the only time the key is shown." in body and "Copy" in body
    assert "no-store" in page["Cache-Control"]
    key = ApiKey.objects.get(tenant=alice, name="Website")
    assert raw_key.startswith(key.prefix) and raw_key not in key.digest
    assert _services(raw_key) == 200

    again = ada_client.get("/panel/api-keys/created/", follow=True)
    assert raw_key not in again.content.decode()
    assert "shown only once" in again.content.decode()
    listing = ada_client.get("/panel/api-keys/").content.decode()
    assert raw_key not in listing and key.prefix in listing and "Website" in listing


def test_the_list_shows_last_use_and_revocation(ada_client, alice):
    raw_key = _raw_key(_create(ada_client).content.decode())
    assert "Never" in ada_client.get("/panel/api-keys/").content.decode()
    _services(raw_key)
    key = ApiKey.objects.get(tenant=alice, name="Website")
    assert key.last_used_at is not None
    assert "Never" not in ada_client.get("/panel/api-keys/").content.decode()


def test_revoking_asks_first_then_the_key_is_refused(ada_client, alice):
    raw_key = _raw_key(_create(ada_client).content.decode())
    key = ApiKey.objects.get(tenant=alice)
    confirm = ada_client.get(f"/panel/api-keys/{key.pk}/revoke/")
    assert "Revoke “Website”?" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None and _services(raw_key) == 200

    done = ada_client.post(f"/panel/api-keys/{key.pk}/revoke/", follow=True)
    assert "is revoked" in done.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert _services(raw_key) == 401
    assert "Revoked" in ada_client.get("/panel/api-keys/").content.decode()


def test_another_tenants_key_answers_404_and_stays_active(olga_client, bob, ada_client, alice):
    key, raw_key = ApiKey.issue(alice, "Alice's website")
    assert olga_client.get(f"/panel/api-keys/{key.pk}/revoke/").status_code == 404
    assert olga_client.post(f"/panel/api-keys/{key.pk}/revoke/").status_code == 404
    assert "Alice&#x27;s website" not in olga_client.get("/panel/api-keys/").content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None and _services(raw_key) == 200


def test_a_key_made_in_one_tenant_is_not_shown_in_another(ada, alice, olga_client, django_user_model):
    client = signed_in(ada, alice)
    client.post("/panel/api-keys/", {"name": "Website"})
    # Olga cannot pick up Ada's pending secret: it lives in Ada's session only.
    assert olga_client.get("/panel/api-keys/created/").status_code == 302


def test_staff_cannot_see_or_create_keys(dora_client, alice):
    assert dora_client.get("/panel/api-keys/").status_code == 404
    assert dora_client.post("/panel/api-keys/", {"name": "Sneaky"}).status_code == 404
    key, _ = ApiKey.issue(alice, "Website")
    assert dora_client.post(f"/panel/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert not ApiKey.objects.filter(name="Sneaky").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/panel/api-keys/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/panel/api-keys/")


def test_a_name_is_needed(ada_client, alice):
    response = ada_client.post("/panel/api-keys/", {"name": ""})
    assert response.status_code == 400
    assert not ApiKey.objects.filter(tenant=alice).exists()


def test_creating_and_revoking_need_a_csrf_token(ada, alice):
    client = signed_in(ada, alice, enforce_csrf_checks=True)
    assert client.post("/panel/api-keys/", {"name": "Website"}).status_code == 403
    assert not ApiKey.objects.filter(tenant=alice).exists()
    key, _ = ApiKey.issue(alice, "Website")
    assert client.post(f"/panel/api-keys/{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_admins_see_the_api_keys_link_and_staff_do_not(ada_client, dora_client):
    assert 'href="/panel/api-keys/"' in ada_client.get("/panel/appointments/").content.decode()
    assert 'href="/panel/api-keys/"' not in dora_client.get("/panel/appointments/").content.decode()
