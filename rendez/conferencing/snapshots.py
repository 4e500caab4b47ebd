"""Reading an appointment and its meeting record into the pure values `desired.decide()` works on."""

from __future__ import annotations

from datetime import datetime

from rendez.conferencing.desired import AppointmentSnapshot, MeetingState
from rendez.conferencing.models import Meeting
from rendez.conferencing.port import HostRef, Integration
from rendez.lib import shortcodes
from rendez.scheduling.models import Appointment, Booking

DATE_FORMAT = "%A, %d %B %Y"


def load_appointment(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("service", "staff", "tenant__plan")
        .prefetch_related("bookings__customer")
        .filter(pk=appointment_id)
        .first()
    )


def meeting_state(meeting: Meeting | None) -> MeetingState | None:
    if meeting is None:
        return None
    return MeetingState(
        state=meeting.state,
        provider=meeting.provider,
        external_id=meeting.external_id,
        host_connection_id=meeting.host_connection_id,
        host_user_key=meeting.host_user_key,
        start=meeting.sent_start,
        duration_minutes=meeting.sent_duration_minutes,
        timezone=meeting.sent_timezone,
        service_id=meeting.sent_service_id,
        topic=meeting.topic,
        attempt_started_at=meeting.attempt_started_at,
        staff_id=meeting.host_staff_id,
    )


def snapshot_of(
    appointment: Appointment,
    provider_name: str,
    integration: Integration,
    host: HostRef | None,
    now: datetime,
    *,
    service_providers: tuple[str, ...] | None = None,
) -> AppointmentSnapshot:
    """`service_providers`: the providers the service accepts (its own and its fallback); None: its own."""
    bookings = list(appointment.bookings.all())  # type: ignore[attr-defined]
    values = template_values(appointment, bookings)
    return AppointmentSnapshot(
        appointment_id=appointment.pk,
        start=appointment.start,
        end=appointment.end,
        timezone=appointment.staff.timezone,
        staff_id=appointment.staff_id,
        service_id=appointment.service_id,
        service_name=appointment.service.name,
        service_uses_provider=provider_name
        in (service_providers if service_providers is not None else (appointment.service.video_provider,)),
        # The plan capability "zoom" stands for video meetings on any provider (choice.VIDEO_CAPABILITY).
        plan_has_zoom=appointment.tenant.has_capability("zoom"),
        integration_enabled=integration.enabled,
        meetings_for_pending=appointment.tenant.meetings_for_pending,
        seat_statuses=tuple(booking.status for booking in bookings),
        host=host,
        now=now,
        topic=shortcodes.render(integration.topic_template, values),
        agenda=shortcodes.render(integration.description_template, values),
        provider=provider_name,
    )


def template_values(appointment: Appointment, bookings: list[Booking]) -> dict[str, str]:
    """The values of the topic and description templates, rendered once for the meeting everyone shares.

    Times are the staff member's, the zone the meeting is shown in. Customer values are filled for a
    one-to-one service only: in a group session one customer's name would be shown to all the others.
    """
    zone = appointment.staff.zone
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    holders = [booking for booking in bookings if booking.holds_seats]
    customer = holders[0].customer if holders and appointment.service.capacity == 1 else None
    return {
        "customer_name": customer.name if customer else "",
        "customer_email": customer.email if customer else "",
        "customer_phone": customer.phone if customer else "",
        "service_name": appointment.service.name,
        "staff_name": appointment.staff.name,
        "appointment_date": start.strftime(DATE_FORMAT),
        "appointment_start_time": start.strftime("%H:%M"),
        "appointment_end_time": end.strftime("%H:%M"),
        "appointment_timezone": str(zone.key),
        "booking_status": "",
        "booking_manage_url": "",
        "tenant_name": appointment.tenant.name,
        "tenant_address": appointment.tenant.address,
    }
