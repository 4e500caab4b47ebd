"""The world of the meeting invariant's property test (test_invariant.py), and what is true in it.

Alice's Studio employs Maria and Jonas, who offer a one-to-one video consultation and a video workshop for
three; Zoom is the emulator on a real port, email goes over SMTP. Every change is made the way people make it:
through the API, the connection writers of `integrations/zoom/connections.py` after a real consent at the
emulator, or the emulator's own pages (a host deleting a meeting, a user removing the app), whose events are
replayed to Rendez's event endpoint exactly as Zoom sent them. Settling runs the real worker in this thread,
letting time pass for backoffs and leases (never for reminders), until nothing is due and Zoom has nothing
more to say.

`look()` then gathers what is true: the emulator's own meetings, Rendez's records, what the API and START
MEETING answer, and every email received, parsed for the join links and passcodes it carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rendez.api.tests.fixtures import ApiClient
from rendez.conferencing.models import Meeting, RetiredMeeting
from rendez.integrations.zoom import connections, oauth, places, states
from rendez.integrations.zoom.models import Mode
from rendez.jobs import claims, queue, registry
from rendez.jobs.models import Job
from rendez.jobs.worker import Worker
from rendez.notifications.dispatch import REMINDER
from rendez.notifications.models import Delivery
from rendez.notifications.tests.fixtures import Inbox, plain_text
from rendez.scheduling import services
from rendez.scheduling.events import SYNC_MEETING, appointment_key
from rendez.scheduling.models import Appointment, Booking, Service, Staff
from rendez.tenants.models import Tenant
from rendez.tests.integrations.zoom.fixtures import (
    CLIENT_ID,
    JONAS,
    LEA,
    MARIA,
    REDIRECT_URI,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    WEBHOOK_SECRET,
    EventInbox,
    consent,
    run_jobs,
)
from zoom_emulator import meetings as zoom_meetings
from zoom_emulator.testing import RunningEmulator

TOMAS = "dXNyLXRvbWFzLW5vdmFrLTA0"  # a Member of Demo Clinic, like Lea
# Maria and Jonas's own Zoom users, and the other user each may connect or be mapped to instead.
OWN_USER = (MARIA, JONAS)
OTHER_USER = (LEA, TOMAS)
ZOOM_USERS = (MARIA, JONAS, LEA, TOMAS)
VIDEO_SLOTS = ((10, 0), (10, 30), (11, 0))
WORKSHOP_SLOTS = ((14, 0), (15, 0))
SETTLE_ROUNDS = 40
# Backoffs, waits for a meeting and the slow retry after an outage are due within this; reminders are not.
TIME_PASSES = timedelta(hours=1)
# After this many rounds a message still waiting for its meeting has waited its bound.
WAIT_BOUND_AFTER = 10
PASSWORD = re.compile(r"(?:Meeting password|Passcode): *(\S+)")


@dataclass
class World:
    zoom: RunningEmulator
    inbox: EventInbox
    mail: Inbox
    api: ApiClient
    tenant: Tenant
    staff: list[Staff]
    video: Service
    workshop: Service
    monday: datetime
    bookings: list[int] = field(default_factory=list)
    replayed: int = 0
    # Meetings live on Zoom at the last look: anything beyond them was made since.
    seen: set[int] = field(default_factory=set)
    # Appointments whose meeting a host deleted in Zoom, and the last job queued once Rendez heard of it: a
    # sync queued after it makes a new meeting; until then a person decides (Retry).
    deleted_on_zoom: dict[int, int] = field(default_factory=dict)
    journal: list[str] = field(default_factory=list)

    # --- each example starts from here ----------------------------------------------------------------------

    def begin(self) -> None:
        """Zoom as seeded, nothing received, Maria and Jonas connected to their own Zoom users."""
        self.zoom.control.wait_for_webhooks()
        self.zoom.emulator.reset()
        self.zoom.control.add_redirect_uri(CLIENT_ID, REDIRECT_URI)
        self.zoom.control.set_event_subscription(CLIENT_ID, self.inbox.url, WEBHOOK_SECRET)
        self.inbox.received.clear()
        self.mail.messages.clear()
        cache.clear()
        self.bookings.clear()
        self.seen.clear()
        self.deleted_on_zoom.clear()
        self.journal.clear()
        self.replayed = 0
        for member, user in zip(self.staff, OWN_USER, strict=True):
            self.connect_staff(member, user)

    def note(self, line: str) -> None:
        self.journal.append(line)

    def changed(self, what: str, response: Any) -> None:
        self.note(f"{what}: {_outcome(response)}")

    # --- bookings -------------------------------------------------------------------------------------------

    def slot(self, service: Service, number: int) -> datetime:
        slots = VIDEO_SLOTS if service == self.video else WORKSHOP_SLOTS
        hour, minute = slots[number % len(slots)]
        return self.monday.replace(hour=hour, minute=minute)

    def booking(self, number: int) -> Booking | None:
        if not self.bookings:
            return None
        pk = self.bookings[number % len(self.bookings)]
        return Booking.objects.select_related("appointment__staff", "customer").get(pk=pk)

    def book(self, service: Service, member: Staff, slot: int, *, pending: bool) -> None:
        number = len(self.bookings) + 1
        if pending:
            self.api.patch(f"/services/{service.pk}", {"initial_status": "pending"})
        response = self.api.post(
            "/bookings",
            {
                "service_id": service.pk,
                "staff_id": member.pk,
                "start": self.slot(service, slot).isoformat(),
                "customer": {"name": f"Customer {number}", "email": f"customer{number}@example.com"},
            },
        )
        if pending:
            self.api.patch(f"/services/{service.pk}", {"initial_status": "confirmed"})
        if response.status_code == 201:
            booking = response.json()
            self.bookings.append(booking["id"])
        self.note(f"book {service.name} with {member.name} slot {slot}: {_outcome(response)}")

    def set_status(self, booking: Booking, status: str) -> None:
        if status in (Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
            # Attendance is recorded once the appointment began: the service takes the clock as an argument.
            try:
                services.set_status(booking, status, now=booking.appointment.start + timedelta(minutes=1))
                outcome = "done"
            except services.BookingError as refused:
                outcome = refused.code
        else:
            outcome = _outcome(self.api.post(f"/bookings/{booking.pk}/status", {"status": status}))
        self.note(f"booking {booking.pk} -> {status}: {outcome}")

    # --- Zoom connections -----------------------------------------------------------------------------------

    def connect_staff(self, member: Staff, user_id: str) -> None:
        state, challenge = states.begin(self.tenant, Mode.STAFF_OAUTH, member)
        self.note(f"{member.name} connects Zoom user {user_id}: {self._consent(state, challenge, user_id)}")

    def connect_tenant_oauth(self) -> None:
        state, challenge = states.begin(self.tenant, Mode.TENANT_OAUTH)
        self.note(f"tenant OAuth by Maria's Zoom user: {self._consent(state, challenge, MARIA)}")

    def connect_tenant_s2s(self) -> None:
        credentials = {
            "account_id": S2S_ACCOUNT_ID,
            "client_id": S2S_CLIENT_ID,
            "client_secret": S2S_CLIENT_SECRET,
        }
        self.note(f"tenant S2S: {_outcome(self.api.put('/integrations/zoom/s2s', credentials))}")

    def _consent(self, state: str, challenge: str, user_id: str) -> str:
        """Consent at the emulator as `user_id`, then finish through the connection writer (no browser at
        Rendez's end: the callback's page is not what this test is about)."""
        callback = parse_qs(
            urlsplit(consent(self.zoom, oauth.authorize_url(state, challenge), user_id)).query
        )
        connect = states.consume(callback["state"][0])
        try:
            authorized = connections.complete_oauth(connect, callback["code"][0])
            # A signed-in person of the tenant confirms: the writer the confirmation page calls.
            place = places.Place(connect.tenant, connect.staff, connect.mode)
            connection = connections.store_authorized(place, authorized)
        except connections.ConnectionRuleError as refused:
            return f"refused ({refused.code})"
        return f"connection {connection.pk}"

    def deauthorize(self, user_id: str) -> None:
        response = httpx2.post(f"{self.zoom.base_url}/portal/users/{user_id}/apps/{CLIENT_ID}/remove")
        self.note(f"Zoom user {user_id} removes the app: {response.status_code}")
        self.deliver_events()

    # --- Zoom's side ----------------------------------------------------------------------------------------

    def delete_on_zoom(self, booking: Booking) -> None:
        """The host deletes the booking's meeting in Zoom's pages, if Zoom tells Rendez about that host."""
        shown = self.api.get(f"/bookings/{booking.pk}").json()["meeting"]
        meeting_id = int(shown["meeting_id"]) if shown and shown["meeting_id"] else 0
        emulator = self.zoom.emulator
        with emulator.lock:
            meeting = emulator.state.meetings.get(meeting_id)
            told = meeting is not None and (CLIENT_ID, meeting.host_id) in emulator.state.grants
        if not told:
            self.note(f"delete meeting of booking {booking.pk} on Zoom: none Zoom would report")
            return
        response = httpx2.post(f"{self.zoom.base_url}/portal/meetings/{meeting_id}/delete")
        self.note(f"delete meeting {meeting_id} of booking {booking.pk} on Zoom: {response.status_code}")
        self.deliver_events()
        self.deleted_on_zoom[booking.appointment_id] = Job.objects.order_by("-pk").values_list(
            "pk", flat=True
        )[0]

    def kill_a_worker(self) -> None:
        """Zoom will lose the next create's response; a worker takes the next job of the default queue
        (meeting syncs), does its work and dies before recording the outcome: the job stays claimed until its
        lease expires."""
        self.zoom.control.set_faults(lose_create_response=1)
        job = claims.claim({"default"}, lease_seconds=600)
        if job is None:
            self.note("kill a worker: nothing to run")
            return
        spec = registry.get_handler(job.kind)
        assert spec is not None
        try:
            with queue.acting_for(job.tenant_id):
                spec.func(job.payload, job)
            outcome = "finished"
        except Exception as exc:  # what it would have recorded, had it lived
            outcome = type(exc).__name__
        self.note(f"worker killed after job {job.pk} {job.kind} {job.payload}: {outcome}")
        self.seen |= set(live_meetings(self.zoom))

    def run_queue(self, name: str) -> None:
        """One kind of worker gets ahead of the other: only this queue's due jobs run (meeting syncs are on
        "default", messages on "notifications")."""
        ran = Worker(queues={name}, listen=False).run_once()
        self.note(f"the {name} queue runs alone: {ran} job(s)")

    def deliver_events(self) -> int:
        """Replay to Rendez every event Zoom delivered since the last call, in order; returns how many."""
        assert self.zoom.control.wait_for_webhooks()
        count = 0
        while self.replayed < len(self.inbox.received):
            response = self.inbox.replay(Client(), self.replayed)
            assert response.status_code in (200, 204), response.content
            self.replayed += 1
            count += 1
        return count

    # --- settling -------------------------------------------------------------------------------------------

    def settle(self) -> None:
        for number in range(SETTLE_ROUNDS):
            heard = self.deliver_events()
            _let_time_pass(waits_over=number >= WAIT_BOUND_AFTER)
            if not run_jobs() and not heard:
                return
        open_jobs = Job.objects.filter(state__in=[Job.State.PENDING, Job.State.RUNNING]).exclude(
            kind=REMINDER
        )
        described = [f"{job.kind} {job.payload} {job.state}: {job.last_error[:200]}" for job in open_jobs]
        raise AssertionError("did not settle:\n" + "\n".join(described + self.journal))

    # --- what is true ---------------------------------------------------------------------------------------

    def look(self) -> Look:
        """Settle, ask START MEETING of every appointment, and gather the rest. A START that finds a
        connection dead changes what Rendez resolves: settle and ask again then."""
        appointments = list(Appointment.objects.filter(tenant=self.tenant).order_by("pk"))
        for _ in range(3):
            self.settle()
            hosts = self._hosts()
            starts = {a.pk: self._start(a.pk) for a in appointments}
            if self._hosts() == hosts:
                break
        look = Look(
            live=live_meetings(self.zoom),
            seen=set(self.seen),
            records={m.appointment_id: m for m in Meeting.objects.filter(tenant=self.tenant)},
            retired=list(RetiredMeeting.objects.filter(tenant=self.tenant)),
            appointments=appointments,
            bookings={
                a.pk: list(Booking.objects.filter(appointment=a).select_related("customer").order_by("pk"))
                for a in appointments
            },
            shown={a.pk: self.api.get(f"/appointments/{a.pk}").json()["meeting"] for a in appointments},
            starts=starts,
            hosts=hosts,
            video_on={
                service.pk: self.api.get("/integrations/zoom/settings").json()["enabled"]
                and self.api.get(f"/services/{service.pk}").json()["zoom_enabled"]
                for service in (self.video, self.workshop)
            },
            staff_email={member.pk: member.email for member in self.staff},
            messages=[read_message(message, self.zoom.base_url) for message in self.mail.messages],
            not_synced_since_deleted_on_zoom={
                appointment_id
                for appointment_id, mark in self.deleted_on_zoom.items()
                if not Job.objects.filter(kind=SYNC_MEETING, key=appointment_key(appointment_id), pk__gt=mark)
            },
        )
        self.seen = set(look.live)
        return look

    def _hosts(self) -> dict[int, Host | None]:
        hosts: dict[int, Host | None] = {}
        for member in self.staff:
            zoom = self.api.get(f"/staff/{member.pk}").json()["zoom"]
            hosts[member.pk] = Host(zoom["zoom_user_id"], zoom["status"]) if zoom else None
        return hosts

    def _start(self, appointment_id: int) -> str:
        """What START MEETING opens: `/s/<meeting id>`, or the refusal's status and code."""
        response = self.api.get(f"/appointments/{appointment_id}/meeting/start")
        if response.status_code == 302:
            return urlsplit(response["Location"]).path
        return _outcome(response)


