"""Connects two demo staff members' calendars to the mounted calendar emulators (CALENDAR_EMULATORS=1) and
gives those calendars a week: Maria's Google Calendar, Jonas's Microsoft 365 calendar.

Nothing is written to the database directly. Each connect is a consent answered on the emulator's own page,
as the staff member's browser would (PKCE S256, offline access), started and finished by the provider's
`Connector` (rendez/calendars/connecting.py) for the staff member signed in as themself: what "My schedule"
and Rendez's callback run for a new business. The busy events are added as the staff member would add them
in their calendar (the emulators' control API: "the user edits in Google Calendar / Outlook"), and the sync
that reads them is the job every connection runs.

Idempotent: a connection the emulator still knows is kept (both emulators keep their state in var/ across
restarts of `rendez serve`; an emulator that forgot the grant, its file deleted, gets a new consent, as a
person would reconnect), and an
event already on its day is not added again. It runs in `rendez serve` once the server answers (the
emulators are mounted in that process), and from `rendez demo` when a server already answers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx2
from django.conf import settings
from django.db import connections as db_connections
from django.utils import timezone

from rendez.calendars import connecting, syncing
from rendez.calendars.models import CalendarConnection, Provider
from rendez.devserver import demo_zoom, google_mount, microsoft_mount
from rendez.scheduling.models import Staff

logger = logging.getLogger("rendez.devserver")

BERLIN = ZoneInfo("Europe/Berlin")
# Who connects which calendar (the emulators' seeds know both people in both).
PROVIDER_OF = {
    "maria.koch@demo-clinic.example": Provider.GOOGLE,
    "jonas.weber@demo-clinic.example": Provider.MICROSOFT,
}


class DemoCalendarError(Exception):
    """One staff member's calendar could not be prepared; the message says why."""


@dataclass(frozen=True)
class DemoEvent:
    """An event the staff member has in the coming week: on the `nth` working day from tomorrow."""

    summary: str
    nth: int
    start: time | None = None  # None: all day
    minutes: int = 60
    free: bool = False


WEEK = [
    DemoEvent("Team meeting", 0, time(10, 0), 60),
    DemoEvent("Focus time (free)", 0, time(16, 0), 60, free=True),
    DemoEvent("Training day", 2),
]


@dataclass(frozen=True)
class Prepared:
    staff: Staff
    provider: str
    account_email: str
    connected_now: bool
    events_added: int


def prepare_demo_calendars(local_base_url: str) -> list[Prepared]:
    """Connect (where needed) and fill the week of each demo staff member named in PROVIDER_OF, then ask for
    their sync. Failures are logged, one per staff member, and never raised."""
    if not settings.CALENDAR_EMULATORS:
        return []
    done = []
    for member in demo_zoom.demo_staff():
        provider = PROVIDER_OF.get(member.email.lower())
        if provider is None:
            continue
        try:
            done.append(prepare(member, provider, local_base_url))
        except (DemoCalendarError, httpx2.HTTPError, connecting.NotConnected) as exc:
            reason = exc.message if isinstance(exc, connecting.NotConnected) else exc
            label = Provider(provider).label
            logger.warning("Calendars: %s's %s was not prepared: %s", member.name, label, reason)
            continue
        logger.info(
            "Calendars: %s's %s %s (%d events added this week)",
            member.name,
            Provider(provider).label,
            "connected" if done[-1].connected_now else "was connected already",
            done[-1].events_added,
        )
    return done


def prepare(member: Staff, provider: str, local_base_url: str) -> Prepared:
    emulator = _Emulator.of(provider, local_base_url)
    connection = connection_of(member, provider)
    connected_now = False
    if connection is None or not connection.is_usable or not emulator.honours_grant_of(member.email):
        connection = _connect(member, provider, emulator)
        connected_now = True
    added = emulator.add_week(member.email, week_days(timezone.now()))
    # What the next poll would do anyway, now: the booking page shows the week as taken at once.
    syncing.request_sync(connection)
    return Prepared(member, provider, connection.account_email, connected_now, added)


