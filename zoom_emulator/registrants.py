"""Meeting registration: registrants, their own join links, their states, Zoom's limits and the events.

What Zoom documents (zoom-api.md, Registrants; the Meeting API spec's registrant paths):
- Registration needs a Licensed host and a generated meeting id; a meeting requires it when its
  `settings.approval_type` is 0 (automatic approval) or 1 (manual). Adding a registrant to a Basic host's
  meeting is 400/200 "Only available for paid users", to a meeting without registration 404/404
  "Registration has not been enabled for this meeting".
- At most 4,999 registrants per meeting (3043 "Meeting has reached maximum attendee capacity.").
- 3 adds of the same registrant to the same meeting per UTC day, 10 status changes of a registrant per UTC
  day; past them a 429 naming the API and the registrant. Adding an address that is already registered
  answers with the same registration (same id, same link) and still counts.
- Events `meeting.registration_created`, `meeting.registration_approved`, `meeting.registration_cancelled`,
  `meeting.registration_denied` go to the apps that see the meeting's events.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from .clock import iso_z, utc_day
from .errors import ZoomError, validation_failed
from .meetings import requires_registration, webhook_view
from .models import Meeting, Registrant, User

if TYPE_CHECKING:
    from .emulator import Emulator

BATCH_MAX = 30
ACTIONS = {"approve": "approved", "cancel": "cancelled", "deny": "denied"}
EVENTS = {
    "approved": "meeting.registration_approved",
    "cancelled": "meeting.registration_cancelled",
    "denied": "meeting.registration_denied",
}
LIST_STATUSES = {"approved": ("approved",), "pending": ("pending",), "denied": ("denied", "cancelled")}
ADD_API = "Add meeting registrant"
BATCH_API = "Perform batch registration"
STATUS_API = "Update registrant's status"


def add(emu: Emulator, meeting: Meeting, body: dict[str, Any], base_url: str) -> dict[str, Any]:
    """`POST /meetings/{id}/registrants`: the 201 body."""
    check_registration(emu, meeting)
    email, first_name, last_name = _person(body)
    auto_approve = body.get("auto_approve")
    if auto_approve is not None and not isinstance(auto_approve, bool):
        raise validation_failed("auto_approve")
    registrant, _ = _register(
        emu, meeting, (email, first_name, last_name), bool(auto_approve), ADD_API, base_url
    )
    return {
        "id": meeting.id,
        "registrant_id": registrant.id,
        "join_url": join_url(meeting, registrant, base_url),
        "participant_pin_code": registrant.participant_pin_code,
        "start_time": iso_z(meeting.start_time) if meeting.start_time is not None else "",
        "topic": meeting.topic,
        "occurrences": [],
    }


def add_batch(emu: Emulator, meeting: Meeting, body: dict[str, Any], base_url: str) -> dict[str, Any]:
    """`POST /meetings/{id}/batch_registrants`: up to 30 at once, scheduled meetings (type 2) only."""
    people = body.get("registrants")
    if not isinstance(people, list) or not people or len(people) > BATCH_MAX:
        raise validation_failed("registrants", f"Registrants must be 1 to {BATCH_MAX} entries.")
    if meeting.type != 2:
        raise ZoomError(
            400,
            303,
            "This API can only be used for scheduled meeting(meeting type: 2). Batch registration is not "
            "supported for other meeting types.",
        )
    check_registration(emu, meeting, batch=True)
    checked = [_person(person if isinstance(person, dict) else {}) for person in people]
    auto_approve = body.get("auto_approve") is True
    answer = []
    for email, first_name, last_name in checked:
        person = (email, first_name, last_name)
        registrant, _ = _register(emu, meeting, person, auto_approve, BATCH_API, base_url)
        answer.append(
            {
                "email": registrant.email,
                "registrant_id": registrant.id,
                "join_url": join_url(meeting, registrant, base_url),
                "participant_pin_code": registrant.participant_pin_code,
            }
        )
    return {"registrants": answer}


def listed(emu: Emulator, meeting: Meeting, status: str) -> list[Registrant]:
    if status not in LIST_STATUSES:
        raise validation_failed("status")
    wanted = LIST_STATUSES[status]
    with emu.lock:
        found = [
            r for r in emu.state.registrants.values() if r.meeting_id == meeting.id and r.status in wanted
        ]
    return sorted(found, key=lambda r: (r.created_at, r.id))


def resource(meeting: Meeting, registrant: Registrant, base_url: str) -> dict[str, Any]:
    """A registrant of `GET /meetings/{id}/registrants[/{registrantId}]`."""
    status = "denied" if registrant.status == "cancelled" else registrant.status
    return {
        "id": registrant.id,
        "email": registrant.email,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        "status": status,
        "create_time": iso_z(registrant.created_at),
        "join_url": join_url(meeting, registrant, base_url),
        "participant_pin_code": registrant.participant_pin_code,
        "address": "",
        "city": "",
        "country": "",
        "zip": "",
        "state": "",
        "phone": "",
        "industry": "",
        "org": "",
        "job_title": "",
        "purchasing_time_frame": "",
        "role_in_purchase_process": "",
        "no_of_employees": "",
        "comments": "",
        "custom_questions": [],
    }


def get(emu: Emulator, meeting: Meeting, registrant_id: str) -> Registrant:
    with emu.lock:
        registrant = emu.state.registrants.get(registrant_id)
    if registrant is None or registrant.meeting_id != meeting.id:
        raise ZoomError(404, 3001, f"Registrant {registrant_id} was not found.")
    return registrant


def change_status(emu: Emulator, meeting: Meeting, body: dict[str, Any], operator: User | None) -> None:
    """`PUT /meetings/{id}/registrants/status`: approve, cancel or deny registrants named by id or email."""
    check_registration(emu, meeting)
    action = body.get("action")
    if action not in ACTIONS:
        raise validation_failed("action")
    named = body.get("registrants")
    if not isinstance(named, list) or not named or not all(isinstance(item, dict) for item in named):
        raise validation_failed("registrants")
    targets = [_named(emu, meeting, item) for item in named]
    new_status = ACTIONS[action]
    changed = []
    with emu.mutation() as state:
        for registrant in targets:
            if registrant.status == new_status:
                continue
            _count(
                state.daily_registrant_status_changes,
                f"{registrant.id}|{utc_day(emu.clock.now())}",
                emu.config.daily_status_changes_per_registrant,
                STATUS_API,
                registrant.email,
            )
            registrant.status = new_status
            changed.append(registrant)
    for registrant in changed:
        _announce(emu, EVENTS[new_status], meeting, registrant, operator, None)


def delete(emu: Emulator, meeting: Meeting, registrant_id: str, operator: User | None) -> None:
    """`DELETE /meetings/{id}/registrants/{registrantId}`: the registration and its link are gone."""
    check_registration(emu, meeting)
    with emu.mutation() as state:
        registrant = state.registrants.get(registrant_id)
        if registrant is None or registrant.meeting_id != meeting.id:
            raise ZoomError(400, 3000, f"Registrant {registrant_id} was not found.")
        del state.registrants[registrant_id]
    if registrant.status != "cancelled":
        _announce(emu, EVENTS["cancelled"], meeting, registrant, operator, None)


def check_registration(emu: Emulator, meeting: Meeting, *, batch: bool = False) -> None:
    host = emu.state.users.get(meeting.host_id)
    if host is not None and host.type != 2:
        raise ZoomError(400, 200, f"Only available for paid users: {host.id}.")
    if not requires_registration(meeting):
        raise ZoomError(404, 404, f"Registration has not been enabled for this meeting: {meeting.id}.")
    if meeting.start_time is not None and meeting.start_time + meeting.duration * 60 < emu.clock.now():
        raise ZoomError(
            400,
            3038,
            "Meeting is over, you can not register now. If you have any questions, please contact the "
            "Meeting host.",
        )


def by_token(emu: Emulator, meeting: Meeting, token: str) -> Registrant | None:
    with emu.lock:
        return next(
            (r for r in emu.state.registrants.values() if r.meeting_id == meeting.id and r.token == token),
            None,
        )


def join_url(meeting: Meeting, registrant: Registrant, base_url: str) -> str:
    """The registrant's own link: `/w/{id}?tk=…`, with the passcode embedded like the meeting's link."""
    url = f"{base_url}/w/{meeting.id}?tk={registrant.token}"
    if meeting.encrypted_password:
        url += f"&pwd={meeting.encrypted_password}"
    return url


# --- internals ----------------------------------------------------------------------------------------------


def _person(body: dict[str, Any]) -> tuple[str, str, str]:
    email, first_name = body.get("email"), body.get("first_name")
    last_name = body.get("last_name", "")
    if not isinstance(email, str) or "@" not in email or len(email) > 128:
        raise validation_failed("email")
    if not isinstance(first_name, str) or not first_name.strip() or len(first_name) > 64:
        raise validation_failed("first_name")
    if not isinstance(last_name, str) or len(last_name) > 64:
        raise validation_failed("last_name")
    return email.strip(), first_name.strip(), last_name.strip()


def _register(
    emu: Emulator,
    meeting: Meeting,
    person: tuple[str, str, str],
    auto_approve: bool,
    api: str,
    base_url: str,
) -> tuple[Registrant, bool]:
    """The registration of the person's address (a new one, or the one it already has); whether it is new."""
    email, first_name, last_name = person
    now = emu.clock.now()
    with emu.mutation() as state:
        _count(
            state.daily_registrant_adds,
            f"{meeting.id}|{email.lower()}|{utc_day(now)}",
            emu.config.daily_adds_per_registrant,
            api,
            email,
        )
        existing = next(
            (
                r
                for r in state.registrants.values()
                if r.meeting_id == meeting.id and r.email.lower() == email.lower()
            ),
            None,
        )
        approve = auto_approve or meeting.settings.get("approval_type") == 0
        if existing is not None:
            if existing.status in ("cancelled", "denied") and approve:
                existing.status = "approved"
            return existing, False
        held = sum(1 for r in state.registrants.values() if r.meeting_id == meeting.id)
        if held >= emu.config.registrants_per_meeting:
            raise ZoomError(400, 3043, "Meeting has reached maximum attendee capacity.")
        registrant = Registrant(
            id=secrets.token_urlsafe(16)[:22],
            meeting_id=meeting.id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            status="approved" if approve else "pending",
            token=secrets.token_urlsafe(32),
            created_at=now,
            participant_pin_code=100_000 + secrets.randbelow(900_000),
        )
        state.registrants[registrant.id] = registrant
    host = emu.state.users.get(meeting.host_id)
    _announce(emu, "meeting.registration_created", meeting, registrant, host, base_url)
    return registrant, True


