"""The link a person holds is the meeting (issue 14), as a property: random sequences of the changes people
make, settled, then checked against the emulator's own records, the API, START MEETING and the email received.

For every confirmed video appointment whose host is usable, once settled:
- exactly one live meeting exists on Zoom for it (meetings Rendez records as left on Zoom aside), on the Zoom
  user Rendez resolves for its staff member now;
- the API shows it `ready` with its id, join link and passcode, and START MEETING opens it;
- the last email each customer received that carried a join link carried this one (and its passcode), and so
  did the staff member's last one about that booking, when they got any with a link.
Where no meeting is owed or none can be made (nobody confirmed; the integration, the service's video or the
host off): no meeting is made; a meeting of an appointment nobody is owed is deleted or recorded as left; the
API says `ready` only for a meeting that is live (and never for one nobody is owed), and customers then hold
that one. Everywhere: every live meeting on Zoom is one Rendez knows, of one appointment.

A meeting its host deleted in Zoom, with nothing synced since, is shown as deleted and is not started: a
person decides (Retry) whether to make a new one; the Retry is one of the changes.

Changes: book (one-to-one, a group seat, or awaiting approval), move a booking, move a booking or a whole
session to the other staff member, cancel, change status (confirm, reject, completed, no-show), delete the
meeting in Zoom, Retry, disconnect a staff member, connect their own or another Zoom user, connect the
business's account (OAuth or Server-to-Server, switching modes over the same account), disconnect it, map a
staff member to another Zoom user, remove the app at Zoom, turn the integration or a service's video off and
on, kill a worker mid-sync after Zoom lost its answer, let one queue's worker run ahead of the other's, and
settle in between; and a change of service on reschedule (`service_id`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rendez.api.booking_schemas import RescheduleIn
from rendez.integrations.zoom import tenant_settings
from rendez.notifications.defaults import install_default_workflows
from rendez.scheduling.models import Appointment, Booking
from rendez.scheduling.tests.factories import make_service
from rendez.tests.integrations.zoom.invariant_world import (
    OTHER_USER,
    OWN_USER,
    ZOOM_USERS,
    Look,
    World,
)
from rendez.tests.integrations.zoom.test_lifecycle import a_monday

# Few, small examples keep the run bounded; RENDEZ_INVARIANT_EXAMPLES asks for more when hunting.
EXAMPLES = int(os.environ.get("RENDEZ_INVARIANT_EXAMPLES", "20"))
MAX_CHANGES = 7
CONFIRMED, COMPLETED, NO_SHOW = "confirmed", "completed", "no_show"
TOOK_PLACE = frozenset({COMPLETED, NO_SHOW})


@pytest.fixture
def world(zoom, inbox, smtp_server, api, alice, maria, jonas) -> Iterator[World]:  # noqa: F811
    install_default_workflows(alice)
    tenant_settings.update(alice, {"enabled": True})
    video = make_service(
        alice, maria, jonas, name="Video consultation", duration_minutes=30, zoom_enabled=True
    )
    workshop = make_service(
        alice, maria, jonas, name="Video workshop", duration_minutes=60, capacity=3, zoom_enabled=True
    )
    yield World(zoom, inbox, smtp_server, api, alice, [maria, jonas], video, workshop, a_monday())


# --- the changes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    group: bool
    staff: int
    slot: int
    pending: bool = False

    def apply(self, world: World) -> None:
        service = world.workshop if self.group else world.video
        world.book(service, world.staff[self.staff], self.slot, pending=self.pending)


@dataclass(frozen=True)
class Move:
    booking: int
    slot: int

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is None:
            return
        start = world.slot(booking.appointment.service, self.slot).isoformat()
        response = world.api.post(f"/bookings/{booking.pk}/reschedule", {"start": start})
        world.changed(f"move booking {booking.pk} to slot {self.slot}", response)


@dataclass(frozen=True)
class ChangeStaff:
    booking: int
    whole_session: bool = False

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is None:
            return
        appointment = booking.appointment
        other = next(member for member in world.staff if member.pk != appointment.staff_id)
        body = {"start": appointment.start.isoformat(), "staff_id": other.pk}
        if self.whole_session:
            response = world.api.post(f"/appointments/{appointment.pk}/reschedule", body)
        else:
            response = world.api.post(f"/bookings/{booking.pk}/reschedule", body)
        what = f"session {appointment.pk}" if self.whole_session else f"booking {booking.pk}"
        world.changed(f"move {what} to {other.name}", response)


@dataclass(frozen=True)
class ChangeService:
    booking: int

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is None:
            return
        appointment = booking.appointment
        other = world.video if appointment.service_id == world.workshop.pk else world.workshop
        body = {"start": world.slot(other, 0).isoformat(), "service_id": other.pk}
        response = world.api.post(f"/bookings/{booking.pk}/reschedule", body)
        world.changed(f"booking {booking.pk} to {other.name}", response)


@dataclass(frozen=True)
class Cancel:
    booking: int

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is None:
            return
        world.changed(f"cancel booking {booking.pk}", world.api.post(f"/bookings/{booking.pk}/cancel"))


@dataclass(frozen=True)
class SetStatus:
    booking: int
    status: str

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is not None:
            world.set_status(booking, self.status)


@dataclass(frozen=True)
class DeleteOnZoom:
    booking: int

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is not None:
            world.delete_on_zoom(booking)


@dataclass(frozen=True)
class Retry:
    """Someone presses Retry (POST …/meeting/sync) on the booking's appointment."""

    booking: int

    def apply(self, world: World) -> None:
        if (booking := world.booking(self.booking)) is None:
            return
        response = world.api.post(f"/appointments/{booking.appointment_id}/meeting/sync")
        world.changed(f"retry the meeting of appointment {booking.appointment_id}", response)


