"""bookable_offering: the service and staff a slots listing starts from, read by hand-written statements."""

from __future__ import annotations

from rendez.scheduling.calendars import bookable_offering
from rendez.scheduling.tests.factories import make_service, make_staff


def test_the_active_service_and_its_active_staff(alice, consultation, dora):
    erik = make_staff(alice, "Erik")
    away = make_staff(alice, "Fay")
    away.is_active = False
    away.save()
    consultation.staff.add(erik, away)
    make_staff(alice, "Gus")  # works here, does not offer it

    service, staff = bookable_offering(alice.pk, consultation.pk)

    assert service is not None
    assert service == consultation
    assert (service.duration, service.capacity, service.meeting_options) == (
        consultation.duration,
        consultation.capacity,
        consultation.meeting_options,
    )
    assert sorted(member.name for member in staff) == ["Dora", "Erik"]
    assert {member.timezone for member in staff} == {"Europe/Berlin"}


def test_one_staff_member_when_asked(alice, consultation, dora):
    erik = make_staff(alice, "Erik")
    consultation.staff.add(erik)

    assert bookable_offering(alice.pk, consultation.pk, erik.pk)[1] == [erik]
    assert bookable_offering(alice.pk, consultation.pk, erik.pk + 100)[1] == []


def test_no_service_of_another_tenant_or_inactive(alice, bob, consultation):
    assert bookable_offering(bob.pk, consultation.pk) == (None, [])
    retired = make_service(alice, name="Retired", is_active=False)
    assert bookable_offering(alice.pk, retired.pk) == (None, [])
