"""The operator pages: only superusers see them; tenants and plans are created and changed; the Zoom page
tells what is configured without ever showing a secret."""

from __future__ import annotations

import pytest
from django.test import Client

from rendez.integrations.zoom.models import Connection, Mode
from rendez.scheduling.tests.factories import make_staff
from rendez.tenants.models import Plan, Tenant

pytestmark = pytest.mark.django_db

PAGES = ["/operator/", "/operator/tenants/", "/operator/plans/", "/operator/zoom/"]
CLIENT_SECRET = "zoom-client-secret-must-not-leak"
WEBHOOK_SECRET = "zoom-webhook-secret-must-not-leak"


@pytest.fixture
def pro(db) -> Plan:
    return Plan.objects.create(
        slug="premium", name="Premium", capabilities=["sms", "zoom"], limits={"staff": 10}
    )


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_a_tenant_admin_is_refused(ada_client, url):
    assert ada_client.get(url).status_code == 403


def test_a_tenant_admin_cannot_change_a_tenant_or_a_plan(ada_client, alice, pro):
    assert ada_client.post(f"/operator/tenants/{alice.pk}/active/", {"active": "0"}).status_code == 403
    assert (
        ada_client.post(f"/operator/tenants/{alice.pk}/plan/", {f"t{alice.pk}-plan": pro.pk}).status_code
        == 403
    )
    assert (
        ada_client.post("/operator/tenants/", {"slug": "x", "name": "X", "timezone": "UTC"}).status_code
        == 403
    )
    assert (
        ada_client.post(f"/operator/plans/{pro.pk}/", {"slug": "premium", "name": "Free"}).status_code == 403
    )
    alice.refresh_from_db()
    pro.refresh_from_db()
    assert alice.is_active and alice.plan != pro and pro.name == "Premium"
    assert not Tenant.objects.filter(slug="x").exists()


def test_the_tenant_list_shows_plan_counts_and_zoom_status(otto_client, alice, bob, pro):
    alice.plan = pro
    alice.save()
    dora = make_staff(alice, "Dora")
    make_staff(alice, "Emil")
    Connection.objects.create(tenant=alice, staff=dora, mode=Mode.STAFF_OAUTH)
    Connection.objects.create(tenant=bob, mode=Mode.TENANT_S2S, status=Connection.Status.NEEDS_RECONNECT)
    body = otto_client.get("/operator/tenants/").content.decode()
    assert "Alice&#x27;s Studio" in body and "Bob&#x27;s Clinic" in body
    assert "1 connected" in body and "1 needs reconnecting" in body
    alice_row = body[body.index("Alice&#x27;s Studio") : body.index("Bob&#x27;s Clinic")]
    assert '<td data-label="Staff">2</td>' in alice_row  # two staff
    assert f'<option value="{pro.pk}" selected>Premium</option>' in body


def test_the_operator_creates_a_tenant(otto_client, pro):
    response = otto_client.post(
        "/operator/tenants/",
        {"slug": "carol", "name": "Carol's Salon", "timezone": "Europe/Paris", "plan": pro.pk},
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="carol")
    assert (tenant.name, tenant.timezone, tenant.plan, tenant.is_active) == (
        "Carol's Salon",
        "Europe/Paris",
        pro,
        True,
    )
    assert "its booking page is /book/carol/" in otto_client.get("/operator/tenants/").content.decode()


def test_a_tenant_with_a_taken_slug_or_a_wrong_zone_is_refused(otto_client, alice):
    taken = otto_client.post("/operator/tenants/", {"slug": "alice", "name": "Other", "timezone": "UTC"})
    assert taken.status_code == 400
    assert "exists already" in taken.content.decode()
    zone = otto_client.post("/operator/tenants/", {"slug": "new", "name": "New", "timezone": "Mars/Olympus"})
    assert zone.status_code == 400
    assert "not an IANA time zone" in zone.content.decode()
    assert list(Tenant.objects.values_list("slug", flat=True)) == ["alice"]


