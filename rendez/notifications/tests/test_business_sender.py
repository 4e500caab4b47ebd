"""Emails of a business come from the business (issue 15, item 7: "the sign-in email comes from 'Rendez'
while booking emails come from the business; no Reply-To"): the platform's sending address under the
business profile's sender name, with its reply-to, for booking messages and the customer's sign-in link
alike; the invitation's organizer is the business. Carol's Salon is a new business, born through
`create_tenant`, with its starter messages."""

from __future__ import annotations

from datetime import time
from email.utils import parseaddr

import pytest
from django.core.cache import cache
from django.test import Client

from rendez.notifications.tests.fixtures import book, invitation_of, run_jobs, slot
from rendez.scheduling.models import Service, Staff, WorkingHours
from rendez.tenants import operations, profile
from rendez.tenants.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol() -> Tenant:
    return operations.create_tenant(slug="carol", name="Carol's Salon", timezone="Europe/Paris", plan=None)


@pytest.fixture
def haircut(carol) -> Service:
    sam = Staff.objects.create(
        tenant=carol, name="Sam Staff", email="sam@carol.test", timezone="Europe/Paris"
    )
    for weekday in range(7):
        WorkingHours.objects.create(staff=sam, weekday=weekday, start_time=time(0, 0), end_time=time(23, 30))
    service = Service.objects.create(tenant=carol, name="Haircut", duration_minutes=30)
    service.staff.add(sam)
    return service


def with_profile(tenant: Tenant) -> None:
    profile.update_profile(
        tenant, {"sender_name": "Carol (Salon Paris)", "reply_to_email": "desk@carol.example"}
    )


def test_a_booking_email_comes_from_the_sender_name_with_the_reply_to(carol, haircut, smtp_server):
    with_profile(carol)
    book(haircut, slot())
    run_jobs()
    [message] = smtp_server.to("carla@example.com")
    assert parseaddr(message["From"]) == ("Carol (Salon Paris)", "bookings@rendez.test")
    assert message["Reply-To"] == "desk@carol.example"
    calendar, _ = invitation_of(message)
    [event] = calendar.events
    assert event.organizer.common_name == "Carol's Salon"


def test_without_a_profile_emails_come_from_the_business_name_and_no_reply_to(carol, haircut, smtp_server):
    book(haircut, slot())
    run_jobs()
    [message] = smtp_server.to("carla@example.com")
    assert parseaddr(message["From"]) == ("Carol's Salon", "bookings@rendez.test")
    assert message["Reply-To"] is None


def test_a_renamed_business_is_the_organizer_of_its_invitations(carol, haircut, smtp_server):
    profile.update_profile(carol, {"name": "Carol & Co"})
    book(haircut, slot())
    run_jobs()
    [message] = smtp_server.to("carla@example.com")
    [event] = invitation_of(message)[0].events
    assert event.organizer.common_name == "Carol & Co"
    assert parseaddr(message["From"]) == ("Carol & Co", "bookings@rendez.test")


def test_the_customer_sign_in_email_comes_from_the_business_too(carol, haircut, smtp_server):
    with_profile(carol)
    book(haircut, slot())
    cache.clear()
    assert Client().post("/my/carol/", {"email": "carla@example.com"}).status_code == 200
    run_jobs()  # the worker sends the link the page asked for
    [message] = [m for m in smtp_server.to("carla@example.com") if "sign-in link" in m["Subject"]]
    assert parseaddr(message["From"]) == ("Carol (Salon Paris)", "bookings@rendez.test")
    assert message["Reply-To"] == "desk@carol.example"
