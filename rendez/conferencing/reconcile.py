"""Moving an appointment's meeting to what it should be: the work of one `conferencing.sync` job.

`sync()` reads the appointment, asks `desired.decide()` for one action and carries it out through the
provider, writing the meeting record after every step that changed something on the provider.

Exactly one meeting, even across crashes: a create is recorded (with its host and the instant) and committed
before the provider is called. A sync that finds such an unfinished attempt looks on the host for a meeting
made since then and adopts it instead of making another (DESIGN.md section 5). Jobs of one appointment run
one at a time (their key), so nothing else writes the record meanwhile.

Replace, then retire, then tell (DESIGN.md section 5). When the meeting people hold must change (another
host, gone on the provider), the old one is first written down as a `RetiredMeeting` in the same write that
starts the new one, the new one is made, and only then is the old one deleted; the new record's
`notifications.meeting_ready` job tells everyone whose last message carried another link. An old meeting whose
host cannot be reached any more stays recorded as `left` (and the record `left_on_zoom` when it was the
appointment's own), shown to admins, and is deleted by a later sync once its host is reachable again.

Failures never fail a booking: retryable ones are retried by the job with backoff, and the record says so
(`retrying`, the reason, the next attempt); what retrying cannot fix (a revoked connection, a refused
request) marks the meeting `failed` with a reason a person understands, and the staff member and the tenant's
admins are told. Once the job's attempts are spent on an outage it keeps trying every 15 minutes, still
`retrying`.

Verification: after a reconnect or a mode switch (`request_verify`) the next sync reads the meeting from the
provider once instead of trusting the record, and makes a new one only when it is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rendez import jobs
from rendez.conferencing import choice, notices, registrations
from rendez.conferencing.desired import (
    PROVIDER_LABELS,
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
from rendez.conferencing.events import MeetingLinkReady
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.conferencing.payloads import SYNC_MEETING, SyncMeeting
from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    MeetingGone,
    MeetingInfo,
    MeetingProvider,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    RegistrantProvider,
    get_provider,
)
from rendez.conferencing.snapshots import load_appointment, meeting_state, snapshot_of
from rendez.jobs import conf as jobs_conf
from rendez.jobs.backoff import retry_delay
from rendez.scheduling import events
from rendez.scheduling.models import Appointment

logger = logging.getLogger("rendez.conferencing")

DEFAULT_PROVIDER = choice.DEFAULT_PROVIDER
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
        return spec_for(
            self.snapshot,
            random_password=self.random_password,
            settings=options,
            # Personal links only where the provider has them (Meet and Teams meetings have one link).
            registration=registrations.wanted_for(self.appointment)
            and isinstance(self.provider, RegistrantProvider),
        )


def sync(appointment_id: int, *, last_attempt: bool = False, attempt: int = 1) -> str:
    """Bring the appointment's meeting in step; returns a short code of what was done (for logs and tests).

    Raises `jobs.Retry` when a retryable failure should be tried again later; `attempt` is the job's attempt
    number, for the time of the next one the record shows.
    """
    appointment = load_appointment(appointment_id)
    if appointment is None:
        return "no_appointment"
    meeting = Meeting.objects.filter(appointment_id=appointment.pk).first()
    chosen = choice.choose(appointment.service, appointment.staff, meeting)
    work = _work(appointment, meeting, chosen)
    action = decide(work.snapshot, meeting_state(meeting))
    try:
        _reclaim(work, action)
        done = _verified(work, action) or _carry_out(work, action)
        retire_open(work)
        _settle_registrants(work)
        return done
    except QuotaExhausted as exc:
        now = timezone.now()
        at = now + timedelta(seconds=quota_delay(exc.retry_after or 0.0, appointment.start, now))
        _defer_for_quota(work, exc, at)
        raise jobs.Retry(at=at, reason=exc.reason, consume_attempt=False) from None
    except ProviderError as exc:
        final = not exc.retryable or last_attempt
        if final and (fallback := _fallback_after_failure(work, action)) is not None:
            return _with_fallback(work, fallback, exc)
        if exc.retryable and not last_attempt:
            after = (
                exc.retry_after
                if exc.retry_after is not None
                else retry_delay(attempt, jobs_conf.backoff_base(), jobs_conf.backoff_max())
            )
            logger.info("meeting sync of appointment %s will retry: %s", appointment_id, exc.reason)
            retry_at = timezone.now() + timedelta(seconds=after)
            _mark_retrying(work, exc.reason, retry_at)
            raise jobs.Retry(at=retry_at, reason=exc.reason) from None
        if exc.retryable:
            # The job's attempts are spent but the trouble is the provider's (an outage): say so, and keep
            # trying slowly rather than leave the appointment without a meeting for good.
            reason = f"{exc.reason} Rendez keeps trying every 15 minutes until the appointment starts."
            if (slow_at := _retry_slowly(work)) is not None:
                _mark_retrying(work, reason, slow_at, tell=True)
                return "retrying"
            _fail(work, reason)
        else:
            _fail(work, exc.reason)
        return "failed"


def _work(appointment: Appointment, meeting: Meeting | None, chosen: choice.Choice) -> Sync:
    snapshot = snapshot_of(
        appointment,
        chosen.name,
        chosen.integration,
        chosen.host,
        timezone.now(),
        service_providers=tuple(choice.providers_of(appointment.service)) or None,
    )
    return Sync(
        appointment, meeting, chosen.provider, chosen.name, snapshot, chosen.integration.random_password
    )


def _fallback_after_failure(work: Sync, action) -> choice.Choice | None:
    """The service's fallback, when making the meeting on its own provider failed for good (past its
    retries, or refused) and no meeting of it is live: nobody holds a link of the failed provider."""
    meeting = work.meeting
    if not isinstance(action, Create | Replace) or (meeting is not None and meeting.join_url):
        return None
    return choice.fallback_for(work.appointment.service, work.appointment.staff, work.provider_name)


def _with_fallback(work: Sync, fallback: choice.Choice, exc: ProviderError) -> str:
    """Make the meeting on the fallback instead. A create on the failed provider whose answer was lost is
    retired like a replaced meeting (found first where its host still answers)."""
    logger.warning(
        "meeting of appointment %s: %s failed (%s); making it on the fallback %s",
        work.appointment.pk,
        work.provider_name,
        exc.reason,
        fallback.name,
    )
    again = _work(work.appointment, work.meeting, fallback)
    action = decide(again.snapshot, meeting_state(again.meeting))
    try:
        done = _carry_out(again, action)
        retire_open(again)
        _settle_registrants(again)
    except ProviderError as second:
        # Both failed: said once, with both reasons; the next sync (a change, a person's retry) starts over
        # with the service's own provider.
        _fail(again, f"{exc.reason} The fallback, {fallback.name}, failed too: {second.reason}")
        return "failed"
    return f"fallback_{done}"


def _settle_registrants(work: Sync) -> None:
    """Per-attendee links, after the meeting itself is in step (registrations.py); a changed link is
    announced like a new meeting, so waiting messages go and people holding another link get theirs."""
    meeting = work.meeting
    host = work.snapshot.host
    if meeting is not None and host is not None:
        host = host if host.hosts_same_user_as(meeting.provider, meeting.host_user_key) else None
    if registrations.settle(work.appointment, meeting, work.provider, host):
        _announce_ready(work)


def request_verify(appointment_ids: list[int]) -> int:
    """Have the next sync of these appointments read their meetings from the provider (one read each) before
    trusting the record: their host's connection changed. Call it in the transaction that asks for the syncs;
    returns how many records were marked."""
    return Meeting.objects.filter(appointment_id__in=appointment_ids, verify_due=False).update(
        verify_due=True
    )


def with_meetings_left() -> QuerySet[RetiredMeeting, int]:
    """The appointments (ids, for `pk__in`) with a meeting still to delete from its host."""
    return (
        RetiredMeeting.objects.exclude(state=RetiredMeeting.State.DELETED)
        .values_list("appointment_id", flat=True)
        .distinct()
    )


def _carry_out(work: Sync, action) -> str:
    if isinstance(action, Create):
        _create(work, action.host)
        return "created"
    if isinstance(action, Update):
        return _update(work, action)
    if isinstance(action, Replace):
        _replace(work, action)
        return "replaced"
    if isinstance(action, Delete):
        _remove(work, action.old)
        if action.then is not None:
            _nothing(work, action.then)
        return "deleted"
    return _nothing(work, action)


# --- verify -------------------------------------------------------------------------------------------------


def _reclaim(work: Sync, action) -> None:
    """The record's meeting is wanted again (a booking confirmed again before its delete went through): it
    must not be retired any more, and whether the delete reached the provider first is checked with it."""
    meeting = work.meeting
    if meeting is None or not meeting.external_id or isinstance(action, Delete | Replace):
        return
    if meeting.state in (Meeting.State.DELETED, Meeting.State.UNMANAGED):
        return
    pending = RetiredMeeting.objects.filter(provider=meeting.provider, external_id=meeting.external_id)
    if pending.exclude(state=RetiredMeeting.State.DELETED).delete()[0] or pending.exists():
        meeting.verify_due = True


def _verified(work: Sync, action) -> str | None:
    """When the record asks for it, read the meeting from its host before anything else: a meeting gone
    there is made again (the people holding its link are told by `meeting_ready`), one whose link or passcode
    changed there is recorded. Returns a code when that was the whole sync's work."""
    meeting = work.meeting
    wants = meeting is not None and (meeting.verify_due or meeting.state == Meeting.State.LEFT_ON_ZOOM)
    if not wants or not isinstance(action, Nothing | Update):
        return None
    assert meeting is not None
    host = action.host if isinstance(action, Update) else work.snapshot.host
    usable = (
        host is not None and host.usable and host.hosts_same_user_as(meeting.provider, meeting.host_user_key)
    )
    if not usable or not meeting.external_id or action_is_final(action):
        return None
    assert host is not None
    try:
        info = work.provider.get(host, meeting.external_id)
    except MeetingGone:
        logger.warning("meeting %s is gone from its host; making a new one", meeting.external_id)
        _create(work, host, fresh=True)
        notices.tell(work.meeting, notices.RECREATED)  # type: ignore[arg-type]
        return "recreated"
    link_changed = (info.join_url, info.password) != (meeting.join_url, meeting.password)
    meeting.join_url, meeting.password = info.join_url, info.password
    meeting.verify_due = False
    if meeting.state in (Meeting.State.LEFT_ON_ZOOM, Meeting.State.RETRYING):
        meeting.state, meeting.last_error, meeting.next_attempt_at = Meeting.State.READY, "", None
    with transaction.atomic():
        meeting.save()
        if link_changed:
            _announce_ready(work)
    return None


