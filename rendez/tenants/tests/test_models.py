"""Tenants, plans and API keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from rendez.tenants.models import API_KEY_PREFIX, ApiKey, Plan, Tenant, validate_timezone


@pytest.fixture
def pro(db):
    return Plan.objects.create(slug="pro", name="Pro", capabilities=["zoom", "sms"], limits={"staff": "10"})


@pytest.fixture
def alice(pro):
    return Tenant.objects.create(slug="alice", name="Alice's Studio", timezone="Europe/Berlin", plan=pro)


def test_a_plan_grants_its_capabilities_and_limits(pro):
    assert pro.allows("zoom")
    assert not pro.allows("whatsapp")
    assert pro.limit("staff") == 10
    assert pro.limit("bookings_per_month") is None


def test_a_tenant_has_the_capabilities_of_its_plan(alice):
    assert alice.has_capability("zoom")
    assert not alice.has_capability("whatsapp")


def test_a_tenant_without_a_plan_has_no_capabilities(db):
    bob = Tenant.objects.create(slug="bob", name="Bob's Clinic")
    assert not bob.has_capability("zoom")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_iana_zones_are_valid(zone):
    validate_timezone(zone)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CEST", "+02:00", "", "../etc/passwd"])
def test_other_zones_are_refused(zone):
    with pytest.raises(ValidationError):
        validate_timezone(zone)


def test_a_tenant_with_a_bad_zone_fails_validation(db):
    with pytest.raises(ValidationError) as caught:
        Tenant(slug="charlie", name="Charlie", timezone="Mars/Olympus").full_clean()
    assert "timezone" in caught.value.error_dict


def authenticated(raw_key: str) -> ApiKey:
    key = ApiKey.authenticate(raw_key)
    assert key is not None
    return key


def test_an_issued_key_authenticates_its_tenant(alice):
    key, raw = ApiKey.issue(alice, "booking widget")
    assert raw.startswith(API_KEY_PREFIX)
    assert len(raw) > 40
    assert ApiKey.authenticate(raw) == key
    assert authenticated(raw).tenant == alice


def test_each_key_is_different(alice):
    assert ApiKey.issue(alice, "one")[1] != ApiKey.issue(alice, "two")[1]


def test_a_key_is_stored_only_as_its_digest(alice):
    key, raw = ApiKey.issue(alice, "widget")
    assert raw not in {key.digest, key.prefix, key.name}
    assert len(key.digest) == 64
    assert str(key) == f"widget ({raw[:12]}…)"


def test_a_wrong_key_does_not_authenticate(alice):
    ApiKey.issue(alice, "widget")
    assert ApiKey.authenticate("rdz_wrong") is None
    assert ApiKey.authenticate("") is None


def test_a_revoked_key_does_not_authenticate(alice):
    key, raw = ApiKey.issue(alice, "widget")
    key.revoke()
    assert not key.is_active
    assert ApiKey.authenticate(raw) is None
    revoked_at = ApiKey.objects.get().revoked_at
    key.revoke()
    assert ApiKey.objects.get().revoked_at == revoked_at


def test_a_suspended_tenants_keys_do_not_authenticate(alice):
    _, raw = ApiKey.issue(alice, "widget")
    alice.is_active = False
    alice.save()
    assert ApiKey.authenticate(raw) is None


def test_authenticating_records_the_last_use_once_a_minute(alice, django_assert_num_queries):
    key, raw = ApiKey.issue(alice, "widget")
    with django_assert_num_queries(2):
        first = authenticated(raw).last_used_at
    assert first is not None
    with django_assert_num_queries(1):
        assert authenticated(raw).last_used_at == first
    earlier = first - timedelta(minutes=5)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=earlier)
    later = authenticated(raw).last_used_at
    assert later is not None and later > earlier


def test_a_key_can_be_issued_with_a_known_value(alice):
    _, raw = ApiKey.issue(alice, "demo", raw_key="rdz_demo_key_for_scripts")
    assert raw == "rdz_demo_key_for_scripts"
    assert authenticated("rdz_demo_key_for_scripts").tenant == alice
