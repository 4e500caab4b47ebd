"""Moving an appointment's meeting to what it should be: the work of one `conferencing.sync` job.

`sync()` reads the appointment, asks `desired.decide()` for one action and carries it out through the
provider, writing the meeting record after every step that changed something on the provider.

Exactly one meeting, even across crashes: a create is recorded (with its host and the instant) and committed
before the provider is called. A sync that finds such an unfinished attempt looks on the host for a meeting
made since then and adopts it instead of making another (DESIGN.md section 5). Jobs of one appointment run
one at a time (their key), so nothing else writes the record meanwhile.

Failures never fail a booking: retryable ones are retried by the job with backoff; what retrying cannot fix
(a revoked connection, a refused request, the last attempt spent) marks the meeting `failed` with a reason a
person understands, and the staff member and the tenant's admins are told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.conferencing import notices
from rendez.conferencing.desired import (
    AppointmentSnapshot,
    Create,
    Delete,
    MeetingState,
    Nothing,
    Replace,
    Update,
    decide,
    spec_for,
)
from rendez.conferencing.models import Meeting
from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    MeetingGone,
    MeetingInfo,
    MeetingProvider,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    get_provider,
)
from rendez.conferencing.snapshots import load_appointment, meeting_state, snapshot_of
from rendez.scheduling import events
from rendez.scheduling.models import Appointment

logger = logging.getLogger("rendez.conferencing")

DEFAULT_PROVIDER = "zoom"
# After a sync's attempts are spent on a provider outage, how often it is tried again (until the start).
SLOW_RETRY = timedelta(minutes=15)
# Zoom's `created_at` and our clock may disagree a little; a meeting made this much before the recorded
# attempt still counts as its result.
ADOPTION_SLACK = timedelta(minutes=5)
# Why no meeting can be made although one is owed: worth a `failed` record (and a word to people), since a
# person must act.
NEEDS_A_PERSON = frozenset({"no_host", "host_unusable"})
# Syncs deferred by a host's daily quota resume spread over the first minutes of the new period, in the order
# of their appointments' starts (see quota_delay).
QUOTA_SPREAD = timedelta(minutes=5)
QUOTA_HALF_SPREAD_AT = timedelta(days=1)
# Handled by notifications (waiting messages go at once, a link owed to customers follows). Enqueued by its
# name with the ready record: conferencing imports nothing of notifications, the job queue is the interface.
MEETING_READY = "notifications.meeting_ready"


@dataclass
class Sync:
    """One sync in progress: what it works on and with."""

    appointment: Appointment
    meeting: Meeting | None
    provider: MeetingProvider
    provider_name: str
    snapshot: AppointmentSnapshot
    random_password: bool

    def spec(self) -> MeetingSpec:
        options = self.appointment.service.meeting_options or {}
        return spec_for(self.snapshot, random_password=self.random_password, settings=options)


def sync(appointment_id: int, *, last_attempt: bool = False) -> str:
    """Bring the appointment's meeting in step; returns a short code of what was done (for logs and tests).

    Raises `jobs.Retry` when a retryable failure should be tried again later.
    """
    appointment = load_appointment(appointment_id)
    if appointment is None:
        return "no_appointment"
    meeting = Meeting.objects.filter(appointment_id=appointment.pk).first()
    provider_name = meeting.provider if meeting else DEFAULT_PROVIDER
    provider = get_provider(provider_name)
    integration = provider.integration(appointment.tenant)
    host = provider.host_for(appointment.staff)
    snapshot = snapshot_of(appointment, provider_name, integration, host, timezone.now())
    work = Sync(appointment, meeting, provider, provider_name, snapshot, integration.random_password)
    action = decide(snapshot, meeting_state(meeting))
    try:
        return _carry_out(work, action)
    except QuotaExhausted as exc:
        _defer_for_quota(work, exc)
        after = quota_delay(exc.retry_after or 0.0, appointment.start, timezone.now())
        raise jobs.Retry(after=after, reason=exc.reason, consume_attempt=False) from None
    except ProviderError as exc:
        if exc.retryable and not last_attempt:
            logger.info("meeting sync of appointment %s will retry: %s", appointment_id, exc.reason)
            raise jobs.Retry(after=exc.retry_after, reason=exc.reason) from None
        if exc.retryable:
            # The job's attempts are spent but the trouble is the provider's (an outage): say so, and keep
            # trying slowly rather than leave the appointment without a meeting for good.
            _fail(work, f"{exc.reason} Rendez keeps trying every 15 minutes until the appointment starts.")
            _retry_slowly(work)
        else:
            _fail(work, exc.reason)
        return "failed"


def _carry_out(work: Sync, action) -> str:
    if isinstance(action, Create):
        _create(work, action.host)
        return "created"
    if isinstance(action, Update):
        return _update(work, action)
    if isinstance(action, Replace):
        _remove(work, action.old)
        _create(work, action.host, fresh=True)
        return "replaced"
    if isinstance(action, Delete):
        _remove(work, action.old)
        return "deleted"
    return _nothing(work, action)


# --- create -------------------------------------------------------------------------------------------------


def _create(work: Sync, host: HostRef, *, fresh: bool = False) -> None:
    spec = work.spec()
    meeting = work.meeting
    unfinished = (
        not fresh
        and meeting is not None
        and meeting.attempt_started_at is not None
        and not meeting.external_id
        and host.hosts_same_user_as(meeting.provider, meeting.host_user_key)
    )
    if unfinished:
        assert meeting is not None and meeting.attempt_started_at is not None
        found = work.provider.find(host, spec, meeting.attempt_started_at - ADOPTION_SLACK)
        if found is not None:
            logger.info("meeting %s of appointment %s adopted", found.external_id, work.appointment.pk)
            _record_made(work, host, spec, found)
            return
    started = _record_attempt(work, host)
    info = work.provider.create(host, spec, attempt_started_at=started)
    _record_made(work, host, spec, info)


def _record_attempt(work: Sync, host: HostRef) -> datetime:
    """Write down, before calling, that a create is under way on `host` (committed at once: no
    transaction is open)."""
    started = timezone.now()
    meeting = work.meeting or Meeting(tenant_id=work.appointment.tenant_id, appointment=work.appointment)
    meeting.provider = work.provider_name
    meeting.state = Meeting.State.PENDING
    meeting.external_id = meeting.join_url = meeting.password = ""
    meeting.host_connection_id, meeting.host_user_key = host.connection_id, host.user_key
    meeting.attempt_started_at = started
    meeting.attempts += 1
    meeting.save()
    work.meeting = meeting
    return started


def _record_made(work: Sync, host: HostRef, spec: MeetingSpec, info: MeetingInfo) -> None:
    meeting = work.meeting or Meeting(tenant_id=work.appointment.tenant_id, appointment=work.appointment)
    meeting.provider = work.provider_name
    meeting.external_id, meeting.join_url, meeting.password = info.external_id, info.join_url, info.password
    meeting.host_id = info.host_id
    meeting.host_connection_id, meeting.host_user_key = host.connection_id, host.user_key
    meeting.state, meeting.last_error, meeting.attempt_started_at = Meeting.State.READY, "", None
    meeting.sent_start, meeting.sent_duration_minutes = spec.start, spec.duration_minutes
    meeting.sent_timezone, meeting.sent_service_id = spec.timezone, work.snapshot.service_id
    meeting.topic = spec.topic
    with transaction.atomic():
        meeting.save()
        jobs.enqueue(
            MEETING_READY,
            {"appointment_id": work.appointment.pk},
            key=f"meeting-ready:{work.appointment.pk}",
            coalesce=True,
            tenant_id=work.appointment.tenant_id,
        )
    work.meeting = meeting


# --- update -------------------------------------------------------------------------------------------------


def _update(work: Sync, action: Update) -> str:
    meeting = work.meeting
    assert meeting is not None
    try:
        work.provider.update(action.host, action.external_id, action.changes)
    except MeetingGone:
        # Deleted on the provider behind our back: the appointment still needs one.
        logger.warning("meeting %s vanished; making a new one", action.external_id)
        _create(work, action.host, fresh=True)
        notices.tell(meeting, notices.RECREATED)
        return "recreated"
    changes = action.changes
    if changes.start is not None:
        meeting.sent_start = changes.start
    if changes.duration_minutes is not None:
        meeting.sent_duration_minutes = changes.duration_minutes
    if changes.timezone is not None:
        meeting.sent_timezone = changes.timezone
    if changes.topic is not None:
        meeting.topic = changes.topic
    meeting.sent_service_id = work.snapshot.service_id
    meeting.host_connection_id = action.host.connection_id
    meeting.last_error = ""
    meeting.save()
    return "updated"


# --- delete -------------------------------------------------------------------------------------------------


def _remove(work: Sync, old: MeetingState) -> None:
    """Delete `old` on the host it was made on. A host that cannot be reached any more (disconnected) leaves
    the meeting where it is: nothing else can be done about it from here."""
    meeting = work.meeting
    assert meeting is not None
    host = HostRef(
        provider=old.provider,
        connection_id=old.host_connection_id or 0,
        user_key=old.host_user_key,
        account_id="",
        usable=True,
    )
    try:
        external_id = old.external_id
        if not external_id and old.attempt_started_at is not None and old.start is not None:
            found = work.provider.find(host, work.spec(), old.attempt_started_at - ADOPTION_SLACK)
            external_id = found.external_id if found else ""
        if external_id:
            work.provider.delete(host, external_id)
    except HostUnusable as exc:
        logger.warning("meeting %s left on its old host: %s", old.external_id, exc.reason)
    meeting.state = Meeting.State.DELETED
    meeting.join_url = meeting.password = ""
    meeting.attempt_started_at = None
    meeting.last_error = ""
    meeting.save()


# --- nothing to call ----------------------------------------------------------------------------------------


def _nothing(work: Sync, action: Nothing) -> str:
    """No call; but a meeting that is owed and cannot be made is shown as failed, so nobody waits for it."""
    meeting = work.meeting
    exists = meeting is not None and meeting.external_id and meeting.state != Meeting.State.DELETED
    if action.code in NEEDS_A_PERSON and work.snapshot.seat_owed and not exists:
        _fail(work, _staff_reason(work, action))
    return action.code


def _staff_reason(work: Sync, action: Nothing) -> str:
    name = work.appointment.staff.name
    if action.code == "no_host":
        return f"{name} has no Zoom account connected: connect it (or map {name} to a Zoom user), then retry."
    return f"{name}'s Zoom connection needs reconnecting; the meeting is made once it is reconnected."


# --- failures -----------------------------------------------------------------------------------------------


def _fail(work: Sync, reason: str) -> None:
    meeting = work.meeting or Meeting(tenant_id=work.appointment.tenant_id, appointment=work.appointment)
    meeting.provider = work.provider_name
    already = (
        meeting.pk is not None and meeting.state == Meeting.State.FAILED and meeting.last_error == reason
    )
    if not meeting.external_id or meeting.state == Meeting.State.PENDING:
        meeting.state = Meeting.State.FAILED
    meeting.last_error = reason
    meeting.save()
    work.meeting = meeting
    logger.warning("meeting of appointment %s failed: %s", work.appointment.pk, reason)
    if not already:
        notices.tell(meeting, notices.FAILED)


def quota_delay(retry_after: float, start: datetime, now: datetime) -> float:
    """When a sync deferred by a quota runs again: when the quota resets, plus up to `QUOTA_SPREAD` by how
    far the appointment lies beyond that. Workers claim by `run_after`, so the soonest appointments get the
    new period's allowance first."""
    resumes = now + timedelta(seconds=retry_after)
    ahead = max((start - resumes).total_seconds(), 0.0)
    # Rises with `ahead` without bound yet stays under the spread: a day ahead waits half of it, a month
    # ahead nearly all, and every two starts keep their order.
    share = ahead / (ahead + QUOTA_HALF_SPREAD_AT.total_seconds())
    return retry_after + share * QUOTA_SPREAD.total_seconds()


