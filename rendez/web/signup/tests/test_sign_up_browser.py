"""Signing up in Chromium, as a new owner would, at desktop and phone width: the landing page → /signup/ (the
zone preselected from the browser, the address following the name) → the confirmation email over real SMTP →
sign in → the dashboard's checklist → "Add me as a staff member" → a video service → the checklist follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rendez.tenants.models import Plan
from rendez.tests.integrations.zoom.fixtures import run_jobs
from rendez.web.models import SignUp
from rendez.web.signup.tests.nora import NORA
from rendez.web.tests.screens import WIDTHS, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step(page, key: str):
    return page.locator(f'[data-testid="checklist"] li[data-step="{key}"]')


def assert_fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_new_owner_signs_up_confirms_and_sets_up_in_the_browser(
    live_server,
    browser,
    smtp_server,  # noqa: F811 - the fixture, imported above
    settings,
    width,
):
    settings.BASE_URL = live_server.url  # the links in the email lead to this server
    Plan.objects.create(slug="pro", name="Pro", capabilities=["zoom"])
    context = browser.new_context(timezone_id="America/New_York", viewport=WIDTHS[width])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up your business").click()
    page.get_by_role("heading", name="Sign up your business").wait_for()
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    page.get_by_label("Business name").fill(NORA["name"])
    expect(page.get_by_label("Booking page address")).to_have_value("noras-studio")
    page.get_by_label("Your name").fill(NORA["owner_name"])
    page.get_by_label("Your email").fill(NORA["email"])
    page.get_by_label("Password").fill(NORA["password"])
    assert_fits(page)
    shoot(page, "signup", widths=(width,))
    page.set_viewport_size(WIDTHS[width])
    page.get_by_role("button", name="Create my business").click()

    page.wait_for_url("**/panel/dashboard/")
    assert page.get_by_test_id("verify-banner").is_visible()
    assert page.get_by_test_id("checklist").is_visible()
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    page.wait_for_url("**/login/")

    run_jobs()  # the worker beside the server sends the link
    [email] = smtp_server.to(NORA["email"])
    found = re.search(r"http://\S+/signup/verify/\S+/", email.get_body().get_content())
    assert found is not None
    link = found.group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email").click()
    page.get_by_role("heading", name="Email confirmed").wait_for()
    assert SignUp.objects.get().verified_at is not None
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email or username").fill(NORA["email"])
    page.get_by_label("Password").fill(NORA["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/panel/dashboard/")

    assert page.get_by_test_id("verify-banner").count() == 0
    assert step(page, "staff").get_attribute("data-done") == "false"
    assert_fits(page)
    page.get_by_role("button", name="Add me as a staff member").click()
    page.get_by_text("You are a staff member now.").wait_for()
    page.goto(live_server.url + "/panel/dashboard/")
    assert step(page, "staff").get_attribute("data-done") == "true"

    step(page, "service").get_by_role("link", name="Add a service").click()
    page.get_by_label("Name", exact=True).fill("Video call")
    page.get_by_label("Nora Lind").check()
    assert page.get_by_label("Location").input_value() == "video"
    page.get_by_role("button", name="Add service").click()
    page.get_by_text("Service “Video call” added.").wait_for()
    page.goto(live_server.url + "/panel/dashboard/")

    assert step(page, "service").get_attribute("data-done") == "true"
    assert step(page, "zoom_on").get_attribute("data-done") == "false"
    assert "2 of 7 done" in page.get_by_test_id("checklist-progress").inner_text()
    share = page.get_by_test_id("share")
    assert share.locator("svg").is_visible()
    assert page.get_by_label("Link").input_value().endswith("/book/noras-studio/")
    assert_fits(page)
    shoot(page, "panel-onboarding", widths=(width,))
    assert errors == []
    context.close()