def action_is_final(action) -> bool:
    """Nothing-actions after which the meeting is not the appointment's concern any more."""
    return isinstance(action, Nothing) and action.code in {"took_place", "appointment_over", "unmanaged"}


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
    try:
        info = work.provider.create(host, spec, attempt_started_at=started)
    except QuotaExhausted:
        # Refused before it was sent (the host's day is counted first) or by the provider's own 429: nothing
        # was made, so the next sync has nothing to look for. Without this every deferred occurrence of a
        # long series cost a list of the host's meetings each time it resumed.
        _forget_attempt(work)
        raise
    _record_made(work, host, spec, info)


def _forget_attempt(work: Sync) -> None:
    meeting = work.meeting
    if meeting is not None and meeting.pk is not None:
        meeting.attempt_started_at = None
        meeting.save(update_fields=["attempt_started_at"])


def _record_attempt(work: Sync, host: HostRef) -> datetime:
    """Write down, before calling, that a create is under way on `host` (committed at once: no
    transaction is open)."""
    started = timezone.now()
    meeting = work.meeting or Meeting(tenant_id=work.appointment.tenant_id, appointment=work.appointment)
    meeting.provider = work.provider_name
    meeting.state = Meeting.State.PENDING
    meeting.external_id = meeting.join_url = meeting.password = ""
    _record_host(work, meeting, host)
    meeting.attempt_started_at = started
    meeting.attempts += 1
    meeting.save()
    work.meeting = meeting
    return started