def _retry_slowly(work: Sync) -> None:
    """Queue one more sync in SLOW_RETRY, unless the appointment starts before then."""
    run_after = timezone.now() + SLOW_RETRY
    if work.appointment.start > run_after:
        key = events.appointment_key(work.appointment.pk)
        jobs.enqueue(
            events.SYNC_MEETING,
            {"appointment_id": work.appointment.pk},
            key=key,
            run_after=run_after,
            coalesce=True,
            tenant_id=work.appointment.tenant_id,
        )


def _defer_for_quota(work: Sync, exc: QuotaExhausted) -> None:
    """Show why the meeting waits; tell the admins once per host and quota period, not once per meeting."""
    meeting = work.meeting
    resumes = timezone.now() + timedelta(seconds=exc.retry_after or 0.0)
    # The day in the text makes it differ from one period to the next, and marks who was told when.
    reason = f"{exc.reason} Rendez tries again after {resumes:%H:%M} UTC on {resumes:%d %B %Y}."
    if meeting is None or meeting.last_error == reason:
        return
    told = (
        Meeting.objects.filter(
            host_connection_id=meeting.host_connection_id,
            host_user_key=meeting.host_user_key,
            last_error=reason,
        )
        .exclude(pk=meeting.pk)
        .exists()
    )
    meeting.last_error = reason
    meeting.save(update_fields=["last_error", "updated_at"])
    if not told:
        notices.tell(meeting, notices.DEFERRED)
