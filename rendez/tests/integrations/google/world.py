"""What the Google tests share besides fixtures: the emulator's people, a grant answered on its consent page
over HTTP as a browser would, and running the worker."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import date, datetime, time
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx2

from google_emulator.testing import RunningEmulator
from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection
from rendez.integrations.google import connections, tokens

CLIENT_ID = "rendez-demo.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-rendez-demo-secret"
BASE_URL = "http://testserver"
REDIRECT_URI = f"{BASE_URL}/integrations/google/callback"
MARIA = "maria.koch@demo-clinic.example"
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def quiet_seed() -> dict[str, Any]:
    """The emulator's default seed without its events: each test places the ones it needs."""
    import json
    from pathlib import Path

    import google_emulator

    seed = json.loads((Path(google_emulator.__file__).parent / "seeds" / "default.json").read_text())
    seed["events"] = []
    return seed


def grant_from_consent(google: RunningEmulator, email: str = MARIA) -> tokens.Grant:
    """Answer Google's consent page as `email` (PKCE S256, offline access) and exchange the code."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": connections.SCOPES,
        "access_type": "offline",
        "include_granted_scopes": "true",
        "state": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    calendar_scopes = [scope for scope in connections.SCOPES.split() if scope.startswith("https://")]
    with httpx2.Client(timeout=10.0) as browser:
        answered = browser.post(
            f"{google.oauth_base_url}/o/oauth2/v2/auth",
            params=params,
            data={"account": email, "decision": "allow", "scope": calendar_scopes},
        )
    assert answered.status_code == 302, answered.text
    code = parse_qs(urlsplit(answered.headers["location"]).query)["code"][0]
    return tokens.exchange_code(code, verifier)


def run_jobs() -> int:
    """Run every due job through the real worker, in this thread; returns how many ran."""
    from rendez.jobs.worker import Worker

    return Worker(listen=False).run_once()


def settle() -> None:
    for _ in range(8):
        if not run_jobs():
            return


def sync_now(connection: CalendarConnection) -> None:
    """What a push notification or the next poll does: ask for the sync now, and let the worker run it."""
    syncing.request_sync(connection)
    settle()


def user_event(
    google: RunningEmulator, start: datetime, end: datetime, summary: str = "Dentist", **fields: Any
) -> dict[str, Any]:
    body = {
        "summary": summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
        **fields,
    }
    return google.control.user_creates_event(MARIA, body)


def event_lists(google: RunningEmulator) -> list[dict[str, Any]]:
    return google.control.requests("GET", f"/calendar/v3/calendars/{MARIA}/events")


CALENDAR_SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
]


def consent(
    google: RunningEmulator, authorize_url: str, scopes: list[str] = CALENDAR_SCOPES, decision: str = "allow"
) -> str:
    """Answer the emulator's consent page as Maria; the path and query Google sends the browser back to."""
    query = urlsplit(authorize_url).query
    with httpx2.Client(timeout=10.0) as browser:
        answered = browser.post(
            f"{google.oauth_base_url}/o/oauth2/v2/auth?{query}",
            data={"account": MARIA, "decision": decision, "scope": scopes},
        )
    assert answered.status_code == 302, answered.text
    location = urlsplit(answered.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return f"{location.path}?{location.query}"