def _record_host(work: Sync, meeting: Meeting, host: HostRef) -> None:
    meeting.host_connection_id, meeting.host_user_key = host.connection_id, host.user_key
    meeting.host_account_id, meeting.host_email = host.account_id, host.email
    meeting.host_staff_id = work.snapshot.staff_id


def _record_made(work: Sync, host: HostRef, spec: MeetingSpec, info: MeetingInfo) -> None:
    meeting = work.meeting or Meeting(tenant_id=work.appointment.tenant_id, appointment=work.appointment)
    meeting.provider = work.provider_name
    meeting.external_id, meeting.join_url, meeting.password = info.external_id, info.join_url, info.password
    meeting.host_id = info.host_id
    _record_host(work, meeting, host)
    meeting.state, meeting.last_error, meeting.attempt_started_at = Meeting.State.READY, "", None
    meeting.next_attempt_at, meeting.verify_due = None, False
    meeting.sent_start, meeting.sent_duration_minutes = spec.start, spec.duration_minutes
    meeting.sent_timezone, meeting.sent_service_id = spec.timezone, work.snapshot.service_id
    meeting.topic = spec.topic
    refused = _record_registration(meeting, spec, info)
    with transaction.atomic():
        meeting.save()
        _announce_ready(work)
        if refused:
            notices.tell(meeting, notices.SHARED_LINK, detail=meeting.registration_note)
    work.meeting = meeting


