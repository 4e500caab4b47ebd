"""Personas of the panel's tests: Ada is alice's admin, Dora (alice's staff member) signs in as herself,
Olga is the outsider, admin of bob. Appointments are booked through `services.book`, "Monday in two weeks"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.scheduling.models import Appointment, Staff
from rendez.scheduling.tests.factories import book, make_service, make_staff
from rendez.tenants.models import Membership, Tenant

PASSWORD = "pw-for-panel-tests"
BERLIN = ZoneInfo("Europe/Berlin")


# Not autouse here (a plugin's autouse fixture would run in every test): the conftest of each directory of
# panel tests asks for both.
@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def a_monday() -> date:
    today = timezone.now().astimezone(BERLIN).date()
    return today + timedelta(days=7 - today.weekday()) + timedelta(days=14)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def member(tenant: Tenant, username: str, role: str, django_user_model, email: str = ""):
    user = django_user_model.objects.create_user(username, email or f"{username}@example.com", PASSWORD)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


def signed_in(user, tenant: Tenant | None = None, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    if tenant is not None:
        session = client.session
        session["panel_tenant_id"] = tenant.pk
        session.save()
    return client


@pytest.fixture
def ada(alice, django_user_model):
    return member(alice, "ada", Membership.Role.ADMIN, django_user_model, "ada@alice.example")


@pytest.fixture
def dora_user(alice, dora, django_user_model):
    user = member(alice, "dora", Membership.Role.STAFF, django_user_model)
    Staff.objects.filter(pk=dora.pk).update(user=user)
    return user


@pytest.fixture
def olga(bob, django_user_model):
    return member(bob, "olga", Membership.Role.ADMIN, django_user_model)


@pytest.fixture
def ada_client(ada, alice) -> Client:
    return signed_in(ada, alice)


@pytest.fixture
def dora_client(dora_user, alice) -> Client:
    return signed_in(dora_user, alice)


@pytest.fixture
def olga_client(olga, bob) -> Client:
    return signed_in(olga, bob)


@pytest.fixture
def emil(alice) -> Staff:
    return make_staff(alice, "Emil")


@pytest.fixture
def doras_appointment(consultation, dora, monday) -> Appointment:
    return book(
        consultation, dora, berlin(monday, 10), "Charlie", now=berlin(monday, 6) - timedelta(days=7)
    ).appointment


@pytest.fixture
def emils_appointment(alice, emil, monday) -> Appointment:
    service = make_service(alice, emil, name="Massage", duration_minutes=60, location_type="in_person")
    return book(
        service, emil, berlin(monday, 11), "Grace", now=berlin(monday, 6) - timedelta(days=7)
    ).appointment


def make_meeting(appointment: Appointment, state: str = Meeting.State.READY, **fields) -> Meeting:
    values = {
        "external_id": "85746352413",
        "join_url": "https://zoom.example/j/85746352413?pwd=abc",
        "password": "4821",
        "host_connection_id": 7,
        "host_user_key": "zoom-user-dora",
    }
    values.update(fields)
    return Meeting.objects.create(tenant=appointment.tenant, appointment=appointment, state=state, **values)


def sign_in_page(page, live_server, username: str) -> None:
    """Sign in through the login form in the browser, as a person would, and wait for the panel."""
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email or username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/panel/**")
