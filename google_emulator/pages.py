"""A few HTML pages a person can click during the demo: who is here, what is in their calendar (so one can see
Rendez's appointments arrive, with their Meet or Zoom links), and "remove access" as in the Google Account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import events
from .models import Event

if TYPE_CHECKING:
    from .app import EmulatorApp

STYLE = (
    "body{font-family:sans-serif;max-width:56rem;margin:2rem auto}td,th{padding:.2rem .6rem;text-align:left}"
)


def _page(title: str, body: str) -> Response:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><p><strong>Google emulator</strong> — not Google.</p>"
        f"{body}</body></html>"
    )
    return Response(html, 200, content_type="text/html; charset=utf-8")


def home(app: EmulatorApp, request: Request) -> Response:
    root = request.script_root
    with app.emu.lock:
        rows = "".join(
            f'<li><a href="{root}/calendar/u/{escape(user.email)}">{escape(user.name)}</a> '
            f"&lt;{escape(user.email)}&gt;</li>"
            for user in app.emu.state.users.values()
        )
    return _page("Google emulator", f"<h1>Accounts</h1><ul>{rows}</ul>")


def calendar(app: EmulatorApp, request: Request, email: str) -> Response:
    root = request.script_root
    now = app.emu.clock.now()
    with app.emu.lock:
        state = app.emu.state
        user = state.user_by_email(email)
        if user is None:
            raise NotFound()
        cal = state.calendars[user.email]
        zone = ZoneInfo(cal.time_zone)
        start = datetime.fromtimestamp(now, UTC) - timedelta(days=1)
        end = start + timedelta(days=30)
        rows = []
        for event in state.events.values():
            if event.calendar_id != cal.id or event.status == "cancelled":
                continue
            for item in events.items_of(event, cal, True, now):
                if item.end > start and item.start < end:
                    rows.append((item.start, event))
        rows.sort(key=lambda row: (row[0], row[1].id))
        table = "".join(
            f"<tr><td>{at.astimezone(zone):%a %d %b %H:%M}</td>"
            f"<td>{escape(event.body.get('summary', ''))}</td>"
            f"<td>{escape(event.body.get('transparency', 'opaque'))}</td>"
            f"<td>{escape(event.body.get('hangoutLink', ''))}</td>"
            f"<td>{escape(', '.join(f'{k}={v}' for k, v in _private(event).items()))}</td></tr>"
            for at, event in rows
        )
        apps = "".join(
            f"<li>{escape(state.clients[g.client_id].name)} ({escape(g.client_id)}) "
            f'<form method="post" style="display:inline" '
            f'action="{root}/account/{escape(user.email)}/apps/{escape(g.client_id)}/remove">'
            f'<button data-testid="remove-{escape(g.client_id)}">Remove access</button></form></li>'
            for g in state.grants.values()
            if g.sub == user.sub
        )
    body = (
        f'<h1>{escape(user.name)}\'s calendar</h1><p><a href="{root}/">All accounts</a></p>'
        "<table><tr><th>Start</th><th>Summary</th><th>Shows as</th><th>Meet</th>"
        "<th>Private properties</th></tr>"
        f"{table}</table><h2>Third-party apps with account access</h2><ul>{apps or '<li>None</li>'}</ul>"
    )
    return _page(f"{user.name} — Calendar", body)


def _private(event: Event) -> dict[str, str]:
    props: dict[str, str] = event.body.get("extendedProperties", {}).get("private", {})
    return props


def remove_app(app: EmulatorApp, request: Request, email: str, client_id: str) -> Response:
    try:
        app.emu.revoke_grant(email, client_id)
    except KeyError:
        raise NotFound() from None
    return redirect(f"{request.script_root}/calendar/u/{email}", 303)  # type: ignore[return-value]