def _count(counters: dict[str, int], key: str, limit: int, api: str, who: str) -> None:
    used = counters.get(key, 0)
    if used >= limit:
        raise ZoomError(
            429,
            429,
            f'You have exceeded the daily rate limit of "{limit}" for {api} API requests for the registrant '
            f'"{who}". You can resume these API requests at GMT 00:00:00.',
        )
    counters[key] = used + 1


def _named(emu: Emulator, meeting: Meeting, item: dict[str, Any]) -> Registrant:
    registrant_id, email = item.get("id"), item.get("email")
    with emu.lock:
        for registrant in emu.state.registrants.values():
            if registrant.meeting_id != meeting.id:
                continue
            if registrant_id and registrant.id == registrant_id:
                return registrant
            if not registrant_id and isinstance(email, str) and registrant.email.lower() == email.lower():
                return registrant
    raise ZoomError(404, 3001, "Meeting or registrant not found.")


def _announce(
    emu: Emulator,
    event: str,
    meeting: Meeting,
    registrant: Registrant,
    operator: User | None,
    base_url: str | None,
) -> None:
    host = emu.state.users.get(meeting.host_id)
    actor = operator or host
    person: dict[str, Any] = {
        "id": registrant.id,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        "email": registrant.email,
    }
    if event == "meeting.registration_created":
        person["status"] = registrant.status
        person["create_time"] = iso_z(registrant.created_at)
        if base_url:
            person["join_url"] = join_url(meeting, registrant, base_url)
    emu.emit(
        event,
        meeting.account_id,
        host,
        {
            "operator": actor.email if actor else "",
            "operator_id": actor.id if actor else "",
            "object": {**webhook_view(meeting), "registrant": person},
        },
    )