def _outcome(response: Any) -> str:
    if response.status_code < 300:
        return str(response.status_code)
    try:
        return f"{response.status_code} {response.json()['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)


def _let_time_pass(*, waits_over: bool) -> None:
    """Backoffs end and leases of dead workers expire; after a while, messages waiting for a meeting have
    waited their bound. Reminders stay where they are (they would tell people the newest link and hide what
    the event's own messages said)."""
    now = timezone.now()
    due_soon = Job.objects.filter(
        state=Job.State.PENDING, run_after__gt=now, run_after__lte=now + TIME_PASSES
    )
    due_soon.exclude(kind=REMINDER).update(run_after=now)
    Job.objects.filter(state=Job.State.RUNNING).update(lease_expires_at=now - timedelta(seconds=1))
    if waits_over:
        Delivery.objects.filter(state=Delivery.State.PENDING).update(created_at=F("created_at") - TIME_PASSES)


# --- reading Zoom and the mail ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Live:
    """A meeting as the emulator keeps it, with the join link Zoom gives out for it."""

    id: int
    host_id: str
    join_url: str
    password: str


@dataclass(frozen=True)
class Host:
    zoom_user_id: str
    status: str

    @property
    def usable(self) -> bool:
        return self.status == "connected"


def live_meetings(zoom: RunningEmulator) -> dict[int, Live]:
    emulator = zoom.emulator
    with emulator.lock:
        found = list(emulator.state.meetings.values())
    return {
        meeting.id: Live(
            meeting.id,
            meeting.host_id,
            zoom_meetings.join_url(emulator, meeting, zoom.base_url),
            meeting.password,
        )
        for meeting in found
    }


