"""Telling the staff member and the tenant's admins what happened to a meeting that needs their attention.

Each notice is its own job (retried like any delivery) and an email with one Message-ID per meeting and
event, so a retried job's duplicate can be recognised.
"""

from __future__ import annotations

import hashlib

from django.core.mail import EmailMessage

from rendez import jobs
from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.conferencing.models import Meeting
from rendez.conferencing.payloads import NOTICE_JOB, NoticePayload
from rendez.tenants.people import admin_emails

FAILED = "failed"
RECREATED = "recreated"
DEFERRED = "deferred"
DELETED_ELSEWHERE = "deleted_elsewhere"
LEFT_ON_ZOOM = "left_on_zoom"
SHARED_LINK = "shared_link"

# How a failed meeting is retried besides by hand, where the provider does it by itself: a Zoom account's
# reconnect re-checks its host's meetings. Meet and Teams say nothing they do not do.
RETRIED_BY_ITSELF = {"zoom": "; a reconnected Zoom account retries by itself"}
# The texts name the meeting's provider ({provider}); Zoom's read as they did before there were others.
SUBJECTS = {
    FAILED: "No video meeting for {service} on {when}",
    RECREATED: "New video meeting link for {service} on {when}",
    DEFERRED: "Video meeting for {service} on {when} waits for {provider}'s daily limit",
    DELETED_ELSEWHERE: "Video meeting for {service} on {when} was deleted outside Rendez",
    LEFT_ON_ZOOM: "A video meeting for {service} on {when} could not be deleted",
    SHARED_LINK: "No personal links for {service} on {when}: attendees share one link",
}
BODIES = {
    FAILED: (
        "Rendez could not make the video meeting of this appointment.\n\nWhy: {reason}\n\n"
        "The booking itself stands. Once the cause is fixed, retry the meeting (POST "
        "/api/v1/appointments/{appointment_id}/meeting/sync){retried_by_itself}."
    ),
    RECREATED: (
        "The video meeting of this appointment was gone from {provider}, so Rendez made a new one. Its "
        "guests are sent the new link.\n\nNew link: {join_url}\n"
    ),
    LEFT_ON_ZOOM: (
        "{reason}\n\nNobody is sent its link any more. Meetings left on {provider} are listed on the panel's "
        "dashboard until they are gone."
    ),
    # Sent once per host and quota period (reconcile.py): it speaks for the host's other waiting meetings too.
    DEFERRED: (
        "{reason}\n\nThe booking stands; its meeting is made as soon as {provider} accepts requests again. "
        "Other meetings of {staff} that need {provider} before then wait too, and are made in the order of "
        "their appointments; this is the only notice about them until then."
    ),
    SHARED_LINK: (
        "{reason}\n\nEvery attendee of this appointment is sent the meeting's shared link instead of a "
        "personal one; nothing else changes. New meetings of this service get personal links again once the "
        "host can use {provider} registration."
    ),
    DELETED_ELSEWHERE: (
        "{reason}\n\nThe booking stands, but the link its guests have no longer works. Rendez does not "
        "make a new meeting by itself: sync the meeting (POST "
        "/api/v1/appointments/{appointment_id}/meeting/sync) to make a new one; rescheduling the appointment "
        "makes one too."
    ),
}


def tell(meeting: Meeting, event: str, *, detail: str = "") -> None:
    """Queue the notice of `event` about `meeting` (in the caller's transaction, if any)."""
    # No "detail" key in the row when there is none, as before payloads were typed.
    payload = NoticePayload(meeting_id=meeting.pk, event=event, **({"detail": detail} if detail else {}))
    jobs.enqueue(
        NOTICE_JOB,
        payload,
        key=f"meeting-notice:{meeting.pk}",
        tenant_id=meeting.tenant_id,
    )


def recipients(meeting: Meeting) -> list[str]:
    addresses = [meeting.appointment.staff.email, *admin_emails(meeting.tenant_id)]
    return list(dict.fromkeys(address for address in addresses if address))


def send(meeting: Meeting, event: str, detail: str = "") -> bool:
    appointment = meeting.appointment
    zone = appointment.staff.zone
    when = appointment.start.astimezone(zone).strftime("%A, %d %B %Y %H:%M ") + str(zone.key)
    values = {
        "service": appointment.service.name,
        "when": when,
        "reason": detail or meeting.last_error,
        "appointment_id": appointment.pk,
        "staff": appointment.staff.name,
        "join_url": meeting.join_url,
        "provider": PROVIDER_LABELS.get(meeting.provider, meeting.provider),
        "retried_by_itself": RETRIED_BY_ITSELF.get(meeting.provider, ""),
    }
    to = recipients(meeting)
    if not to:
        return False
    body = f"{appointment.service.name} with {appointment.staff.name}, {when}.\n\n" + BODIES[event].format(
        **values
    )
    stamp = int(meeting.updated_at.timestamp())
    message_id = f"<meeting-{meeting.pk}-{event}-{stamp}@rendez.invalid>"
    if detail:
        # Several meetings of one record can be left (each replaced one): one Message-ID each.
        digest = hashlib.sha256(detail.encode()).hexdigest()[:16]
        message_id = f"<meeting-{meeting.pk}-{event}-{digest}@rendez.invalid>"
    EmailMessage(SUBJECTS[event].format(**values), body, to=to, headers={"Message-ID": message_id}).send()
    return True


def handle_notice(data: NoticePayload) -> None:
    """The `conferencing.meeting_notice` job."""
    meeting = (
        Meeting.objects.select_related("appointment__service", "appointment__staff")
        .filter(pk=data.meeting_id)
        .first()
    )
    if meeting is not None and data.event in SUBJECTS:
        send(meeting, data.event, data.detail)
