"""From /signup/ to the first video booking, in Chromium, as a new owner and their first customer would do it,
with nothing done behind the pages' backs (no shell, no Django admin, no writes to the database here but the
operator's plan: the test reads it only to assert):

Nora signs up "Nora's Studio", confirms her email from a real SMTP server, fills in the business profile (with
a logo, which the booking page shows shrunk to fit), adds herself as the first staff member with working
hours, adds a video service, connects the business's Zoom account through the Zoom emulator's consent page
(over HTTP), maps herself to a Zoom user, turns Zoom on for the integration and the service, and hands out the
booking page's link from the checklist. A visitor in New York opens it, books the first time shown on the
hour, and the confirmation email carries the join link and the passcode of the one meeting the emulator made
(its log: one POST /users/{id}/meetings). Then Nora changes the appointment to a longer service: Zoom gets one
PATCH with the new duration, and the customer is told the new service and end time.

Jobs run through the real worker in this thread, as `rendez worker` would run them beside the server.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from rendez.notifications.tests.fixtures import plain_text
from rendez.scheduling.models import Booking
from rendez.tenants.models import Plan, Tenant
from rendez.tenants.tests.pictures import picture
from rendez.tests.integrations.zoom.fixtures import CLIENT_ID, MARIA, MARIA_EMAIL, run_jobs, settle
from rendez.web.signup.tests.nora import NORA
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo(NORA["timezone"])
VISITOR = {"name": "Charlie Day", "email": "charlie@example.com"}
HOURS = "09:00-17:00"


def step(page, key: str):
    return page.locator(f'[data-testid="checklist"] li[data-step="{key}"]')


def done(page, key: str) -> bool:
    return step(page, key).get_attribute("data-done") == "true"


def watch(page, origin: str) -> list[str]:
    """Script errors, and failed loads of Rendez's own pages (the Zoom emulator's consent page has no
    favicon, which is Zoom's business, not ours)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} ({m.location['url']})")
            if m.type == "error" and m.location["url"].startswith(origin)
            else None
        ),
    )
    page.set_default_timeout(10_000)
    return errors


def sign_up_and_confirm(page, live_server, inbox) -> None:
    page.goto(live_server.url + "/signup/")
    page.get_by_label("Business name").fill(NORA["name"])
    expect(page.get_by_label("Booking page address")).to_have_value(NORA["slug"])
    page.get_by_label("Your name").fill(NORA["owner_name"])
    page.get_by_label("Your email").fill(NORA["email"])
    page.get_by_label("Password").fill(NORA["password"])
    page.get_by_role("button", name="Create my business").click()
    page.wait_for_url("**/panel/dashboard/")

    run_jobs()  # the worker beside the server sends the link
    [message] = inbox.to(NORA["email"])
    found = re.search(r"http://\S+/signup/verify/\S+/", plain_text(message))
    assert found is not None
    page.goto(found.group(0))
    page.get_by_role("button", name="Confirm my email").click()
    page.get_by_role("heading", name="Email confirmed").wait_for()
    page.goto(live_server.url + "/panel/dashboard/")
    assert page.get_by_test_id("verify-banner").count() == 0


def fill_profile(page) -> None:
    step(page, "profile").get_by_role("link", name="Open settings").click()
    page.get_by_role("link", name="Business profile").first.click()
    page.get_by_label("Address").fill("12 Bleecker St, New York, NY 10012")
    page.get_by_label("Sender name").fill("Nora at Nora's Studio")
    page.get_by_label("Reply-to email").fill(NORA["email"])
    logo = picture("PNG", (800, 300), colour="#1f4fc9")
    page.get_by_label("Logo").set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": logo})
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Business profile saved.").wait_for()


def add_myself_with_hours(page) -> None:
    page.get_by_role("button", name="Add me as a staff member").click()
    page.get_by_text("You are a staff member now.").wait_for()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(day, exact=True).fill(HOURS)
    page.get_by_role("button", name="Save working hours").click()
    page.get_by_text("saved", exact=False).first.wait_for()