def _record_registration(meeting: Meeting, spec: MeetingSpec, info: MeetingInfo) -> bool:
    """Whether the new meeting gives attendees personal links; True when it was asked for and the provider
    made the meeting without (a host who cannot use registration): everyone shares its link."""
    if not spec.registration:
        meeting.registration, meeting.registration_note = Meeting.Registration.OFF, ""
        return False
    if info.registration:
        meeting.registration, meeting.registration_note = Meeting.Registration.ON, ""
        return False
    meeting.registration = Meeting.Registration.REFUSED
    meeting.registration_note = (
        f"Zoom made the meeting without registration for {meeting.host_email or 'its host'}: personal links "
        "need a Licensed Zoom user and a meeting that is not on the Personal Meeting ID. Everyone gets the "
        "meeting's shared link."
    )
    return True


def _announce_ready(work: Sync) -> None:
    """Announce the link, with the ready record (same transaction): notifications subscribes (waiting
    messages go, and everyone whose last message carried another link, or none, gets this one)."""
    appointment = work.appointment  # loaded with its tenant (snapshots.load_appointment)
    jobs.announce(MeetingLinkReady(appointment.pk, appointment.tenant_id, appointment.tenant.has_calendars))


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
    _record_host(work, meeting, action.host)
    meeting.state, meeting.last_error, meeting.next_attempt_at = Meeting.State.READY, "", None
    meeting.save()
    return "updated"


# --- replace and delete -------------------------------------------------------------------------------------


def _replace(work: Sync, action: Replace) -> None:
    """Make the new meeting on `action.host`, then delete the old one (`retire_open`, after this returns).
    The old one is written down as retiring before the record takes the new attempt, in one transaction."""
    with transaction.atomic():
        _keep_for_retiring(work, action.old)
        started = _record_attempt(work, action.host)
    spec = work.spec()
    info = work.provider.create(action.host, spec, attempt_started_at=started)
    _record_made(work, action.host, spec, info)


def _remove(work: Sync, old: MeetingState) -> None:
    """Take the meeting nobody is owed off its host: recorded as retiring, the record deleted, then deleted on
    the provider by `retire_open`, which marks the record `left_on_zoom` when its host cannot be reached."""
    meeting = work.meeting
    assert meeting is not None
    with transaction.atomic():
        _keep_for_retiring(work, old)
        meeting.state = Meeting.State.DELETED
        meeting.join_url = meeting.password = ""
        meeting.attempt_started_at = meeting.next_attempt_at = None
        meeting.last_error, meeting.verify_due = "", False
        meeting.save()


def _keep_for_retiring(work: Sync, old: MeetingState) -> None:
    """Record `old` as a meeting to delete. A create whose answer was lost may have made one: it is looked for
    first; a host that cannot be asked any more leaves nothing to record (and is said in the log)."""
    external_id = old.external_id
    host = _old_host(work, old)
    if not external_id and old.attempt_started_at is not None and old.start is not None:
        try:
            found = get_provider(old.provider).find(
                host, work.spec(), old.attempt_started_at - ADOPTION_SLACK
            )
        except HostUnusable as exc:
            logger.warning("a lost create of appointment %s cannot be looked for: %s", old, exc.reason)
            found = None
        except ProviderError as exc:
            if old.provider == work.provider_name:
                raise
            # Moving to the fallback because this provider keeps failing: it cannot be asked now either.
            logger.warning("a lost %s create of appointment %s is not looked for: %s", old.provider, old, exc)
            found = None
        external_id = found.external_id if found else ""
    if not external_id:
        return
    meeting = work.meeting
    # Once recorded it keeps its state: a meeting already left is not announced again, a deleted one stays so.
    RetiredMeeting.objects.get_or_create(
        provider=old.provider,
        external_id=external_id,
        defaults={
            "tenant_id": work.appointment.tenant_id,
            "appointment": work.appointment,
            "host_connection_id": old.host_connection_id,
            "host_user_key": old.host_user_key,
            "host_account_id": meeting.host_account_id if meeting else "",
            "host_email": meeting.host_email if meeting else "",
        },
    )