@dataclass(frozen=True)
class DisconnectStaff:
    staff: int

    def apply(self, world: World) -> None:
        member = world.staff[self.staff]
        response = world.api.delete(f"/staff/{member.pk}/zoom")
        world.note(f"disconnect {member.name}: {response.status_code}")


@dataclass(frozen=True)
class ConnectStaff:
    staff: int
    other_user: bool

    def apply(self, world: World) -> None:
        user = (OTHER_USER if self.other_user else OWN_USER)[self.staff]
        world.connect_staff(world.staff[self.staff], user)


@dataclass(frozen=True)
class ConnectTenant:
    s2s: bool

    def apply(self, world: World) -> None:
        if self.s2s:
            world.connect_tenant_s2s()
        else:
            world.connect_tenant_oauth()


@dataclass(frozen=True)
class DisconnectTenant:
    def apply(self, world: World) -> None:
        world.note(
            f"disconnect the business's Zoom: {world.api.delete('/integrations/zoom/connection').status_code}"
        )


@dataclass(frozen=True)
class Remap:
    staff: int
    user: int

    def apply(self, world: World) -> None:
        member = world.staff[self.staff]
        response = world.api.put(f"/staff/{member.pk}/zoom", {"zoom_user_id": ZOOM_USERS[self.user]})
        world.note(f"map {member.name} to {ZOOM_USERS[self.user]}: {response.status_code}")


@dataclass(frozen=True)
class Deauthorize:
    user: int

    def apply(self, world: World) -> None:
        world.deauthorize(ZOOM_USERS[self.user])


@dataclass(frozen=True)
class Integration:
    enabled: bool

    def apply(self, world: World) -> None:
        response = world.api.put("/integrations/zoom/settings", {"enabled": self.enabled})
        world.note(f"integration enabled={self.enabled}: {response.status_code}")


@dataclass(frozen=True)
class ServiceVideo:
    group: bool
    enabled: bool

    def apply(self, world: World) -> None:
        service = world.workshop if self.group else world.video
        response = world.api.patch(f"/services/{service.pk}", {"zoom_enabled": self.enabled})
        world.note(f"{service.name} zoom_enabled={self.enabled}: {response.status_code}")


@dataclass(frozen=True)
class KillWorker:
    def apply(self, world: World) -> None:
        world.kill_a_worker()


@dataclass(frozen=True)
class RunAlone:
    """Workers race: the due jobs of one queue run before any of the other's (messages before meeting syncs,
    or syncs before messages)."""

    messages: bool

    def apply(self, world: World) -> None:
        world.run_queue("notifications" if self.messages else "default")


@dataclass(frozen=True)
class Settle:
    """Settle and check in between: the invariant holds at every rest, not only at the end."""

    def apply(self, world: World) -> None:
        world.note("settle")
        assert_invariant(world)


booking = st.integers(0, 5)
staff = st.integers(0, 1)
book = st.builds(Book, group=st.booleans(), staff=staff, slot=st.integers(0, 2), pending=st.booleans())
CHANGES = [
    book,
    st.builds(Cancel, booking=booking),
    st.builds(ChangeStaff, booking=booking, whole_session=st.booleans()),
    st.builds(Move, booking=booking, slot=st.integers(0, 2)),
    st.builds(
        SetStatus, booking=booking, status=st.sampled_from([CONFIRMED, "rejected", COMPLETED, NO_SHOW])
    ),
    st.builds(DeleteOnZoom, booking=booking),
    st.builds(Retry, booking=booking),
    st.builds(DisconnectStaff, staff=staff),
    st.builds(ConnectStaff, staff=staff, other_user=st.booleans()),
    st.builds(ConnectTenant, s2s=st.booleans()),
    st.just(DisconnectTenant()),
    st.builds(Remap, staff=staff, user=st.integers(0, len(ZOOM_USERS) - 1)),
    st.builds(Deauthorize, user=st.integers(0, 1)),
    st.builds(Integration, enabled=st.booleans()),
    st.builds(ServiceVideo, group=st.booleans(), enabled=st.booleans()),
    st.just(KillWorker()),
    st.builds(RunAlone, messages=st.booleans()),
    st.just(Settle()),
]
if "service_id" in RescheduleIn.model_fields:
    CHANGES.append(st.builds(ChangeService, booking=booking))