@dataclass(frozen=True)
class Message:
    """One email received: to whom, about which booking (its invitation's UID), the join links it carries
    (text and invitation alike) and the passcodes it states."""

    to: str
    subject: str
    uid: str
    links: frozenset[str]
    passwords: frozenset[str]


def read_message(message: EmailMessage, zoom_base_url: str) -> Message:
    texts = [plain_text(message)]
    uid = ""
    for part in message.walk():
        if part.get_content_type() != "text/calendar":
            continue
        raw = part.get_payload(decode=True)
        assert isinstance(raw, bytes)
        for event in Calendar.from_ical(raw.decode()).walk("VEVENT"):
            uid = str(event.get("uid", ""))
            texts += [str(event.get("location", "")), str(event.get("description", ""))]
    link = re.compile(re.escape(zoom_base_url) + r"/j/\d+(?:\?pwd=[^\s\"<>]+)?")
    return Message(
        to=str(message["To"]),
        subject=str(message["Subject"]),
        uid=uid,
        links=frozenset(match for text in texts for match in link.findall(text)),
        passwords=frozenset(match for text in texts for match in PASSWORD.findall(text)),
    )


@dataclass
class Look:
    live: dict[int, Live]
    seen: set[int]
    records: dict[int, Meeting]
    retired: list[RetiredMeeting]
    appointments: list[Appointment]
    bookings: dict[int, list[Booking]]
    shown: dict[int, dict[str, Any] | None]
    starts: dict[int, str]
    hosts: dict[int, Host | None]
    video_on: dict[int, bool]
    staff_email: dict[int, str]
    messages: list[Message]
    not_synced_since_deleted_on_zoom: set[int]

    def last_link(self, to: str, uid: str = "") -> Message | None:
        """The last message to `to` (about the booking `uid`, when given) that carried a join link."""
        carrying = [m for m in self.messages if m.to == to and m.links and (not uid or m.uid == uid)]
        return carrying[-1] if carrying else None
