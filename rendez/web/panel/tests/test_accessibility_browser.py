"""Every main page passes a small accessibility audit in Chromium (rendez/web/tests/audit.js): labelled
fields, named buttons and links, one h1, a language, unique ids, WCAG AA contrast. Run at desktop and phone
width, as an admin, as a staff member and as a visitor."""

from __future__ import annotations

from pathlib import Path

import pytest

from rendez.web.panel.tests.fixtures import make_meeting, sign_in_page
from rendez.web.tests.screens import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUDIT = (Path(__file__).resolve().parents[2] / "tests" / "audit.js").read_text()


def _audit(page, live_server, paths: list[str]) -> list[str]:
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            problems += [f"{path} at {size['width']}px: {problem}" for problem in page.evaluate(AUDIT)]
    return problems


def test_the_pages_of_an_admin_a_staff_member_and_a_visitor_pass_the_audit(
    live_server, page, ada, dora_user, alice, consultation, dora, doras_appointment, monday
):
    make_meeting(doras_appointment)
    booking = doras_appointment.bookings.get()
    customer = booking.customer_id
    visitor = [
        "/login/",
        "/book/alice/",
        f"/book/alice/{consultation.pk}/",
        f"/manage/{booking.manage_token}",
        "/my/alice/",
    ]
    problems = _audit(page, live_server, visitor)

    sign_in_page(page, live_server, "ada")
    admin = [
        "/panel/dashboard/",
        "/panel/appointments/",
        f"/panel/appointments/{doras_appointment.pk}/",
        f"/panel/calendar/?date={monday.isoformat()}",
        f"/panel/calendar/month/?date={monday.isoformat()}",
        "/panel/services/",
        f"/panel/services/{consultation.pk}/",
        "/panel/staff/",
        f"/panel/staff/{dora.pk}/",
        "/panel/settings/zoom/",
        "/panel/messages/",
        "/panel/messages/workflows/new/",
        "/panel/messages/deliveries/",
        "/panel/messages/dead-jobs/",
        "/panel/customers/",
        f"/panel/customers/{customer}/",
        f"/panel/customers/{customer}/edit/",
        "/panel/customers/book/",
        "/panel/api-keys/",
    ]
    problems += _audit(page, live_server, admin)

    page.context.clear_cookies()
    sign_in_page(page, live_server, "dora")
    problems += _audit(page, live_server, ["/panel/appointments/", "/panel/staff/me/", "/panel/calendar/"])
    assert problems == []
