"""Email against a real SMTP server (aiosmtpd) on a free port, with the invitation parsed back by `ical`."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from rendez.conferencing.models import Meeting
from rendez.notifications import ics
from rendez.notifications.models import Delivery, Trigger
from rendez.notifications.tests.fixtures import (
    Inbox,
    book,
    free_port,
    invitation_of,
    job_of,
    plain_text,
    run_jobs,
    slot,
    workflow,
)
from rendez.scheduling import services

TOKYO = ZoneInfo("Asia/Tokyo")


def _html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def smtp(smtp_server, settings) -> Inbox:
    settings.BASE_URL = "https://rendez.test"
    return smtp_server


def test_it_emails_the_confirmation_with_text_html_and_invitation(smtp, tenant, service):
    workflow(
        tenant, attach_invitation=True, body_template="Hi {customer_name} <3\nManage: {booking_manage_url}"
    )
    booking = book(service)

    run_jobs()

    [message] = smtp.to("carla@example.com")
    assert message["Subject"] == "Confirmed: Therapy"
    assert message["From"] == "Acme Clinic <bookings@rendez.test>"
    assert plain_text(message).startswith("Hi Carla Customer <3")
    assert "Hi Carla Customer &lt;3" in _html(message)
    assert f'href="https://rendez.test/manage/{booking.manage_token}"' in _html(message)
    calendar, part = invitation_of(message)
    assert calendar.method == "REQUEST"
    assert part.get_param("method") == "REQUEST"
    [event] = calendar.events
    assert event.uid == ics.uid_for(booking) == f"booking-{booking.pk}@rendez.test"
    assert event.sequence == 0
    assert event.dtstart == booking.appointment.start
    assert event.dtstart.tzinfo is not None and str(event.dtstart.tzinfo) == "Asia/Tokyo"
    assert event.dtend - event.dtstart == timedelta(minutes=30)
    assert event.location == "Hauptstr. 1, Berlin"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1
    assert delivery.body.startswith("Hi Carla Customer")
    assert delivery.external_id.startswith("<")


def test_the_invitation_part_names_its_charset_once(smtp, tenant, service):
    workflow(tenant, attach_invitation=True)
    book(service, name="Zoë Customer")  # not ASCII: the charset matters

    run_jobs()

    [message] = smtp.to("carla@example.com")
    _, part = invitation_of(message)
    assert part["Content-Type"] == 'text/calendar; charset="utf-8"; method="REQUEST"'
    assert part["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert "Zoë Customer" in part.get_content().replace("\r\n ", "")  # unfolded


def test_the_invitation_keeps_its_uid_bumps_sequence_and_cancels(smtp, tenant, service):
    for trigger in (Trigger.BOOKING_CONFIRMED, Trigger.BOOKING_RESCHEDULED, Trigger.BOOKING_CANCELLED):
        workflow(tenant, name=trigger, trigger=trigger, attach_invitation=True)
    booking = book(service)
    run_jobs()
    new_start = slot(days=4, hour=14)
    services.reschedule_booking(booking, start=new_start)
    run_jobs()
    services.cancel_booking(booking)
    run_jobs()

    invitations = [invitation_of(message)[0] for message in smtp.to("carla@example.com")]
    assert [calendar.method for calendar in invitations] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [calendar.events[0] for calendar in invitations]
    assert len({event.uid for event in events}) == 1
    assert [event.sequence for event in events] == [0, 1, 2]
    assert events[1].dtstart == new_start
    assert events[1].dtstart.astimezone(TOKYO).hour == new_start.astimezone(TOKYO).hour
    assert events[2].status == "CANCELLED"


def test_the_meeting_link_is_the_location_and_in_the_description(smtp, tenant, zoom_service):
    booking = book(zoom_service)
    Meeting.objects.create(
        tenant=tenant,
        appointment=booking.appointment,
        external_id="85746352411",
        join_url="https://zoom.test/j/85746352411?pwd=x",
        password="a1B2c3",
        state=Meeting.State.READY,
    )
    workflow(
        tenant,
        attach_invitation=True,
        body_template="Join: {zoom_meeting_url}\nPassword: {zoom_meeting_password}",
    )
    run_jobs()

    [message] = smtp.to("carla@example.com")
    assert "Join: https://zoom.test/j/85746352411?pwd=x\nPassword: a1B2c3" in plain_text(message)
    [event] = invitation_of(message)[0].events
    assert event.location == "https://zoom.test/j/85746352411?pwd=x"
    assert "Join Zoom meeting: https://zoom.test/j/85746352411?pwd=x\nPasscode: a1B2c3" in event.description
    assert "Hauptstr" not in event.description


def test_a_video_invitation_without_a_link_says_it_follows_instead_of_the_address(smtp, tenant, zoom_service):
    booking = book(zoom_service)
    Meeting.objects.create(
        tenant=tenant,
        appointment=booking.appointment,
        state=Meeting.State.FAILED,
        last_error="Sam's Zoom connection was revoked",
    )
    workflow(tenant, attach_invitation=True, body_template="Join: {zoom_meeting_url}\nSee you")
    run_jobs()

    [message] = smtp.to("carla@example.com")
    assert plain_text(message).strip() == "Your video link will follow in a separate message.\nSee you"
    [event] = invitation_of(message)[0].events
    assert event.location == ics.LINK_FOLLOWS
    assert "link to join follows" in event.description
    assert "Hauptstr" not in f"{event.location} {event.description}"
    assert "revoked" not in event.description  # the reason is for the business, not the customer


def test_each_recipient_sees_times_in_their_own_zone(smtp, tenant, service, django_user_model):
    from rendez.tenants.models import Membership

    admin = django_user_model.objects.create_user("ada", email="ada@acme.test", password="x")
    Membership.objects.create(user=admin, tenant=tenant, role=Membership.Role.ADMIN)
    workflow(
        tenant,
        to_staff=True,
        to_admins=True,
        fixed_recipients="desk@acme.test",
        body_template="{appointment_date} {appointment_start_time}-{appointment_end_time} "
        "{appointment_timezone}",
    )
    start = slot(hour=10)
    book(service, start)
    run_jobs()

    def expected(zone: str) -> str:
        local = start.astimezone(ZoneInfo(zone))
        end = local + timedelta(minutes=30)
        return f"{local:%A, %d %B %Y} {local:%H:%M}-{end:%H:%M} {zone}"

    assert plain_text(smtp.to("carla@example.com")[0]).strip() == expected("Asia/Tokyo")
    assert plain_text(smtp.to("sam@acme.test")[0]).strip() == expected("America/New_York")
    assert plain_text(smtp.to("ada@acme.test")[0]).strip() == expected("Europe/Berlin")
    assert plain_text(smtp.to("desk@acme.test")[0]).strip() == expected("Europe/Berlin")


def test_a_customer_without_a_zone_sees_the_tenants(smtp, tenant, service):
    workflow(tenant, body_template="{appointment_start_time} {appointment_timezone}")
    start = slot(hour=10)
    book(service, start, timezone="")
    run_jobs()
    local = start.astimezone(ZoneInfo("Europe/Berlin"))
    assert plain_text(smtp.messages[0]).strip() == f"{local:%H:%M} Europe/Berlin"


def test_staff_get_a_rendez_link_that_starts_the_meeting(smtp, tenant, zoom_service):
    booking = book(zoom_service)
    Meeting.objects.create(
        tenant=tenant,
        appointment=booking.appointment,
        join_url="https://zoom.test/j/1",
        state=Meeting.State.READY,
    )
    workflow(tenant, to_customer=False, to_staff=True, body_template="Start: {zoom_meeting_host_url}")
    run_jobs()
    [message] = smtp.to("sam@acme.test")
    appointment_id = booking.appointment_id
    assert (
        plain_text(message).strip()
        == f"Start: https://rendez.test/panel/appointments/{appointment_id}/start-meeting/"
    )


def test_an_unreachable_smtp_server_is_retried(settings, tenant, service):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    workflow(tenant)
    book(service)
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING
    assert "SMTP unavailable" in delivery.last_error
    assert job_of(delivery).state == "pending" and job_of(delivery).attempts == 1


def test_the_eml_backend_writes_one_openable_file_per_message(settings, tmp_path, tenant, service):
    settings.EMAIL_BACKEND = "rendez.notifications.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    workflow(tenant, to_staff=True, attach_invitation=True)
    book(service)
    run_jobs()

    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]
    assert {message["To"] for message in parsed} == {"carla@example.com", "sam@acme.test"}
    assert all(invitation_of(message)[0].method == "REQUEST" for message in parsed)  # type: ignore[arg-type]
    assert not list(tmp_path.glob("*.part"))


def test_a_retried_email_keeps_its_message_id(smtp, tenant, service):
    from rendez.notifications.tests.fixtures import make_due

    workflow(tenant)
    book(service)
    smtp.refusals.append("451 Try again later")
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and "451" in delivery.last_error
    make_due()
    run_jobs()

    [refused] = smtp.refused
    [accepted] = smtp.to("carla@example.com")
    delivery.refresh_from_db()
    assert accepted["Message-ID"] == refused["Message-ID"] == delivery.message_id
    assert re.fullmatch(r"<rendez\.[0-9a-f]{32}@rendez\.test>", delivery.message_id)
    assert delivery.state == Delivery.State.SENT and delivery.external_id == accepted["Message-ID"]


def test_each_delivery_sends_its_own_stored_message_id_from_the_first_attempt(smtp, tenant, service):
    workflow(tenant, to_staff=True)
    book(service)
    smtp.refusals.extend(["451 Try again later", "451 Try again later"])

    run_jobs()

    stored = {delivery.recipient: delivery.message_id for delivery in Delivery.objects.all()}
    assert {message["To"]: message["Message-ID"] for message in smtp.refused} == stored
    assert len(set(stored.values())) == 2
