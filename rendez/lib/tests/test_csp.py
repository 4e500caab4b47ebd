"""The Content-Security-Policy: every page gets it with a fresh nonce, inline scripts (the panel's) carry that
nonce, and the booking page, whose scripts are all files, still works in Chromium under it (htmx and the zone
detection run, nothing is blocked)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rendez.lib.csp import ENFORCING, REPORTING
from rendez.scheduling.tests.factories import make_service, make_staff, make_tenant
from rendez.web.panel.tests.fixtures import signed_in


@pytest.fixture
def time_page(db) -> str:
    """The public booking page's time step: htmx plus an inline script that detects the visitor's zone."""
    tenant = make_tenant("acme")
    service = make_service(tenant, make_staff(tenant, "Dora"), name="Consultation")
    return f"/book/{tenant.slug}/{service.pk}/time"


def nonce_of(policy: str) -> str:
    found = re.search(r"'nonce-([^']+)'", policy)
    assert found, policy
    return found.group(1)


def test_a_page_gets_the_policy_and_the_booking_page_needs_no_inline_script(client, time_page):
    response = client.get(time_page)

    policy = response[ENFORCING]
    assert (
        "default-src 'self'" in policy
        and "object-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    # Its scripts are files (no load-order dependency between an inline script and a deferred library).
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts and all("src=" in tag for tag in scripts)


def test_an_inline_script_carries_the_responses_nonce(alice, ada):  # noqa: F811 - fixtures
    response = signed_in(ada, alice).get("/panel/calendar/")
    assert response.status_code == 200
    assert f'<script nonce="{nonce_of(response[ENFORCING])}">' in response.content.decode()


def test_every_response_has_its_own_nonce(client, time_page):
    assert nonce_of(client.get(time_page)[ENFORCING]) != nonce_of(client.get(time_page)[ENFORCING])


def test_json_needs_no_policy(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert ENFORCING not in response and REPORTING not in response


def test_the_policy_can_be_tried_in_report_only_mode_or_turned_off(client, settings, time_page):
    settings.CSP_REPORT_ONLY = True
    response = client.get(time_page)
    assert REPORTING in response and ENFORCING not in response

    settings.CONTENT_SECURITY_POLICY = ""
    response = client.get(time_page)
    assert REPORTING not in response and ENFORCING not in response


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_booking_page_works_in_chromium_under_the_policy(live_server, browser):
    tenant = make_tenant("acme")
    service = make_service(tenant, make_staff(tenant, "Dora"), name="Consultation")
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )

    response = page.goto(f"{live_server.url}/book/{tenant.slug}/{service.pk}/time")

    assert response is not None and ENFORCING.lower() in response.headers
    # The inline script saw New York and asked htmx for that zone's times.
    expect(page.locator("#tz")).to_have_value("America/New_York")
    expect(page.locator("#slots")).not_to_be_empty()
    assert page.evaluate("typeof htmx") == "object"
    assert blocked == []
    context.close()
