from __future__ import annotations

import pytest

from rendez.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_the_landing_page_says_what_is_running_and_links_the_api_docs(client):
    Tenant.objects.create(slug="demo", name="Demo Clinic")

    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Rendez is running" in body
    assert "Demo Clinic" in body
    assert 'href="/api/v1/docs"' in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_reaches_the_api_docs_from_the_landing_page(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="REST API documentation").click()

    # Swagger UI renders from the static files bundled with django-ninja: nothing is fetched from a CDN.
    page.wait_for_selector(".swagger-ui .information-container")
    assert "Rendez API" in page.locator(".swagger-ui .title").inner_text()
    assert page.get_by_text("/api/v1/bookings").first.is_visible()