def test_the_operator_changes_a_plan_deactivates_and_activates(otto_client, alice, pro):
    otto_client.post(f"/operator/tenants/{alice.pk}/plan/", {f"t{alice.pk}-plan": pro.pk})
    alice.refresh_from_db()
    assert alice.plan == pro and alice.has_capability("sms")
    otto_client.post(f"/operator/tenants/{alice.pk}/active/", {"active": "0"})
    alice.refresh_from_db()
    assert not alice.is_active
    otto_client.post(f"/operator/tenants/{alice.pk}/active/", {"active": "1"})
    alice.refresh_from_db()
    assert alice.is_active
    otto_client.post(f"/operator/tenants/{alice.pk}/plan/", {f"t{alice.pk}-plan": ""})
    alice.refresh_from_db()
    assert alice.plan is None


def test_changing_a_tenant_answers_only_to_post(otto_client, alice):
    assert otto_client.get(f"/operator/tenants/{alice.pk}/active/").status_code == 405


def test_the_operator_creates_a_plan_with_capabilities_and_limits(otto_client):
    response = otto_client.post(
        "/operator/plans/",
        {
            "slug": "team",
            "name": "Team",
            "capabilities": "zoom, SMS, zoom",
            "limits": "staff = 5\nservices=20",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(slug="team")
    assert plan.capabilities == ["sms", "zoom"]
    assert plan.limits == {"services": 20, "staff": 5}
    body = otto_client.get("/operator/plans/").content.decode()
    assert "Team" in body and "staff = 5" in body


def test_the_operator_changes_a_plans_capabilities(otto_client, alice, pro):
    alice.plan = pro
    alice.save()
    page = otto_client.get(f"/operator/plans/{pro.pk}/").content.decode()
    assert "1 tenant on this plan" in page and 'value="sms, zoom"' in page
    otto_client.post(
        f"/operator/plans/{pro.pk}/", {"slug": "premium", "name": "Premium", "capabilities": "sms"}
    )
    pro.refresh_from_db()
    alice.refresh_from_db()
    assert pro.capabilities == ["sms"] and pro.limits == {}
    assert not alice.has_capability("zoom")


def test_wrong_capabilities_or_limits_are_refused_in_words(otto_client, pro):
    response = otto_client.post(
        f"/operator/plans/{pro.pk}/",
        {"slug": "premium", "name": "Premium", "capabilities": "zoom!", "limits": "staff: 5"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not a capability name: zoom!" in body and "Write each limit as name = number" in body
    pro.refresh_from_db()
    assert pro.capabilities == ["sms", "zoom"]


def test_a_plan_slug_stays_unique(otto_client, pro):
    response = otto_client.post("/operator/plans/", {"slug": "premium", "name": "Another"})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert Plan.objects.filter(slug="premium").count() == 1


def test_the_zoom_page_shows_what_is_set_but_never_a_secret(otto_client, settings):
    settings.BASE_URL = "https://rendez.example"
    settings.ZOOM_EMULATOR = False
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "tenant_s2s"]
    settings.ZOOM_CLIENT_ID = "platform-client-id"
    settings.ZOOM_CLIENT_SECRET = CLIENT_SECRET
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = WEBHOOK_SECRET
    settings.ZOOM_OAUTH_BASE_URL = "https://zoom.us"
    settings.ZOOM_API_BASE_URL = "https://api.zoom.us/v2"
    body = otto_client.get("/operator/zoom/").content.decode()
    assert CLIENT_SECRET not in body and WEBHOOK_SECRET not in body
    assert "platform-client-id" in body
    assert "https://rendez.example/integrations/zoom/callback" in body
    assert "https://rendez.example/integrations/zoom/events" in body
    assert "https://api.zoom.us/v2" in body
    assert "All good" in body
    assert body.count("Enabled</span>") == 2
    assert "/admin/" in body


def test_the_zoom_page_says_what_is_half_configured(otto_client, settings):
    settings.ZOOM_EMULATOR = False
    settings.ZOOM_CONNECTION_MODES = ["staff_oauth", "teams"]
    settings.ZOOM_CLIENT_ID = "platform-client-id"
    settings.ZOOM_CLIENT_SECRET = ""
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = ""
    body = otto_client.get("/operator/zoom/").content.decode()
    assert "ZOOM_CONNECTION_MODES names unknown modes: teams." in body
    assert "ZOOM_CLIENT_SECRET is empty" in body
    assert "zoom.E002" in body


def test_operator_forms_need_a_csrf_token(otto):
    client = Client(enforce_csrf_checks=True)
    client.force_login(otto)
    response = client.post("/operator/tenants/", {"slug": "x", "name": "X", "timezone": "UTC"})
    assert response.status_code == 403
    assert not Tenant.objects.filter(slug="x").exists()
