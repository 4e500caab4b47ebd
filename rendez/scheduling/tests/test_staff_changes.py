"""The catalog writer keeps a log of changes to a staff member's schedule and sign-in (who, what, when), and
names the booked appointments that time off would fall on without touching them."""

from __future__ import annotations

from datetime import time

import pytest

from rendez.scheduling import catalog, services
from rendez.scheduling.catalog import WorkingInterval
from rendez.scheduling.models import Booking, StaffChange
from rendez.scheduling.tests.factories import book, make_staff, utc
from rendez.scheduling.tests.fixtures import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", "ada@alice.example", first_name="Ada", last_name="L")


def test_hours_set_by_a_person_are_logged_with_what_they_were(dora, ada):
    catalog.set_working_hours(dora, [WorkingInterval(0, time(8), time(12))], by=ada)
    change = dora.changes.get()
    assert change.kind == StaffChange.Kind.WORKING_HOURS and change.by == ada and change.by_name == "Ada L"
    assert change.summary.startswith("Mon 08:00-12:00 (was: Mon 09:00-17:00; Tue 09:00-17:00;")
    assert change.tenant_id == dora.tenant_id


def test_saving_the_same_hours_again_logs_nothing(dora):
    same = [WorkingInterval(day, time(9), time(17)) for day in range(5)]
    catalog.set_working_hours(dora, same)
    assert not dora.changes.exists()


def test_time_off_added_and_removed_is_logged_in_the_staff_members_zone(dora, ada):
    away = catalog.add_time_off(
        dora, start=utc(2026, 6, 1, 7), end=utc(2026, 6, 1, 11), reason="Dentist", by=ada
    )
    catalog.remove_time_off(dora, away.pk)
    removed, added = dora.changes.all()
    assert added.summary == "Away Mon 1 Jun 2026 09:00 – 13:00 (Europe/Berlin) · Dentist"
    assert added.by == ada
    assert removed.summary.startswith("No longer away Mon 1 Jun 2026 09:00") and removed.by is None


def test_a_refused_change_logs_nothing(dora):
    with pytest.raises(catalog.CatalogError):
        catalog.add_time_off(dora, start=utc(2026, 6, 1, 11), end=utc(2026, 6, 1, 7))
    with pytest.raises(catalog.CatalogError):
        catalog.remove_time_off(dora, 999_999)
    assert not dora.changes.exists()


def test_booked_during_names_live_appointments_that_overlap_and_changes_nothing(dora, consultation):
    inside = book(consultation, dora, utc(2026, 6, 1, 8), "Charlie", now=NOW)
    touching = book(consultation, dora, utc(2026, 6, 1, 11), "Erin", now=NOW)
    cancelled = book(consultation, dora, utc(2026, 6, 1, 9), "Dave", now=NOW)
    services.cancel_booking(cancelled, now=NOW)

    found = catalog.booked_during(dora, utc(2026, 6, 1, 7), utc(2026, 6, 1, 11))

    assert found == [inside.appointment]
    assert touching.appointment not in found
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2


def test_one_account_signs_in_as_one_staff_member_of_a_business(dora, alice, ada):
    emil = make_staff(alice, "Emil")
    catalog.link_account(dora, ada, by=ada)
    with pytest.raises(catalog.CatalogError) as refused:
        catalog.link_account(emil, ada)
    assert refused.value.code == "account_taken"
    emil.refresh_from_db()
    assert emil.user is None

    catalog.unlink_account(dora, by=ada)
    dora.refresh_from_db()
    assert dora.user is None
    kinds = list(dora.changes.values_list("kind", flat=True))
    assert kinds == [StaffChange.Kind.ACCOUNT_UNLINKED, StaffChange.Kind.ACCOUNT_LINKED]