def connection_of(member: Staff, provider: str) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(
        tenant_id=member.tenant_id, staff=member, provider=provider
    ).first()


def usable_email(member: Staff, provider: str) -> str | None:
    """The account of `member`'s usable `provider` connection, or None when there is none."""
    connection = connection_of(member, provider)
    return connection.account_email if connection is not None and connection.is_usable else None


def week_days(now: datetime) -> list[date]:
    """The working days (Monday to Friday) from tomorrow, in the demo's time zone."""
    day, found = now.astimezone(BERLIN).date(), list[date]()
    while len(found) < 5:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found


def _connect(member: Staff, provider: str, emulator: _Emulator) -> CalendarConnection:
    """The connect a staff member starts from "My schedule" and finishes signed in as themself: the
    provider's `Connector`, as Rendez's callback runs it."""
    if member.user is None:
        raise DemoCalendarError("the staff member has no Rendez login to finish the connect with")
    connector = connecting.connector_of(provider)
    if connector is None:
        raise DemoCalendarError(f"no connector is registered for {provider}")
    authorize = connector.authorize_url(member.tenant, member, started_by_id=member.user_id)
    connector.finish(member.user, emulator.consent(authorize, member.email))
    found = connection_of(member, provider)
    if found is None:
        raise DemoCalendarError("the connect finished without a connection")
    return found


class _Emulator:
    """One mounted calendar emulator reached over loopback: its consent page, and its control API for what
    only the emulator can tell (which grants it holds) or do (the user editing their own calendar)."""

    def __init__(self, provider: str, local_base_url: str, mount: str) -> None:
        self.provider, self.local_base_url = provider, local_base_url
        self.control = f"{local_base_url.rstrip('/')}{mount}/_control"

    @classmethod
    def of(cls, provider: str, local_base_url: str) -> _Emulator:
        mount = google_mount.MOUNT_PATH if provider == Provider.GOOGLE else microsoft_mount.MOUNT_PATH
        return cls(provider, local_base_url, mount)

    def _get(self, path: str) -> dict[str, Any]:
        answer = httpx2.get(f"{self.control}{path}", timeout=settings.HTTP_TIMEOUT_SECONDS)
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    def _post(self, path: str, body: dict[str, Any]) -> None:
        answer = httpx2.post(f"{self.control}{path}", json=body, timeout=settings.HTTP_TIMEOUT_SECONDS)
        answer.raise_for_status()

    def _user_id(self, state: dict[str, Any], email: str) -> str:
        for user in state["users"]:
            if str(user.get("email") or user.get("upn") or "").lower() == email.lower():
                return str(user.get("sub") or user.get("id"))
        raise DemoCalendarError(f"the {self.provider} emulator has no user {email}")

    def honours_grant_of(self, email: str) -> bool:
        state = self._get("/state")
        if self.provider == Provider.GOOGLE:
            client, key, who = settings.GOOGLE_CLIENT_ID, "email", email.lower()
        else:
            client, key, who = settings.MICROSOFT_CLIENT_ID, "user_id", self._user_id(state, email)
        return any(
            grant["client_id"] == client and str(grant[key]).lower() == who.lower()
            for grant in state["grants"]
        )

    def consent(self, authorize_url: str, email: str) -> dict[str, str]:
        """Answer the consent page of `authorize_url` as `email`, allowing every scope asked for; returns the
        query the browser is sent back to Rendez with."""
        url = demo_zoom.on_loopback(authorize_url, self.local_base_url)
        asked = parse_qs(urlsplit(url).query).get("scope", [""])[0].split()
        if self.provider == Provider.GOOGLE:
            form: dict[str, Any] = {"account": email, "decision": "allow", "scope": asked}
        else:
            form = {"user_id": self._user_id(self._get("/state"), email), "decision": "allow"}
        with httpx2.Client(timeout=settings.HTTP_TIMEOUT_SECONDS, follow_redirects=False) as browser:
            if browser.get(url).status_code != 200:
                raise DemoCalendarError(f"the {self.provider} consent page did not answer")
            answered = browser.post(url, data=form)
        if answered.status_code != 302:
            raise DemoCalendarError(f"the {self.provider} consent answered {answered.status_code}")
        back = parse_qs(urlsplit(answered.headers["location"]).query)
        return {name: values[0] for name, values in back.items()}

    def add_week(self, email: str, days: list[date]) -> int:
        """Add each of WEEK's events not yet on its day (by its title); returns how many were added."""
        state = self._get("/state")
        user_id = self._user_id(state, email)
        there = {(title, day) for title, day in self._events_of(state, email, user_id)}
        added = 0
        for event in WEEK:
            day = days[event.nth]
            if (event.summary, day) in there:
                continue
            if self.provider == Provider.GOOGLE:
                self._post(f"/calendars/{email}/events", _google_body(event, day))
            else:
                self._post(f"/users/{user_id}/events", _outlook_body(event, day))
            added += 1
        return added

    def _events_of(self, state: dict[str, Any], email: str, user_id: str) -> list[tuple[str, date]]:
        found = []
        for event in state["events"]:
            mine = event.get("calendarId") == email or event.get("owner_id") == user_id
            if mine:
                title = str(event.get("summary") or event.get("subject") or "")
                found.append((title, _day_of(event["start"])))
        return found