def _old_host(work: Sync, old: MeetingState) -> HostRef:
    meeting = work.meeting
    return HostRef.recorded(
        old.provider,
        old.host_connection_id,
        old.host_user_key,
        account_id=meeting.host_account_id if meeting else "",
        tenant_id=work.appointment.tenant_id,
        email=meeting.host_email if meeting else "",
    )


def retire_open(work: Sync) -> None:
    """Delete every meeting of the appointment still to be retired (just replaced or no longer owed, or left
    earlier because its host was out of reach). Retryable errors propagate: the job retries."""
    retiring = RetiredMeeting.objects.filter(appointment_id=work.appointment.pk).exclude(
        state=RetiredMeeting.State.DELETED
    )
    for row in retiring:
        host = HostRef.recorded(
            row.provider,
            row.host_connection_id,
            row.host_user_key,
            account_id=row.host_account_id,
            tenant_id=row.tenant_id,
            email=row.host_email,
        )
        try:
            get_provider(row.provider).delete(host, row.external_id)
        except ProviderError as exc:
            if exc.retryable:
                raise
            _left(work, row, exc.reason)
            continue
        row.state, row.reason = RetiredMeeting.State.DELETED, ""
        row.save(update_fields=["state", "reason", "updated_at"])
        _record_retired(work, row)


def _left(work: Sync, row: RetiredMeeting, reason: str) -> None:
    """The old meeting cannot be deleted now: say so where admins look, once."""
    who = row.host_email or row.host_user_key or "its host"
    label = PROVIDER_LABELS.get(row.provider, row.provider)
    text = (
        f"{label} meeting {row.external_id} on {label} user {who} could not be deleted: {reason} "
        f"It is still live on {label}; delete it there, or reconnect and Rendez deletes it."
    )
    first = row.state != RetiredMeeting.State.LEFT
    row.state, row.reason = RetiredMeeting.State.LEFT, text
    row.save(update_fields=["state", "reason", "updated_at"])
    logger.warning(
        "meeting %s of appointment %s left on its host: %s", row.external_id, row.appointment_id, reason
    )
    meeting = work.meeting
    if meeting is not None and _is_own(meeting, row):
        # It was the appointment's own meeting: the record says where it stays.
        meeting.state, meeting.last_error, meeting.next_attempt_at = Meeting.State.LEFT_ON_ZOOM, text, None
        meeting.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
    if first and meeting is not None:
        notices.tell(meeting, notices.LEFT_ON_ZOOM, detail=text)


def _is_own(meeting: Meeting, row: RetiredMeeting) -> bool:
    """Whether `row` is the record's own meeting, on its way out (not a replaced one, not in use)."""
    leaving = (Meeting.State.DELETED, Meeting.State.RETRYING, Meeting.State.LEFT_ON_ZOOM)
    return meeting.external_id == row.external_id and meeting.state in leaving


def _record_retired(work: Sync, row: RetiredMeeting) -> None:
    """A left meeting of the record finally deleted: the record says it is gone."""
    meeting = work.meeting
    if meeting is not None and _is_own(meeting, row):
        meeting.state, meeting.last_error, meeting.next_attempt_at = Meeting.State.DELETED, "", None
        meeting.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])


# --- nothing to call ----------------------------------------------------------------------------------------


def _nothing(work: Sync, action: Nothing) -> str:
    """No call; but a meeting that is owed and cannot be made is shown as failed, so nobody waits for it."""
    meeting = work.meeting
    exists = meeting is not None and meeting.external_id and meeting.state != Meeting.State.DELETED
    if action.code in NEEDS_A_PERSON and work.snapshot.seat_owed and not exists:
        _fail(work, _staff_reason(work, action))
    elif action.code == "in_step" and meeting is not None and meeting.state == Meeting.State.RETRYING:
        # An update that kept failing is no longer needed (the appointment went back): nothing is wrong now.
        meeting.state, meeting.last_error, meeting.next_attempt_at = Meeting.State.READY, "", None
        meeting.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
    return action.code


