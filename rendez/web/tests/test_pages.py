from __future__ import annotations

import pytest

from rendez.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_the_landing_page_leads_a_visitor_to_sign_in_sign_up_and_the_booking_pages(client):
    Tenant.objects.create(slug="demo", name="Demo Clinic")

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/login/"' in body
    assert 'href="/signup/"' in body
    assert 'href="/book/demo/"' in body and "Demo Clinic" in body
    assert 'href="/api/v1/docs"' in body
    # What runs here is the operator's business: a visitor of a production install is not told.
    assert "Rendez is running" not in body and 'href="/operator/tenants/"' not in body


def test_the_landing_page_offers_no_sign_up_when_the_operator_turned_it_off(client, settings):
    settings.SIGNUP_ENABLED = False

    body = client.get("/").content.decode()

    assert 'href="/login/"' in body
    assert 'href="/signup/"' not in body


def test_the_operator_finds_the_operator_pages_and_what_is_running(client, django_user_model):
    operator = django_user_model.objects.create_superuser("op", "op@rendez.test", "pw-op-landing")
    client.force_login(operator)

    body = client.get("/").content.decode()

    assert 'href="/operator/tenants/"' in body
    assert "Rendez is running" in body and 'href="/admin/"' in body
    assert 'href="/login/"' not in body


def test_a_development_install_with_the_emulator_says_what_is_running(client, settings):
    settings.ZOOM_EMULATOR = True

    body = client.get("/").content.decode()

    assert "Rendez is running" in body and 'href="/_zoom/"' in body


def test_the_favicon_is_a_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    # An ICO file: reserved 0, type 1 (icon), one image.
    assert b"".join(icon.streaming_content)[:6] == bytes([0, 0, 1, 0, 1, 0])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_reaches_the_api_docs_from_the_landing_page(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="REST API documentation").click()

    # Swagger UI renders from the static files bundled with django-ninja: nothing is fetched from a CDN.
    page.wait_for_selector(".swagger-ui .information-container")
    assert "Rendez API" in page.locator(".swagger-ui .title").inner_text()
    assert page.get_by_text("/api/v1/bookings").first.is_visible()
