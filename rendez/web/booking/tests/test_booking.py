"""The public booking page through Django's test client, one step at a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rendez.conferencing.models import Meeting
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Customer
from rendez.scheduling.tests.factories import customer, make_service

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def a_monday(hour: int = 10) -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    day = today + timedelta(days=7 - today.weekday() + 7)
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def details(service, start: datetime, staff="any", **fields) -> dict:
    data = {"staff": str(staff), "start": start.isoformat(), "tz": "Europe/Berlin"}
    data.update({"name": "Charlie Day", "email": "charlie@example.com", "phone": "", "website": ""})
    data.update(fields)
    return data


def details_url(service) -> str:
    return f"/book/alice/{service.pk}/details"


def test_an_unknown_or_inactive_tenant_answers_404(client, alice):  # noqa: F811
    assert client.get("/book/nobody/").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/book/alice/").status_code == 404


def test_it_lists_active_services_only_and_says_which_are_video(client, consultation, yoga, alice, dora):  # noqa: F811
    make_service(alice, dora, name="Retired massage", is_active=False)

    body = client.get("/book/alice/").content.decode()

    assert "Consultation" in body and "Video meeting" in body
    assert "Yoga" in body and "In person" in body
    assert "Retired massage" not in body


def test_an_inactive_service_answers_404_at_every_step(client, alice, dora):  # noqa: F811
    hidden = make_service(alice, dora, name="Retired", is_active=False)
    for path in ("", "time?staff=any", "slots?staff=any", "details"):
        assert client.get(f"/book/alice/{hidden.pk}/{path}").status_code == 404


def test_another_tenants_service_answers_404(client, consultation, db):  # noqa: F811
    from rendez.scheduling.tests.factories import make_tenant

    make_tenant("bob")
    assert client.get(f"/book/bob/{consultation.pk}/").status_code == 404


def test_the_staff_step_offers_any_available_and_each_member(client, consultation, dora):  # noqa: F811
    body = client.get(f"/book/alice/{consultation.pk}/").content.decode()
    assert "Any available" in body
    assert f"?staff={dora.pk}" in body


def test_the_slots_are_those_of_find_slots_in_the_zone_asked_for(client, consultation):  # noqa: F811
    monday = a_monday().date().isoformat()

    berlin = client.get(f"/book/alice/{consultation.pk}/slots?staff=any&date={monday}&tz=Europe/Berlin")
    london = client.get(f"/book/alice/{consultation.pk}/slots?staff=any&date={monday}&tz=Europe/London")

    # Dora works 09:00-17:00 Berlin in half-hour slots: 16 of them, an hour earlier on London's clocks.
    assert berlin.content.decode().count('class="button secondary"') == 16
    assert ">09:00<" in berlin.content.decode() and ">16:30<" in berlin.content.decode()
    assert ">08:00<" in london.content.decode() and ">16:30<" not in london.content.decode()


def test_the_time_step_shows_the_first_free_day_and_the_tenants_zone_by_default(client, consultation):  # noqa: F811
    response = client.get(f"/book/alice/{consultation.pk}/time?staff=any")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Europe/Berlin" selected>' in body
    assert 'data-detect="1"' in body
    assert "/details?staff=any&amp;start=" in body


def test_a_booking_goes_through_to_a_confirmation_at_an_unguessable_address(client, consultation, dora):  # noqa: F811
    start = a_monday()

    response = client.post(details_url(consultation), details(consultation, start, staff=dora.pk))

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/book/alice/done/{booking.manage_token}?")
    assert len(booking.manage_token) >= 32
    assert booking.appointment.start == start
    assert booking.customer.name == "Charlie Day"
    page = client.get(response["Location"]).content.decode()
    assert "Consultation" in page and "10:00" in page
    assert f"/manage/{booking.manage_token}" in page
    assert "calendar.google.com/calendar/render" in page


def test_any_available_books_whoever_is_free(client, alice, dora):  # noqa: F811
    busy = make_service(alice, dora, name="Massage", location_type="in_person")
    from rendez.scheduling.tests.factories import make_staff

    erik = make_staff(alice, "Erik")
    busy.staff.add(erik)
    start = a_monday()
    services.book(service=busy, staff=dora, start=start, customer=customer("Dave"))

    response = client.post(details_url(busy), details(busy, start))

    assert response.status_code == 302
    assert Booking.objects.get(customer__email="charlie@example.com").appointment.staff == erik


def test_a_slot_taken_meanwhile_gets_a_friendly_word_fresh_slots_and_no_booking(client, consultation, dora):  # noqa: F811
    start = a_monday()
    services.book(service=consultation, staff=dora, start=start, customer=customer("Dave"))

    response = client.post(details_url(consultation), details(consultation, start, staff=dora.pk))

    body = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken. Please pick another one." in body
    assert ">10:30<" in body and ">10:00<" not in body
    assert Booking.objects.count() == 1
    assert not Customer.objects.filter(email="charlie@example.com").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "!!!", "Enter your name."),
        ("email", "charlie-at-example", "Enter a valid email address."),
        ("phone", "call me maybe", "That is not a phone number"),
        ("phone", "+49 30 12", "That is not a valid phone number"),
        ("name", "x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_invalid_details_are_refused_in_words_and_nothing_booked(client, consultation, field, value, message):  # noqa: F811
    response = client.post(details_url(consultation), details(consultation, a_monday(), **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_a_phone_number_is_stored_as_e164_a_local_one_in_the_businesss_country(client, consultation):  # noqa: F811
    client.post(details_url(consultation), details(consultation, a_monday(), phone="030 1234567"))
    client.post(
        details_url(consultation),
        details(consultation, a_monday(11), name="Dana", email="dana@example.com", phone="+44 20 7946 0018"),
    )

    assert sorted(Customer.objects.values_list("phone", flat=True)) == ["+442079460018", "+49301234567"]


def test_a_filled_honeypot_books_nothing(client, consultation):  # noqa: F811
    response = client.post(
        details_url(consultation), details(consultation, a_monday(), website="http://spam")
    )

    assert "This booking could not be sent" in response.content.decode()
    assert not Booking.objects.exists()


def test_the_details_form_refuses_a_post_without_csrf_token(consultation):  # noqa: F811
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        details_url(consultation), details(consultation, a_monday())
    )

    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_refusal_other_than_taken_is_shown_on_the_details_step(client, consultation, dora):  # noqa: F811
    consultation.min_notice_minutes = 60 * 24 * 60
    consultation.save()

    response = client.post(details_url(consultation), details(consultation, a_monday(), staff=dora.pk))

    assert response.status_code == 200
    assert "must be booked at least 86400 minutes in advance" in response.content.decode()
    assert not Booking.objects.exists()


def test_booking_with_a_known_email_keeps_that_persons_details(client, consultation, dora):  # noqa: F811
    services.book(
        service=consultation,
        staff=dora,
        start=a_monday(11),
        customer=customer("Charlie Day", email="charlie@example.com", phone="+49 30 1"),
    )

    client.post(
        details_url(consultation),
        details(consultation, a_monday(), name="Mallory", email="Charlie@Example.com", phone="+16502530000"),
    )

    charlie = Customer.objects.get()
    assert (charlie.name, charlie.phone) == ("Charlie Day", "+49 30 1")
    assert Booking.objects.filter(customer=charlie).count() == 2


def a_booking(consultation, dora) -> Booking:  # noqa: F811
    return services.book(service=consultation, staff=dora, start=a_monday(), customer=customer("Charlie"))


def test_the_confirmation_shows_the_join_link_and_passcode_never_the_hosts_link(client, consultation, dora):  # noqa: F811
    booking = a_booking(consultation, dora)
    Meeting.objects.create(
        tenant=booking.tenant,
        appointment=booking.appointment,
        state=Meeting.State.READY,
        external_id="81234567890",
        join_url="https://zoom.example/j/81234567890?pwd=abc",
        password="314159",
        host_id="host-user-id",
    )

    page = client.get(f"/book/alice/done/{booking.manage_token}").content.decode()

    assert "https://zoom.example/j/81234567890?pwd=abc" in page
    assert "314159" in page
    assert "/s/" not in page and "host-user-id" not in page and "start_url" not in page
    assert "hx-trigger" not in page


def test_the_meeting_part_polls_while_the_meeting_is_made_then_says_it_follows(client, consultation, dora):  # noqa: F811
    booking = a_booking(consultation, dora)
    fragment = f"/book/alice/done/{booking.manage_token}/meeting"

    # The booking enqueued its meeting sync: a link may come, so the fragment asks again in a second.
    coming = client.get(f"{fragment}?n=1").content.decode()
    assert 'hx-trigger="every 1s"' in coming and "Preparing your meeting link" in coming

    Meeting.objects.create(
        tenant=booking.tenant,
        appointment=booking.appointment,
        state=Meeting.State.FAILED,
        last_error="revoked",
    )
    from rendez.jobs.models import Job

    Job.objects.all().delete()
    settled = client.get(f"{fragment}?n=2").content.decode()
    assert "hx-trigger" not in settled and "The link will follow by email." in settled
    assert "revoked" not in settled


def test_polling_stops_after_a_bounded_number_of_tries(client, consultation, dora):  # noqa: F811
    booking = a_booking(consultation, dora)

    page = client.get(f"/book/alice/done/{booking.manage_token}/meeting?n=9999").content.decode()

    assert "hx-trigger" not in page and "The link will follow by email." in page


def test_an_in_person_confirmation_has_no_meeting_part(client, yoga, dora):  # noqa: F811
    booking = services.book(service=yoga, staff=dora, start=a_monday(), customer=customer("Charlie"))

    page = client.get(f"/book/alice/done/{booking.manage_token}").content.decode()

    assert "Video meeting" not in page and "Yoga" in page


def test_the_calendar_download_is_an_ics_of_the_booking(client, consultation, dora):  # noqa: F811
    booking = a_booking(consultation, dora)

    response = client.get(f"/book/alice/done/{booking.manage_token}/booking.ics?tz=Europe/Berlin")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content and b"Consultation with Dora" in response.content


def test_a_wrong_token_or_another_tenants_slug_answers_404(client, consultation, dora):  # noqa: F811
    booking = a_booking(consultation, dora)
    from rendez.scheduling.tests.factories import make_tenant

    make_tenant("bob")
    assert client.get("/book/alice/done/not-a-token").status_code == 404
    assert client.get(f"/book/bob/done/{booking.manage_token}").status_code == 404


def test_the_page_takes_a_name_as_long_as_the_api_does():
    """Issue 15, item 8: names were cut at 120 on the page and taken up to 200 by the API."""
    from rendez.api.booking_schemas import CustomerIn
    from rendez.web.booking.forms import NAME_MAX

    limits = [
        rule.max_length for rule in CustomerIn.model_fields["name"].metadata if hasattr(rule, "max_length")
    ]
    assert [NAME_MAX] == limits == [200]