change = st.one_of(CHANGES)


ONE = [Book(group=False, staff=0, slot=0)]


# The changes issue 14 names, always tried (the random ones add the rest).
@example(booked=ONE, changes=[ChangeStaff(booking=0), RunAlone(messages=True)])
@example(booked=ONE, changes=[DeleteOnZoom(booking=0), Settle(), Retry(booking=0)])
@example(booked=ONE, changes=[ConnectTenant(s2s=True), DisconnectStaff(staff=0), Remap(staff=0, user=2)])
@example(
    booked=ONE,
    changes=[
        ConnectTenant(s2s=False),
        DisconnectStaff(staff=0),
        ConnectTenant(s2s=False),
        Remap(staff=0, user=2),
    ],
)
@example(booked=ONE, changes=[Cancel(booking=0), DisconnectStaff(staff=0)])
@example(booked=ONE, changes=[ConnectStaff(staff=0, other_user=True)])
# Found by a longer hunt: two seats of a group session, the host's Zoom user changes; each seat is its own
# calendar event for the staff member too, so each one's invitation must get the new link.
@example(
    booked=[Book(group=True, staff=0, slot=0), Book(group=True, staff=0, slot=0)],
    changes=[ConnectStaff(staff=0, other_user=True)],
)
@example(booked=ONE, changes=[Book(group=False, staff=0, slot=2), KillWorker(), Deauthorize(user=0)])
@example(
    booked=ONE,
    changes=[
        Integration(enabled=False),
        Book(group=False, staff=0, slot=2),
        Settle(),
        Integration(enabled=True),
    ],
)
@example(
    booked=ONE,
    changes=[
        ServiceVideo(group=False, enabled=False),
        Book(group=False, staff=0, slot=2),
        Settle(),
        ServiceVideo(group=False, enabled=True),
    ],
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # The same examples on every run (CI must not fail on a sequence it never tried before); hunt for new
    # ones with RENDEZ_INVARIANT_RANDOM=1 and more RENDEZ_INVARIANT_EXAMPLES, and add what they find above.
    derandomize=os.environ.get("RENDEZ_INVARIANT_RANDOM") != "1",
    # The fixtures are the world around the examples; each example resets Zoom and the mail and rolls its
    # rows back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    booked=st.lists(book, min_size=1, max_size=3), changes=st.lists(change, min_size=1, max_size=MAX_CHANGES)
)
def test_the_link_people_hold_is_the_one_live_meeting_after_any_changes(world, booked, changes):
    with transaction.atomic():
        world.begin()
        world.note(f"booked {booked}, then {changes}")
        for each in booked:
            each.apply(world)
        assert_invariant(world)
        for each in changes:
            each.apply(world)
        assert_invariant(world)
        transaction.set_rollback(True)


# --- the invariant ------------------------------------------------------------------------------------------


def assert_invariant(world: World) -> None:
    problems = invariant_problems(world.look())
    assert not problems, "\n".join([*problems, "", "what happened:", *world.journal])


def invariant_problems(look: Look) -> list[str]:
    owners: dict[str, set[int]] = defaultdict(set)
    for appointment_id, record in look.records.items():
        if record.external_id:
            owners[record.external_id].add(appointment_id)
    for retired in look.retired:
        owners[retired.external_id].add(retired.appointment_id)
    # A create whose answer was lost stays on the record (host, instant) until a sync adopts what it made.
    unfinished = {
        r.host_user_key for r in look.records.values() if r.attempt_started_at and not r.external_id
    }
    problems = [
        f"meeting {meeting_id} on {live.host_id} is live on Zoom but Rendez keeps no record of it"
        for meeting_id, live in look.live.items()
        if str(meeting_id) not in owners and live.host_id not in unfinished
    ]
    problems += [
        f"meeting {external_id} is recorded for appointments {sorted(ids)}"
        for external_id, ids in owners.items()
        if len(ids) > 1
    ]
    for appointment in look.appointments:
        ours = {external_id for external_id, ids in owners.items() if appointment.pk in ids}
        problems += [
            f"appointment {appointment.pk}: {p}" for p in appointment_problems(look, appointment, ours)
        ]
    return problems