def add_service(page, name: str, minutes: int, *, zoom_on: bool) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Duration (minutes)").fill(str(minutes))
    page.get_by_label(NORA["owner_name"]).check()
    assert page.get_by_label("Location").input_value() == "video"
    if zoom_on:
        page.get_by_label("Video meetings by").select_option("zoom")
    page.get_by_role("button", name="Add service").click()
    page.get_by_text(f"Service “{name}” added.").wait_for()


def connect_zoom_as_the_business(page) -> None:
    """Settings → Zoom: switch the integration on, then connect Maria's Zoom account through the emulator's
    sign-in and consent page."""
    step(page, "zoom_connect").get_by_role("link", name="Zoom settings").click()
    page.get_by_role("heading", name="Zoom", exact=True).wait_for()
    page.get_by_label("Create Zoom meetings for bookings").check()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Zoom settings saved.").wait_for()
    page.get_by_role("button", name="Connect Zoom account").click()
    page.get_by_text("would like to access your Zoom account").wait_for()
    page.locator("label.user", has_text=MARIA_EMAIL).click()
    page.get_by_role("button", name="Allow").click()
    page.get_by_role(
        "heading", name=f"Connect Zoom user {MARIA_EMAIL} as the business Zoom account"
    ).wait_for()
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_role("heading", name="Your Zoom account has been connected").wait_for()
    page.get_by_role("link", name="Back to Rendez").click()
    assert page.get_by_test_id("zoom-status").inner_text() == "Connected"


def map_myself_to_a_zoom_user(page, live_server) -> None:
    """Nora's own email is no Zoom user's, so nobody was mapped automatically: she picks Maria's user."""
    page.goto(live_server.url + "/panel/staff/")
    page.get_by_role("link", name=NORA["owner_name"]).click()
    zoom_section = page.get_by_test_id("zoom-section")
    zoom_section.get_by_label("Zoom user").select_option(MARIA)
    zoom_section.get_by_role("button", name="Save Zoom user").click()
    expect(page.get_by_test_id("zoom-section")).to_contain_text("Zoom: connected")


def switch_zoom_on_for(page, service: str) -> None:
    step(page, "zoom_on").get_by_role("link", name="Open").click()
    page.get_by_role("link", name=service).click()
    page.get_by_label("Video meetings by").select_option("zoom")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(f"Service “{service}” saved.").wait_for()


def book_as_a_new_york_visitor(browser, booking_url: str) -> tuple[datetime, list[str]]:
    """The visitor opens the link Nora handed out and books the first time shown on the hour; returns what
    they meant."""
    context = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    visitor = context.new_page()
    errors = watch(visitor, booking_url.split("/book/")[0])
    try:
        visitor.goto(booking_url)
        # The logo Nora uploaded, as stored: shrunk to fit 400 × 160.
        assert visitor.locator("img.brand-logo").evaluate("img => img.complete && img.naturalWidth") == 400
        visitor.get_by_role("link", name=re.compile("^Video call")).click()
        visitor.get_by_role("link", name=re.compile(NORA["owner_name"])).click()
        expect(visitor.locator("#slots")).to_contain_text("Times in America/New_York")
        # On the hour: the service change later keeps the start, and the longer service's slots start hourly
        # (a half-hour start is refused there, rightly, whatever the time of day the test runs).
        link = visitor.locator("#slots .slots a").filter(has_text=re.compile(r"^\s*\d\d:00\s*$")).first
        label = link.inner_text().strip()
        day = date.fromisoformat(visitor.locator("#day").input_value())
        link.click()
        visitor.get_by_label("Your name").fill(VISITOR["name"])
        visitor.get_by_label("Email").fill(VISITOR["email"])
        visitor.get_by_role("button", name="Book").click()
        expect(visitor.get_by_role("heading", name="You're booked")).to_be_visible()
    finally:
        context.close()
    return datetime.combine(day, time.fromisoformat(label), tzinfo=NEW_YORK), errors


def the_meeting_zoom_made(zoom) -> dict:  # noqa: F811
    created = zoom.control.requests("POST", f"/v2/users/{MARIA}/meetings")
    assert [entry["status"] for entry in created] == [201]
    assert len(zoom.control.requests("POST", "/v2/users/*")) == 1
    return json.loads(created[0]["response_body"])


