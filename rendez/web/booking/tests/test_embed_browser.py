"""The booking widget in Chromium, on a business's own website: a plain page served by another site
(http://127.0.0.1:<port>, while Rendez is http://localhost:<port>: another host, so cross-site and not only
cross-origin) holds the dashboard's snippet; a visitor books inside the frame, which grows to fit each step.
The frame is sent no cookie of Rendez, so the booking goes through on the signed form token alone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import monotonic
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service, make_staff, make_tenant
from rendez.web.booking.tests.steps import show_day
from rendez.web.panel.onboarding.sharing import embed_snippet
from rendez.web.tests.screens import DESKTOP, SCREENSHOTS, WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_HEIGHT = 720  # the snippet's, until the page inside says how tall it is


class Website:
    """A business's website on another site than Rendez: it serves one page, `html`, at `url`."""

    def __init__(self) -> None:
        self.html = ""
        website = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = website.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def show(self, fragment: str) -> str:
        self.html = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Nest yoga</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
            "<body style='margin:0 auto;max-width:60rem;padding:0 1rem;font-family:Georgia,serif'>"
            "<h1>Nest yoga, Berlin</h1><p>Classes for every body. Book yours below.</p>"
            f"{fragment}<footer style='min-height:900px'><p>Nest · Torstraße 1</p></footer></body></html>"
        )
        return self.url


@pytest.fixture
def website() -> Iterator[Website]:
    site = Website()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def nest(live_server, settings):
    """A new business whose snippet points at this live server; Emil teaches yoga in Berlin on weekdays."""
    settings.BASE_URL = live_server.url
    tenant = make_tenant("nest", name="Nest")
    emil = make_staff(tenant, "Emil")
    make_service(tenant, emil, name="Yoga", duration_minutes=60, location_type="in_person")
    return tenant


@pytest.fixture
def visitor(browser):
    context = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def a_monday() -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    return datetime.combine(today + timedelta(days=14 - today.weekday()), time(10), tzinfo=BERLIN)


FRAME = "iframe[data-rendez-embed]"


def frame_height(page) -> float:
    return page.locator(FRAME).evaluate("frame => frame.getBoundingClientRect().height")


def fits(page, frame) -> float:
    """Waits until the iframe is exactly as tall as the page inside it (both read at once: the page's height
    moves while htmx shows and hides its loading line); that height."""
    deadline = monotonic() + 5
    while True:
        needed = frame.locator("html").evaluate("html => Math.ceil(html.getBoundingClientRect().height)")
        if frame_height(page) == needed:
            return needed
        assert monotonic() < deadline, f"the frame is {frame_height(page)}px tall, its page {needed}px"
        page.wait_for_timeout(50)


def shoot_fitted(page, frame, name: str) -> None:
    """Screenshots at each width once the frame fits again (of the window: Chromium leaves another site's
    frame out of a full-page one)."""
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        fits(page, frame)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"))
    page.set_viewport_size(DESKTOP)
    fits(page, frame)


def frame_top(page) -> float:
    return page.locator(FRAME).evaluate("frame => frame.getBoundingClientRect().top")


def test_a_visitor_books_inside_the_frame_on_the_businesss_own_website(live_server, website, nest, visitor):
    page = visitor
    posts: list[dict[str, str]] = []
    page.on(
        "request", lambda request: posts.append(request.all_headers()) if request.method == "POST" else None
    )
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    monday = a_monday()

    page.goto(website.show(embed_snippet(nest)))

    assert page.url.startswith("http://127.0.0.1:") and live_server.url.startswith("http://localhost:")
    frame = page.frame_locator(FRAME)
    expect(frame.get_by_role("heading", name="Book an appointment")).to_be_visible()
    assert fits(page, frame) < DEFAULT_HEIGHT  # a short first step: the frame shrank to it
    frame.get_by_role("link", name="Yoga").click()
    frame.get_by_role("link", name="Emil").click()
    expect(frame.locator("#tz")).to_have_value("Europe/Berlin")
    show_day(frame, monday.date().isoformat())
    expect(frame.locator("#slots").get_by_role("link", name="10:00", exact=True)).to_be_visible()
    expect(frame.locator("#slots-loading")).to_be_hidden()
    fits(page, frame)  # after htmx swapped in the day's times
    frame.locator("#day").blur()
    shoot_fitted(page, frame, "embed-time")
    frame.locator("#slots").get_by_role("link", name="10:00", exact=True).click()
    expect(frame.get_by_role("heading", name="Your details")).to_be_visible()
    assert fits(page, frame) > DEFAULT_HEIGHT  # the form is taller than the snippet's frame: it grew
    # Only the page inside may size the frame: a message from the website itself changes nothing.
    page.evaluate("window.postMessage({rendez: 'embed', height: 50, newPage: false}, '*')")
    assert frame_height(page) > DEFAULT_HEIGHT
    frame.get_by_label("Your name").fill("Charlie Day")
    frame.get_by_label("Email").fill("charlie@example.com")
    # The visitor has scrolled down the website to the Book button: the frame's top is out of view.
    page.evaluate(f"window.scrollBy(0, document.querySelector('{FRAME}').getBoundingClientRect().top + 400)")
    assert frame_top(page) == pytest.approx(-400, abs=1)
    frame.get_by_role("button", name="Book").click()

    expect(frame.get_by_role("heading", name="You're booked")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.appointment.start == monday and booking.customer.email == "charlie@example.com"
    # The frame was sent no cookie: the signed form token alone let the booking through.
    assert len(posts) == 1 and "cookie" not in posts[0]
    fits(page, frame)
    # The confirmation is brought into view from its top.
    assert frame_top(page) == pytest.approx(0, abs=1)
    # The booking's own page opens as a page of its own, not inside the website.
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Manage your booking").click()
    manage = opened.value
    manage.wait_for_load_state()
    assert manage.url == f"{live_server.url}/manage/{booking.manage_token}"
    # Nothing was blocked by the embed's Content-Security-Policy, and no script failed.
    assert problems == []
    expect(manage.get_by_role("heading", name="Your appointment")).to_be_visible()


def test_a_placeholder_becomes_the_framed_booking_page(live_server, website, nest, visitor):
    page = visitor
    script = f"{live_server.url}/static/web/embed.js"

    page.goto(website.show(f'<div data-rendez="nest"></div><script src="{script}" async></script>'))

    made = page.locator("div > " + FRAME)
    expect(made).to_have_attribute("src", f"{live_server.url}/book/nest/embed/")
    frame = page.frame_locator(FRAME)
    expect(frame.get_by_role("link", name="Yoga")).to_be_visible()
    assert fits(page, frame) < DEFAULT_HEIGHT
