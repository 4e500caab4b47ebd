"""What the Microsoft tests share besides fixtures: the emulator's people, a grant answered on its consent
page over HTTP as a browser would (PKCE S256), Outlook changes, running the worker."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx2

import microsoft_emulator
from microsoft_emulator.testing import RunningEmulator
from rendez.calendars import syncing
from rendez.calendars.models import CalendarConnection
from rendez.integrations.microsoft import oauth
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import TokenGrant

CLIENT_ID = "5f0c7a8e-3d2b-4c1a-9e8f-0a1b2c3d4e5f"
CLIENT_SECRET = "rendez-demo-microsoft-secret"
BASE_URL = "http://testserver"
MARIA_ID = "a1f0c3d2-1111-4a5b-8c9d-000000000001"
MARIA = "maria.koch@demo-clinic.example"
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def point_rendez_at(settings: Any, running: RunningEmulator, base_url: str = BASE_URL) -> None:
    """Rendez's Microsoft settings at the running emulator, which sends browsers back to `base_url`."""
    settings.MICROSOFT_CLIENT_ID = CLIENT_ID
    settings.MICROSOFT_CLIENT_SECRET = CLIENT_SECRET
    settings.MICROSOFT_LOGIN_BASE_URL = running.login_base_url
    settings.MICROSOFT_GRAPH_BASE_URL = running.graph_base_url
    settings.MICROSOFT_NOTIFICATIONS_OVER_HTTP = False
    settings.BASE_URL = base_url
    running.control.add_redirect_uri(CLIENT_ID, f"{base_url}/integrations/microsoft/callback")


def quiet_seed() -> dict[str, Any]:
    """The emulator's default seed without its events: each test places the ones it needs."""
    seed = json.loads((Path(microsoft_emulator.__file__).parent / "seeds" / "default.json").read_text())
    for tenant in seed["tenants"]:
        for user in tenant["users"]:
            user["events"] = []
    return dict(seed)


def consent(authorize_url: str, user_id: str = MARIA_ID, decision: str = "allow") -> str:
    """Answer the emulator's consent page as `user_id` (as a browser would); the address Microsoft sends the
    browser back to, with `code` (or `error`) and `state` in its query."""
    authorize = urlsplit(authorize_url)
    with httpx2.Client(timeout=10.0) as browser:
        answered = browser.post(
            f"{authorize.scheme}://{authorize.netloc}{authorize.path}",
            params={key: values[0] for key, values in parse_qs(authorize.query).items()},
            data={"user_id": user_id, "decision": decision},
        )
    assert answered.status_code == 302, answered.text
    return str(answered.headers["location"])


def grant_from_consent(ms: RunningEmulator, user_id: str = MARIA_ID) -> TokenGrant:
    """Answer the consent page as `user_id` and exchange the code through the OAuth kit."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    back = consent(grants.authorize_url(oauth.provider(), secrets.token_urlsafe(16), challenge), user_id)
    code = parse_qs(urlsplit(back).query)["code"][0]
    return oauth.exchange_code(code, verifier)


def run_jobs() -> int:
    from rendez.jobs.worker import Worker

    return Worker(listen=False).run_once()


def settle() -> None:
    for _ in range(8):
        if not run_jobs():
            return


def sync_now(connection: CalendarConnection) -> None:
    """What a notification or the next poll does: ask for the sync now, and let the worker run it."""
    syncing.request_sync(connection)
    settle()


def outlook_event(
    ms: RunningEmulator, start: datetime, end: datetime, subject: str = "Dentist", **fields: Any
) -> dict[str, Any]:
    """Maria adds an event in Outlook (the control API: Graph's request log does not see it)."""
    body = {
        "subject": subject,
        "start": {
            "dateTime": start.astimezone(BERLIN).replace(tzinfo=None).isoformat(),
            "timeZone": "Europe/Berlin",
        },
        "end": {
            "dateTime": end.astimezone(BERLIN).replace(tzinfo=None).isoformat(),
            "timeZone": "Europe/Berlin",
        },
        **fields,
    }
    return ms.control.outlook_create(MARIA_ID, body)


def delta_calls(ms: RunningEmulator) -> list[dict[str, Any]]:
    return [entry for entry in ms.control.requests("GET") if entry["path"].endswith("/calendarView/delta")]