def _day_of(start: dict[str, Any]) -> date:
    """The Berlin day an event starts on, from Google's `date` or `dateTime`, or Graph's `dateTime` (UTC)."""
    if start.get("date"):
        return date.fromisoformat(start["date"])
    text = str(start["dateTime"])
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:  # Graph's seven fractional digits
        moment = datetime.fromisoformat(text[:19])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(start.get("timeZone") or "UTC"))
    return moment.astimezone(BERLIN).date()


def _google_body(event: DemoEvent, day: date) -> dict[str, Any]:
    if event.start is None:
        span = {"start": {"date": day.isoformat()}, "end": {"date": (day + timedelta(days=1)).isoformat()}}
    else:
        start = datetime.combine(day, event.start, BERLIN)
        end = start + timedelta(minutes=event.minutes)
        span = {
            "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
        }
    return {"summary": event.summary, **span, **({"transparency": "transparent"} if event.free else {})}


def _outlook_body(event: DemoEvent, day: date) -> dict[str, Any]:
    start = datetime.combine(day, event.start or time(0, 0))
    end = start + (timedelta(days=1) if event.start is None else timedelta(minutes=event.minutes))
    return {
        "subject": event.summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
        "isAllDay": event.start is None,
        "showAs": "free" if event.free else "busy",
    }


# --- from `rendez serve` and `rendez demo` ------------------------------------------------------------------


def start_in_background(
    host: str, port: int, after: threading.Thread | None = None
) -> threading.Thread | None:
    """When the emulators are mounted, prepare the demo calendars once the server answers (and `after` has
    finished). Never raises."""
    if not settings.CALENDAR_EMULATORS:
        return None
    thread = threading.Thread(
        target=_prepare_when_ready,
        args=(demo_zoom.local_base_url(host, port), after),
        name="demo-calendars",
        daemon=True,
    )
    thread.start()
    return thread


def prepare_if_served() -> list[Prepared] | None:
    """From `rendez demo`: when a server already answers at the base URL, prepare now (None when none)."""
    if not settings.CALENDAR_EMULATORS:
        return None
    try:
        # Nothing listening is refused at once; a server's first answer may take seconds (a cold start).
        answer = httpx2.get(f"{settings.BASE_URL}/healthz", timeout=settings.HTTP_TIMEOUT_SECONDS)
        if answer.status_code != 200:
            return None
    except httpx2.HTTPError:
        return None
    return prepare_demo_calendars(settings.BASE_URL)


def _prepare_when_ready(base_url: str, after: threading.Thread | None) -> None:
    try:
        if after is not None:
            after.join(timeout=demo_zoom.READY_TIMEOUT_SECONDS + 30)
        demo_zoom.wait_until_ready(base_url)
        prepare_demo_calendars(base_url)
    except Exception as exc:  # the demo's convenience must never take the server down
        logger.warning("Calendars: the demo calendars were not prepared: %r", exc)
    finally:
        db_connections.close_all()  # this thread's only