def _staff_reason(work: Sync, action: Nothing) -> str:
    name = work.appointment.staff.name
    if work.provider_name != DEFAULT_PROVIDER:
        return f"{name}: {action.message}"
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
    # A record with a link has a live meeting (a change to it failed): it stays usable, with the reason.
    meeting.state = Meeting.State.READY if meeting.join_url else Meeting.State.FAILED
    meeting.last_error = reason
    meeting.next_attempt_at = None
    meeting.save()
    work.meeting = meeting
    logger.warning("meeting of appointment %s failed: %s", work.appointment.pk, reason)
    if not already:
        notices.tell(meeting, notices.FAILED)


def quota_delay(retry_after: float, start: datetime, now: datetime) -> float:
    """When a sync deferred by a quota runs again: when the quota resets, plus up to `QUOTA_SPREAD` by how
    far the appointment lies beyond that. Workers claim by `run_after`, so the soonest appointments get the
    new period's allowance first."""
    # The reset to the second: syncs refused in one period all resume from the same instant, so the
    # milliseconds between their readings of the clock cannot swap two far-off occurrences of a series.
    resumes = (now + timedelta(seconds=retry_after) + timedelta(milliseconds=500)).replace(microsecond=0)
    ahead = max((start - resumes).total_seconds(), 0.0)
    # Rises with `ahead` without bound yet stays under the spread: a day ahead waits half of it, a month
    # ahead nearly all, and every two starts keep their order.
    share = ahead / (ahead + QUOTA_HALF_SPREAD_AT.total_seconds())
    return (resumes - now).total_seconds() + share * QUOTA_SPREAD.total_seconds()


def _mark_retrying(work: Sync, reason: str, at: datetime, *, tell: bool = False) -> None:
    """Say what is true while the provider fails: `retrying`, why, and when the next attempt is."""
    meeting = work.meeting or Meeting(
        tenant_id=work.appointment.tenant_id, appointment=work.appointment, provider=work.provider_name
    )
    already = (
        meeting.pk is not None and meeting.state == Meeting.State.RETRYING and meeting.last_error == reason
    )
    meeting.state, meeting.last_error = Meeting.State.RETRYING, reason
    meeting.next_attempt_at = at  # the job's own run_after: one instant, said and kept
    meeting.save()
    work.meeting = meeting
    if tell and not already:
        notices.tell(meeting, notices.FAILED)


def _retry_slowly(work: Sync) -> datetime | None:
    """Queue one more sync in SLOW_RETRY, unless the appointment starts before then; returns when."""
    run_after = timezone.now() + SLOW_RETRY
    if work.appointment.start <= run_after:
        return None
    key = events.appointment_key(work.appointment.pk)
    jobs.enqueue(
        SYNC_MEETING,
        SyncMeeting(appointment_id=work.appointment.pk),
        key=key,
        run_after=run_after,
        coalesce=True,
        tenant_id=work.appointment.tenant_id,
    )
    return run_after


def _defer_for_quota(work: Sync, exc: QuotaExhausted, at: datetime) -> None:
    """Show why the meeting waits; tell the admins once per host and quota period, not once per meeting."""
    meeting = work.meeting
    resumes = timezone.now() + timedelta(seconds=exc.retry_after or 0.0)
    # The day in the text makes it differ from one period to the next, and marks who was told when.
    reason = f"{exc.reason} Rendez tries again after {resumes:%H:%M} UTC on {resumes:%d %B %Y}."
    if meeting is None:
        return
    # Deferred again within the same period (a retry asked by a person, a sync after a change): the record
    # is marked again (its attempt left it `pending`, its next attempt moved), and nobody is told twice.
    told = meeting.last_error == reason or (
        Meeting.objects.filter(
            host_connection_id=meeting.host_connection_id,
            host_user_key=meeting.host_user_key,
            last_error=reason,
        )
        .exclude(pk=meeting.pk)
        .exists()
    )
    _mark_retrying(work, reason, at)
    if not told:
        notices.tell(meeting, notices.DEFERRED)
