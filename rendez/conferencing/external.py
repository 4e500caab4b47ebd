"""Changes made to a meeting outside Rendez, as a provider's integration reports them: the host deleted or
moved the meeting in the vendor's own pages.

Vendor integrations call `meeting_deleted_elsewhere()` and `meeting_moved_elsewhere()`; conferencing never
imports them. A meeting is found by provider and external id in any tenant: a vendor's meeting ids are unique.

Our own changes are reported too (providers announce the deletes and PATCHes made through their API). A report
is ours when it matches the record: the meeting is already deleted there or no longer carries that id, or the
time reported is the time we sent. Who the provider says made the change is not used: with a staff member's
own connection our calls are made as the host, so the provider names the host for our changes and theirs
alike.

The report's request never writes the record itself. A sync of the appointment may be between its call to the
provider and the write of what it did: its write would undo ours, and its own echo would look foreign. The
report becomes a job under the appointment's key instead, which runs after any sync in progress and before the
next one, and compares again with the record as that sync left it.

Deleted elsewhere: the meeting becomes `deleted` with a reason, and the staff member and admins are told.
Nothing is made by itself: the next sync (asked for, or caused by a change to the appointment) makes a new
one.
Moved elsewhere: the provider's time is recorded beside what we sent (`queries.changed_elsewhere`) and shown;
since a sync compares the appointment with what we sent, it moves the meeting again only when the
appointment itself changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from rendez import jobs
from rendez.conferencing import notices
from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.conferencing.models import Meeting
from rendez.conferencing.payloads import REPORT_JOB, Report
from rendez.conferencing.queries import provider_time
from rendez.scheduling.events import appointment_key

logger = logging.getLogger("rendez.conferencing")


@dataclass(frozen=True)
class Heard:
    """What became of a report: `acted` when it was taken up for the meeting record, and why, in words."""

    acted: bool
    detail: str


def meeting_deleted_elsewhere(
    provider: str, external_id: str, *, changed_at: datetime | None = None, by: str = ""
) -> Heard:
    """The provider says the meeting `external_id` was deleted; `by` names who did, for the record only."""
    meeting = _find(provider, external_id)
    if meeting is None:
        return Heard(False, f"meeting {external_id} is not one Rendez keeps")
    if meeting.state in (Meeting.State.DELETED, Meeting.State.UNMANAGED):
        return Heard(
            False, f"meeting {external_id} of appointment {meeting.appointment_id} is {meeting.state}"
        )
    _queue(
        Report(
            what="deleted",
            meeting_id=meeting.pk,
            external_id=external_id,
            provider=provider,
            changed_at=changed_at,
        )
    )
    return Heard(True, f"meeting {external_id} of appointment {meeting.appointment_id} deleted{_by(by)}")


def meeting_moved_elsewhere(
    provider: str,
    external_id: str,
    *,
    start: datetime | None = None,
    duration_minutes: int | None = None,
    changed_at: datetime | None = None,
    by: str = "",
) -> Heard:
    """The provider says the meeting now has this start and/or duration (None: not changed)."""
    meeting = _find(provider, external_id)
    if meeting is None:
        return Heard(False, f"meeting {external_id} is not one Rendez keeps")
    if meeting.state != Meeting.State.READY:
        return Heard(
            False, f"meeting {external_id} of appointment {meeting.appointment_id} is {meeting.state}"
        )
    report = Report(
        what="moved",
        meeting_id=meeting.pk,
        external_id=external_id,
        provider=provider,
        start=start,
        duration_minutes=duration_minutes,
        changed_at=changed_at,
    )
    if not _changes_record(meeting, report):
        return Heard(False, f"meeting {external_id} has the time Rendez sent (Rendez's own change)")
    _queue(report)
    return Heard(True, f"meeting {external_id} of appointment {meeting.appointment_id} moved{_by(by)}")


def _find(provider: str, external_id: str) -> Meeting | None:
    # A deleted record may keep the id of the meeting it had; a live one with the id is the one meant.
    found = list(Meeting.objects.filter(provider=provider, external_id=external_id).order_by("-pk")[:10])
    live = [meeting for meeting in found if meeting.state != Meeting.State.DELETED]
    chosen = live or found
    return chosen[0] if chosen else None


def _by(who: str) -> str:
    return f" by {who}" if who else ""


def _queue(report: Report) -> None:
    meeting = Meeting.objects.only("appointment_id", "tenant_id").get(pk=report.meeting_id)
    jobs.enqueue(
        REPORT_JOB,
        report,
        key=appointment_key(meeting.appointment_id),
        tenant_id=meeting.tenant_id,
    )


def _reported_time(meeting: Meeting, report: Report) -> tuple[datetime | None, int | None]:
    start, duration = provider_time(meeting)
    return (
        report.start if report.start is not None else start,
        report.duration_minutes if report.duration_minutes is not None else duration,
    )


def _changes_record(meeting: Meeting, report: Report) -> bool:
    """Whether the report says something the record does not: a time other than the one we sent, or the
    provider back at our time after a change made there."""
    reported = _reported_time(meeting, report)
    return reported != provider_time(meeting) or reported != (
        meeting.sent_start,
        meeting.sent_duration_minutes,
    )


# --- the job ------------------------------------------------------------------------------------------------


def apply_report(report: Report) -> None:
    """The `conferencing.changed_elsewhere` job."""
    meeting = (
        Meeting.objects.select_related("appointment")
        .filter(pk=report.meeting_id, provider=report.provider, external_id=report.external_id)
        .first()
    )
    if meeting is None:
        logger.info("meeting %s changed elsewhere: no longer ours, nothing to do", report.external_id)
        return
    if report.what == "deleted":
        _record_deleted(meeting, report)
    else:
        _record_moved(meeting, report)


def _record_deleted(meeting: Meeting, report: Report) -> None:
    if meeting.state in (Meeting.State.DELETED, Meeting.State.UNMANAGED):
        return  # Our own delete, finished by the sync this job waited for.
    meeting.state = Meeting.State.DELETED
    meeting.join_url = meeting.password = ""
    meeting.attempt_started_at = None
    meeting.last_error = (
        f"The meeting was deleted in {PROVIDER_LABELS.get(report.provider, report.provider)} by its host; "
        "sync the meeting to make a new one."
    )
    meeting.changed_elsewhere_at = report.changed_at or timezone.now()
    meeting.save()
    logger.warning(
        "meeting %s of appointment %s deleted elsewhere", meeting.external_id, meeting.appointment_id
    )
    notices.tell(meeting, notices.DELETED_ELSEWHERE)


def _record_moved(meeting: Meeting, report: Report) -> None:
    if meeting.state != Meeting.State.READY:
        return
    latest = meeting.changed_elsewhere_at if meeting.provider_external_id == meeting.external_id else None
    if latest is not None and report.changed_at is not None and report.changed_at < latest:
        logger.info("meeting %s: a report older than the one recorded, ignored", meeting.external_id)
        return
    meeting.provider_start, meeting.provider_duration_minutes = _reported_time(meeting, report)
    meeting.provider_over_start, meeting.provider_over_duration_minutes = (
        meeting.sent_start,
        meeting.sent_duration_minutes,
    )
    meeting.provider_external_id = meeting.external_id
    meeting.changed_elsewhere_at = report.changed_at or timezone.now()
    meeting.save(
        update_fields=[
            "provider_start",
            "provider_duration_minutes",
            "provider_over_start",
            "provider_over_duration_minutes",
            "provider_external_id",
            "changed_elsewhere_at",
            "updated_at",
        ]
    )
