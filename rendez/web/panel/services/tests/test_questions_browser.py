"""Booking questions end to end in Chromium: an admin adds a required choice and a required checkbox to a
service, a visitor answers them on the public booking page, and the staff member reads the answers in the
calendar's drawer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service
from rendez.web.booking.tests.steps import show_day
from rendez.web.panel.tests.fixtures import sign_in_page
from rendez.web.tests.screens import DESKTOP, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_question(page, label: str, kind: str, options: str = "") -> None:
    form = page.get_by_test_id("add-question")
    form.get_by_label("Question").fill(label)
    form.get_by_label("Answered by").select_option(label=kind)
    if options:
        form.get_by_label("Options").fill(options)
    form.get_by_label("Required").check()
    form.get_by_role("button", name="Add the question").click()
    expect(page.get_by_test_id("question").filter(has_text=label)).to_be_visible()


def test_answers_asked_on_the_booking_page_reach_the_staff_members_drawer(
    live_server,
    browser,
    page,
    ada,
    dora,
    dora_user,
    alice,
    monday,  # noqa: F811
):
    lesson = make_service(alice, dora, name="Intro lesson", duration_minutes=60, location_type="in_person")

    # The admin asks two questions.
    sign_in_page(page, live_server, "ada@alice.example")
    page.goto(f"{live_server.url}/panel/services/{lesson.pk}/")
    add_question(page, "Your level", "Choice", "Beginner\nAdvanced")
    add_question(page, "I accept the terms", "Checkbox")
    expect(page.get_by_test_id("question")).to_have_count(2)
    shoot(page, "panel-service-questions", widths=("desktop",))

    # A visitor books, first forgetting the terms.
    visitor = browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin").new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{live_server.url}/book/alice/")
    visitor.get_by_role("link", name=re.compile("Intro lesson")).click()
    visitor.get_by_role("link", name=re.compile("Dora")).click()
    show_day(visitor, monday.isoformat())
    visitor.locator("#slots").get_by_role("link", name="10:00", exact=True).click()
    visitor.get_by_label("Your name").fill("Charlie Day")
    visitor.get_by_label("Email").fill("charlie@example.com")
    visitor.get_by_label("Your level (required)").select_option("Advanced")
    visitor.get_by_role("button", name="Book").click()
    expect(visitor.get_by_text("Tick this box to continue.")).to_be_visible()
    expect(visitor.get_by_label("Your level (required)")).to_have_value("Advanced")
    shoot(visitor, "booking-questions", widths=("phone",))
    visitor.get_by_label("I accept the terms (required)").check()
    visitor.get_by_role("button", name="Book").click()
    expect(visitor.get_by_role("heading", name="You're booked")).to_be_visible()
    answers = visitor.get_by_test_id("answers")
    expect(answers).to_contain_text("Your level")
    expect(answers).to_contain_text("Advanced")
    booking = Booking.objects.get()
    assert booking.answers == [
        {"question_id": booking.answers[0]["question_id"], "label": "Your level", "answer": "Advanced"},
        {"question_id": booking.answers[1]["question_id"], "label": "I accept the terms", "answer": "Yes"},
    ]
    visitor.context.close()

    # Dora reads them in her calendar's drawer.
    page.context.clear_cookies()
    sign_in_page(page, live_server, "dora")
    page.goto(f"{live_server.url}/panel/calendar/?date={monday.isoformat()}")
    page.locator(f'button[data-appointment="{booking.appointment_id}"]').click()
    drawer = page.get_by_role("dialog")
    expect(drawer.get_by_test_id("answers")).to_contain_text("I accept the terms")
    expect(drawer.get_by_test_id("answers")).to_contain_text("Yes")
    expect(drawer.get_by_test_id("answers")).to_contain_text("Advanced")
