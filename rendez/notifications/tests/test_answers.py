"""A booking's answers to the service's questions reach the staff member in the starter "New booking" notice
(`{booking_answers}`), over a real SMTP server, and every calendar invitation's description; a booking without
answers sends no empty line for them."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rendez.notifications.ics import build_invitation
from rendez.notifications.models import RecipientKind
from rendez.notifications.tests.fixtures import plain_text, run_jobs, slot
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Service, Staff, WorkingHours
from rendez.scheduling.questions import QuestionDraft, add_question, check_answers
from rendez.tenants import operations

pytestmark = pytest.mark.django_db


@pytest.fixture
def haircut() -> Service:
    """A new business with the starter messages, one staff member working around the clock, one service."""
    carol = operations.create_tenant(slug="carol", name="Carol's Salon", timezone="Europe/Paris", plan=None)
    sam = Staff.objects.create(tenant=carol, name="Sam", email="sam@carol.test", timezone="America/New_York")
    for weekday in range(7):
        WorkingHours.objects.create(staff=sam, weekday=weekday, start_time=time(0, 0), end_time=time(23, 30))
    service = Service.objects.create(tenant=carol, name="Haircut", duration_minutes=30)
    service.staff.add(sam)
    return service


def book(service: Service, answers: list) -> None:
    customer = services.CustomerDetails(name="Carla", email="carla@example.com")
    staff = service.staff.get()
    services.book(service=service, staff=staff, start=slot(), customer=customer, answers=answers)


def test_the_staff_notice_lists_the_answers(haircut, smtp_server):
    length = add_question(haircut, QuestionDraft("Hair length", "choice", ["Short", "Long"], required=True))
    wishes = add_question(haircut, QuestionDraft("Wishes"))
    book(haircut, check_answers([length, wishes], {str(length.pk): "Long", str(wishes.pk): "Just a\ntrim"}))
    run_jobs()
    [notice] = smtp_server.to("sam@carol.test")
    assert "(America/New_York).\nHair length: Long\nWishes: Just a trim\n\n" in plain_text(notice)


def test_a_booking_without_answers_leaves_the_line_out(haircut, smtp_server):
    book(haircut, [])
    run_jobs()
    [notice] = smtp_server.to("sam@carol.test")
    text = plain_text(notice)
    assert "{booking_answers}" not in text
    assert text.endswith("(America/New_York).\n\n")


def test_the_invitation_describes_the_answers(haircut):
    length = add_question(haircut, QuestionDraft("Hair length", "choice", ["Short", "Long"], required=True))
    book(haircut, check_answers([length], {str(length.pk): "Short"}))
    booking = Booking.objects.get()
    ics, _ = build_invitation(booking, ZoneInfo("America/New_York"), audience=RecipientKind.STAFF)
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert "\nHair length: Short\nManage your booking: " in str(event["description"])
