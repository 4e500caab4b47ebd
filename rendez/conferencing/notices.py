"""Telling the staff member and the tenant's admins what happened to a meeting that needs their attention.

Each notice is its own job (retried like any delivery) and an email with one Message-ID per meeting and
event, so a retried job's duplicate can be recognised.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from pydantic import BaseModel, ConfigDict

from rendez import jobs
from rendez.conferencing.models import Meeting
from rendez.tenants.people import admin_emails

NOTICE_JOB = "conferencing.meeting_notice"
FAILED = "failed"
RECREATED = "recreated"
DEFERRED = "deferred"
DELETED_ELSEWHERE = "deleted_elsewhere"

SUBJECTS = {
    FAILED: "No video meeting for {service} on {when}",
    RECREATED: "New video meeting link for {service} on {when}",
    DEFERRED: "Video meeting for {service} on {when} waits for Zoom's daily limit",
    DELETED_ELSEWHERE: "Video meeting for {service} on {when} was deleted outside Rendez",
}
BODIES = {
    FAILED: (
        "Rendez could not make the video meeting of this appointment.\n\nWhy: {reason}\n\n"
        "The booking itself stands. Once the cause is fixed, retry the meeting (POST "
        "/api/v1/appointments/{appointment_id}/meeting/sync); a reconnected Zoom account retries by itself."
    ),
    RECREATED: (
        "The video meeting of this appointment was deleted on Zoom, so Rendez made a new one.\n\n"
        "New link: {join_url}\n"
    ),
    # Sent once per host and quota period (reconcile.py): it speaks for the host's other waiting meetings too.
    DEFERRED: (
        "{reason}\n\nThe booking stands; its meeting is made as soon as Zoom accepts requests again. Other "
        "meetings of {staff} that need Zoom before then wait too, and are made in the order of their "
        "appointments; this is the only notice about them until then."
    ),
    DELETED_ELSEWHERE: (
        "{reason}\n\nThe booking stands, but the link its guests have no longer works. Rendez does not "
        "make a new meeting by itself: sync the meeting (POST "
        "/api/v1/appointments/{appointment_id}/meeting/sync) to make a new one; rescheduling the appointment "
        "makes one too."
    ),
}


class NoticePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_id: int
    event: str


def tell(meeting: Meeting, event: str) -> None:
    """Queue the notice of `event` about `meeting` (in the caller's transaction, if any)."""
    jobs.enqueue(
        NOTICE_JOB,
        {"meeting_id": meeting.pk, "event": event},
        key=f"meeting-notice:{meeting.pk}",
        tenant_id=meeting.tenant_id,
    )


def recipients(meeting: Meeting) -> list[str]:
    addresses = [meeting.appointment.staff.email, *admin_emails(meeting.tenant_id)]
    return list(dict.fromkeys(address for address in addresses if address))


def send(meeting: Meeting, event: str) -> bool:
    appointment = meeting.appointment
    zone = appointment.staff.zone
    when = appointment.start.astimezone(zone).strftime("%A, %d %B %Y %H:%M ") + str(zone.key)
    values = {
        "service": appointment.service.name,
        "when": when,
        "reason": meeting.last_error,
        "appointment_id": appointment.pk,
        "staff": appointment.staff.name,
        "join_url": meeting.join_url,
    }
    to = recipients(meeting)
    if not to:
        return False
    body = f"{appointment.service.name} with {appointment.staff.name}, {when}.\n\n" + BODIES[event].format(
        **values
    )
    stamp = int(meeting.updated_at.timestamp())
    message_id = f"<meeting-{meeting.pk}-{event}-{stamp}@rendez.invalid>"
    EmailMessage(SUBJECTS[event].format(**values), body, to=to, headers={"Message-ID": message_id}).send()
    return True


@jobs.handler(NOTICE_JOB, max_attempts=8)
def meeting_notice(payload: dict, job: jobs.Job) -> None:
    data = NoticePayload.model_validate(payload)
    meeting = (
        Meeting.objects.select_related("appointment__service", "appointment__staff")
        .filter(pk=data.meeting_id)
        .first()
    )
    if meeting is not None and data.event in SUBJECTS:
        send(meeting, data.event)