def test_a_new_owner_goes_from_sign_up_to_a_video_booking_whose_email_carries_the_link(
    live_server,
    browser,
    smtp_server,  # noqa: F811 - the fixture, imported above
    zoom,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the logo
    settings.BASE_URL = live_server.url  # links in emails and Zoom's redirect lead to this server
    zoom.control.add_redirect_uri(CLIENT_ID, f"{live_server.url}/integrations/zoom/callback")
    # The operator's side of the installation: a plan with Zoom that sign-up offers.
    Plan.objects.create(slug="pro", name="Pro", capabilities=["zoom"])
    context = browser.new_context(viewport=DESKTOP, timezone_id="America/New_York")
    page = context.new_page()
    errors = watch(page, live_server.url)

    sign_up_and_confirm(page, live_server, smtp_server)
    fill_profile(page)
    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "profile")

    add_myself_with_hours(page)
    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "staff") and done(page, "hours")

    step(page, "service").get_by_role("link", name="Add a service").click()
    add_service(page, "Video call", 30, zoom_on=False)  # the toggle waits for a Zoom connection
    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "service") and not done(page, "zoom_connect")

    connect_zoom_as_the_business(page)
    map_myself_to_a_zoom_user(page, live_server)
    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "zoom_connect") and not done(page, "zoom_on")
    switch_zoom_on_for(page, "Video call")
    page.goto(live_server.url + "/panel/services/new/")
    add_service(page, "Long video call", 60, zoom_on=True)

    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "zoom_on") and not done(page, "share")
    booking_url = page.get_by_test_id("share").get_by_label("Link").input_value()
    assert booking_url == f"{live_server.url}/book/{NORA['slug']}/"

    meant, visitor_errors = book_as_a_new_york_visitor(browser, booking_url)
    settle()

    booking = Booking.objects.select_related("appointment__service", "customer").get()
    assert booking.tenant == Tenant.objects.get(slug=NORA["slug"])
    assert booking.appointment.start == meant and booking.customer.timezone == "America/New_York"
    made = the_meeting_zoom_made(zoom)
    assert made["duration"] == 30
    [confirmation] = [m for m in smtp_server.to(VISITOR["email"]) if m["Subject"].startswith("Confirmed:")]
    text = plain_text(confirmation)
    assert f"Join the video meeting: {made['join_url']}\n" in text
    assert f"Meeting password: {made['password']}\n" in text
    assert f"{meant:%H:%M}–{meant + timedelta(minutes=30):%H:%M} (America/New_York)" in text
    assert confirmation["From"] == "Nora at Nora's Studio <bookings@rendez.test>"
    assert confirmation["Reply-To"] == NORA["email"]

    page.goto(live_server.url + "/panel/dashboard/")
    assert done(page, "share")

    # The service changes: the meeting takes its length, and the customer is told.
    change_the_service(page, meant)
    settle()
    [patch] = zoom.control.requests("PATCH", f"/v2/meetings/{made['id']}")
    assert patch["status"] == 204 and patch["body"]["duration"] == 60
    assert len(zoom.control.requests("POST", "/v2/users/*")) == 1  # the same meeting, not a new one
    [moved] = [m for m in smtp_server.to(VISITOR["email"]) if m["Subject"].startswith("New time:")]
    assert moved["Subject"].startswith("New time: Long video call on ")
    moved_text = plain_text(moved)
    assert "your Long video call with Nora Lind has moved to" in moved_text
    assert f"{meant:%H:%M}–{meant + timedelta(minutes=60):%H:%M} (America/New_York)" in moved_text
    assert f"Join the video meeting: {made['join_url']}\n" in moved_text
    assert errors == [], errors
    assert visitor_errors == [], visitor_errors
    context.close()


def change_the_service(page, start: datetime) -> None:
    """Customers → Charlie → the appointment → another service, same start."""
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name=VISITOR["name"]).wait_for()
    shoot(page, "panel-customers")
    page.get_by_role("link", name=VISITOR["name"]).click()
    page.get_by_role("link", name=re.compile(f"{start:%H:%M}")).click()
    page.get_by_role("heading", name="Video call").wait_for()
    page.get_by_label("Service").select_option(label="Long video call")
    expect(page.get_by_label("New start")).to_have_value(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.get_by_role("heading", name="Long video call")).to_be_visible()
