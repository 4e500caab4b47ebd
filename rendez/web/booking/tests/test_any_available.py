"""The public page's "Any available" follows the service's policy: round robin shares a coaching practice's
customers out, a coach at their cap is not offered, and the confirmation names who was chosen."""

from __future__ import annotations

import pytest

from rendez.scheduling import catalog
from rendez.scheduling.models import Booking
from rendez.scheduling.tests.factories import make_service, make_staff, make_tenant
from rendez.web.booking.tests.test_booking import a_monday, details

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(db):
    return make_tenant("coaching", name="North Star Coaching")


@pytest.fixture
def coaches(practice):
    return [make_staff(practice, name) for name in ("Ana", "Ben")]


@pytest.fixture
def coaching(practice, coaches):
    return make_service(
        practice, *coaches, name="Coaching session", duration_minutes=60, location_type="phone"
    )


def post(client, service, start, **fields):
    return client.post(f"/book/coaching/{service.pk}/details", details(service, start, **fields))


def test_any_available_takes_turns_and_the_confirmation_names_the_coach(client, coaching):
    for hour, email in ((9, "first@example.com"), (10, "second@example.com")):
        assert post(client, coaching, a_monday(hour), email=email).status_code == 302
    first = Booking.objects.get(customer__email="first@example.com")
    second = Booking.objects.get(customer__email="second@example.com")
    assert [first.appointment.staff.name, second.appointment.staff.name] == ["Ana", "Ben"]
    assert first.assigned_by == "round_robin"
    page = client.get(f"/book/coaching/done/{second.manage_token}").content.decode()
    assert "with Ben" in page and "Any available" not in page


def test_a_coach_chosen_by_name_is_not_an_assignment(client, coaching, coaches):
    assert post(client, coaching, a_monday(9), staff=coaches[1].pk).status_code == 302
    booking = Booking.objects.get()
    assert (booking.appointment.staff, booking.assigned_by) == (coaches[1], "")


def test_a_coach_at_their_cap_is_not_offered_for_any_available(client, coaching, coaches):
    for member in coaches:
        catalog.update_staff(member, catalog.StaffChanges(max_assignments_per_day=1))
    post(client, coaching, a_monday(9), email="first@example.com")
    post(client, coaching, a_monday(10), email="second@example.com")
    day = a_monday().date().isoformat()
    anyone = client.get(f"/book/coaching/{coaching.pk}/slots", {"staff": "any", "date": day}).content.decode()
    assert "11:00" not in anyone
    by_name = client.get(
        f"/book/coaching/{coaching.pk}/slots", {"staff": coaches[0].pk, "date": day, "tz": "Europe/Berlin"}
    ).content.decode()
    assert "11:00" in by_name
    assert post(client, coaching, a_monday(11), email="third@example.com").status_code == 409
    assert Booking.objects.count() == 2
