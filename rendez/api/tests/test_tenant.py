"""`GET|PATCH /api/v1/tenant`: the business profile of the key's own tenant, written by the same writer as the
panel. A fresh business (Lisbon) reads and changes its own profile; refused values answer 422 by field and
save nothing; another tenant's key only ever reaches its own business."""

from __future__ import annotations

import pytest

from rendez.api.tests.fixtures import ApiClient
from rendez.scheduling.tests.factories import make_api_key, make_tenant
from rendez.tenants.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def lisbon(db) -> Tenant:
    return make_tenant("lisbon-clinic", name="Lisbon Clinic", timezone="Europe/Lisbon")


@pytest.fixture
def lisbon_api(lisbon) -> ApiClient:
    return ApiClient(make_api_key(lisbon))


def profile_of(tenant: Tenant) -> dict:
    tenant.refresh_from_db()
    return {
        name: getattr(tenant, name)
        for name in (
            "name",
            "timezone",
            "address",
            "welcome_text",
            "brand_colour",
            "offer_staff_without_zoom",
        )
    }


def test_it_reads_the_profile_with_its_read_only_parts(lisbon_api, settings):
    settings.BASE_URL = "https://rendez.test"

    body = lisbon_api.get("/tenant").json()

    assert body == {
        "slug": "lisbon-clinic",
        "name": "Lisbon Clinic",
        "timezone": "Europe/Lisbon",
        "address": "",
        "sender_name": "",
        "reply_to_email": "",
        "welcome_text": "",
        "cancellation_policy": "",
        "brand_colour": "",
        "offer_staff_without_zoom": False,
        "plan": {"slug": "pro", "name": "Pro", "capabilities": ["zoom"]},
        "booking_page_url": "https://rendez.test/book/lisbon-clinic/",
        "logo_url": None,
    }


def test_a_patch_changes_only_what_it_names_through_the_profile_writer(lisbon_api, lisbon):
    response = lisbon_api.patch(
        "/tenant",
        {
            "name": "  Clínica de Lisboa ",
            "brand_colour": "#0B6B2F",
            "welcome_text": "Bem-vindo!",
            "offer_staff_without_zoom": True,
            "reply_to_email": "ola@lisbon.test",
        },
    )

    assert response.status_code == 200
    body = response.json()
    # Trimmed and lower-cased as the panel's form saves them.
    assert (body["name"], body["brand_colour"], body["reply_to_email"]) == (
        "Clínica de Lisboa",
        "#0b6b2f",
        "ola@lisbon.test",
    )
    assert profile_of(lisbon) == {
        "name": "Clínica de Lisboa",
        "timezone": "Europe/Lisbon",
        "address": "",
        "welcome_text": "Bem-vindo!",
        "brand_colour": "#0b6b2f",
        "offer_staff_without_zoom": True,
    }
    assert lisbon_api.patch("/tenant", {"reply_to_email": ""}).json()["reply_to_email"] == ""


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": ""}, "name", "Must not be empty."),
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a time zone"),
        ({"timezone": "localtime"}, "timezone", "is not a time zone"),
        ({"brand_colour": "#ffee00"}, "brand_colour", "too light to read on white"),
        ({"brand_colour": "blue"}, "brand_colour", "is not a colour like #1f4fc9"),
        ({"reply_to_email": "not-an-address"}, "reply_to_email", "valid email address"),
        ({"sender_name": "support@bank.example"}, "sender_name", "a name, not an email address"),
        ({"welcome_text": "x" * 2001}, "welcome_text", "at most 2000 characters"),
        ({"offer_staff_without_zoom": "yes"}, "offer_staff_without_zoom", ""),
        ({"name": None}, "name", "Cannot be null"),
        ({"slug": "taken"}, "slug", "Not a field of this request."),
        ({"plan": "enterprise"}, "plan", "Not a field of this request."),
    ],
)
def test_refused_values_answer_422_by_field_and_save_nothing(lisbon_api, lisbon, body, field, words):
    before = profile_of(lisbon)

    response = lisbon_api.patch("/tenant", {"address": "Rua Augusta 1", **body})

    assert response.status_code == 422
    error = response.json()["error"]
    assert list(error["fields"]) == [field] and words in error["fields"][field]
    assert profile_of(lisbon) == before
    lisbon.refresh_from_db()
    assert lisbon.slug == "lisbon-clinic"


def test_another_tenants_key_reaches_only_its_own_business(alice_api, alice, lisbon_api, lisbon):
    assert alice_api.get("/tenant").json()["slug"] == "alice"

    assert alice_api.patch("/tenant", {"name": "Renamed by Alice"}).status_code == 200

    assert profile_of(lisbon)["name"] == "Lisbon Clinic"
    assert lisbon_api.get("/tenant").json()["name"] == "Lisbon Clinic"
    assert profile_of(alice)["name"] == "Renamed by Alice"


def test_without_a_key_nothing_is_read_or_changed(anonymous_api, lisbon):
    assert anonymous_api.get("/tenant").status_code == 401
    assert anonymous_api.patch("/tenant", {"name": "Hijacked"}).status_code == 401
    assert profile_of(lisbon)["name"] == "Lisbon Clinic"


def test_the_openapi_document_describes_the_tenant(alice_api, db):
    document = alice_api.client.get("/api/v1/openapi.json").json()

    assert set(document["paths"]["/api/v1/tenant"]) == {"get", "patch"}
    patch = document["components"]["schemas"]["TenantPatch"]
    assert patch["additionalProperties"] is False
    assert (
        "slug" not in patch["properties"]
        and patch["properties"]["offer_staff_without_zoom"]["type"] == "boolean"
    )