def left_on_zoom(look: Look) -> set[str]:
    """Meetings Rendez says it could not delete (recorded and shown to admins)."""
    left = {retired.external_id for retired in look.retired if retired.state == "left"}
    return left | {
        r.external_id for r in look.records.values() if r.state == "left_on_zoom" and r.external_id
    }


def appointment_problems(look: Look, appointment: Appointment, ours: set[str]) -> list[str]:
    bookings = look.bookings[appointment.pk]
    confirmed = [b for b in bookings if b.status == CONFIRMED]
    took_place = any(b.status in TOOK_PLACE for b in bookings)
    host = look.hosts[appointment.staff_id]
    live = [look.live[int(external_id)] for external_id in ours if int(external_id) in look.live]
    held = [meeting for meeting in live if str(meeting.id) not in left_on_zoom(look)]
    shown = look.shown[appointment.pk] or {}
    problems = []
    owed = bool(confirmed) and look.video_on[appointment.service_id] and host is not None and host.usable
    made = [meeting for meeting in live if meeting.id not in look.seen]
    if made and not owed:
        problems.append(f"meeting {[m.id for m in made]} was made although none is owed or can be made")
    if shown.get("state") == "ready" and not (
        shown.get("meeting_id")
        and int(shown["meeting_id"]) in look.live
        and int(shown["meeting_id"]) in {m.id for m in held}
    ):
        problems.append(
            f"the API says ready for meeting {shown.get('meeting_id')}, which is not live on Zoom"
        )
    if not confirmed and not took_place:
        if held:
            problems.append(
                f"nobody is owed a meeting, yet {[m.id for m in held]} live and not recorded as left"
            )
        if shown.get("state") == "ready":
            problems.append("nobody is owed a meeting, yet the API says ready")
        if look.starts[appointment.pk].startswith("/s/"):
            problems.append(
                f"nobody is owed a meeting, yet START MEETING opens {look.starts[appointment.pk]}"
            )
        return problems
    if len(held) > 1:
        return [*problems, f"{len(held)} live meetings on Zoom: {sorted(m.id for m in held)}"]
    if not owed:
        if shown.get("state") == "ready" and held:
            problems += link_problems(look, appointment, confirmed, held[0], staff_too=False)
        return problems
    if appointment.pk in look.not_synced_since_deleted_on_zoom and shown.get("state") == "deleted":
        if held or look.starts[appointment.pk].startswith("/s/"):
            problems.append("its meeting was deleted in Zoom, yet a meeting is live or START opens one")
        return problems
    assert host is not None
    if len(held) != 1:
        return [*problems, f"no live meeting on Zoom (the API shows {shown or None})"]
    meeting = held[0]
    if meeting.host_id != host.zoom_user_id:
        problems.append(
            f"meeting {meeting.id} is hosted by {meeting.host_id}, Rendez resolves {host.zoom_user_id}"
        )
    expected = ("ready", str(meeting.id), meeting.join_url, meeting.password or None)
    actual = (shown.get("state"), shown.get("meeting_id"), shown.get("join_url"), shown.get("password"))
    if actual != expected:
        problems.append(f"the API shows {actual}, Zoom has {expected}")
    if look.starts[appointment.pk] != f"/s/{meeting.id}":
        problems.append(f"START MEETING gives {look.starts[appointment.pk]}, not meeting {meeting.id}")
    return problems + link_problems(look, appointment, confirmed, meeting, staff_too=True)


def link_problems(
    look: Look, appointment: Appointment, confirmed: list[Booking], meeting, *, staff_too: bool
) -> list[str]:
    """Whether the last link each customer (and, when asked, the staff member) was sent is this meeting's."""
    problems = []
    staff_email = look.staff_email[appointment.staff_id]
    for booking in confirmed:
        last = look.last_link(booking.customer.email)
        if last is None:
            problems.append(f"the customer of booking {booking.pk} was never sent a join link")
        else:
            problems += held_problems(f"the customer of booking {booking.pk}", last, meeting)
        last_to_staff = look.last_link(staff_email, uid=f"booking-{booking.pk}@testserver")
        if staff_too and last_to_staff is not None:
            problems += held_problems(f"{staff_email} about booking {booking.pk}", last_to_staff, meeting)
    return problems


def held_problems(who: str, message, meeting) -> list[str]:
    problems = []
    if message.links != {meeting.join_url}:
        problems.append(
            f"{who} last got {sorted(message.links)} ({message.subject!r}), Zoom's is {meeting.join_url}"
        )
    if message.passwords and message.passwords != {meeting.password}:
        problems.append(
            f"{who} last got passcode {sorted(message.passwords)}, Zoom's is {meeting.password!r}"
        )
    return problems
