"""Pages a person looks at: consent, the account portal, and the join/start pages behind meeting links."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import meetings, oauth, registrants
from .clock import iso_z
from .layout import page, post_button
from .meetings import requires_registration
from .models import Meeting, OAuthApp, meeting_number

if TYPE_CHECKING:
    from .app import EmulatorApp


def _html(app: EmulatorApp, request: Request, title: str, body: str, status: int = 200) -> Response:
    return Response(
        page(title, body, app.base_url(request) + "/"), status, content_type="text/html; charset=utf-8"
    )


def consent(app: EmulatorApp, request: Request, client: OAuthApp, args: dict[str, str]) -> Response:
    with app.emu.lock:
        accounts = list(app.emu.state.accounts.values())
        groups = [(account, app.emu.state.users_of(account.id)) for account in accounts]
    choices = []
    for account, users in groups:
        choices.append(f"<h3>{escape(account.name)} <span class='muted'>({escape(account.plan)})</span></h3>")
        for user in users:
            choices.append(
                f"<label class='user'><input type='radio' name='user_id' value='{escape(user.id)}' required> "
                f"{escape(user.display_name)} <span class='muted'>&lt;{escape(user.email)}&gt; · "
                f"{escape(user.role)}"
                "</span></label>"
            )
    scopes = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in client.scopes)
    action = f"{app.base_url(request)}/oauth/authorize?{urlencode(args)}"
    body = (
        f"<p><strong>{escape(client.name)}</strong> would like to access your Zoom account.</p>"
        f"<p class='muted'>Requested scopes:</p><ul>{scopes}</ul>"
        f"<form method='post' action='{escape(action)}'><p>Sign in as:</p>{''.join(choices)}"
        "<p><button type='submit' name='decision' value='allow'>Allow</button> "
        "<button type='submit' name='decision' value='deny' class='secondary' formnovalidate>"
        "Deny</button></p>"
        "</form>"
    )
    return _html(app, request, f"Authorize {client.name}", body)


def authorize_error(app: EmulatorApp, request: Request, message: str) -> Response:
    return _html(app, request, "Authorization failed", f"<p class='error'>{escape(message)}</p>", 400)


def home(app: EmulatorApp, request: Request) -> Response:
    base = app.base_url(request)
    with app.emu.lock:
        accounts = list(app.emu.state.accounts.values())
    rows = "".join(
        f"<tr><td><a href='{base}/portal/accounts/{escape(a.id)}'>{escape(a.name)}</a></td>"
        f"<td>{escape(a.plan)}</td><td><code>{escape(a.id)}</code></td></tr>"
        for a in accounts
    )
    body = f"<table><tr><th>Account</th><th>Plan</th><th>Account id</th></tr>{rows}</table>"
    return _html(app, request, "Accounts", body)


def account(app: EmulatorApp, request: Request, account_id: str) -> Response:
    base = app.base_url(request)
    with app.emu.lock:
        found = app.emu.state.accounts.get(account_id)
        users = app.emu.state.users_of(account_id) if found else []
    if found is None:
        return _html(app, request, "Not found", "<p>No such account.</p>", 404)
    sections = [f"<p class='muted'>Plan: {escape(found.plan)} · id <code>{escape(found.id)}</code></p>"]
    for user in users:
        sections.append(_user_section(app, base, user.id))
    return _html(app, request, found.name, "".join(sections))


def _user_section(app: EmulatorApp, base: str, user_id: str) -> str:
    user = app.emu.state.users[user_id]
    rows = []
    for meeting in app.emu.meetings_of(user.id):
        start = iso_z(meeting.start_time) if meeting.start_time is not None else "—"
        delete = post_button(
            f"{base}/portal/meetings/{meeting.id}/delete", "Delete", "danger", f"delete-{meeting.id}"
        )
        rows.append(
            f"<tr><td>{meeting.id}</td><td>{escape(meeting.topic)}</td><td>{start}</td>"
            f"<td>{meeting.duration} min</td><td>{delete}</td></tr>"
        )
    table = (
        "<table><tr><th>Meeting id</th><th>Topic</th><th>Start (UTC)</th><th>Duration</th><th></th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p class='muted'>No meetings.</p>"
    )
    apps = "".join(
        f"<li>{escape(installed.name)} "
        + post_button(
            f"{base}/portal/users/{user.id}/apps/{installed.client_id}/remove",
            "Remove app",
            "danger",
            f"remove-{installed.client_id}",
        )
        + "</li>"
        for installed in oauth.installed_apps(app.emu, user.id)
    )
    return (
        f"<h2>{escape(user.display_name)} <span class='muted'>&lt;{escape(user.email)}&gt; · "
        f"{escape(user.role)} · "
        f"id <code>{escape(user.id)}</code></span></h2>{table}"
        f"<p class='muted'>Installed apps:</p><ul>{apps or '<li class=muted>None</li>'}</ul>"
    )


def delete_meeting(app: EmulatorApp, request: Request, meeting_id: int) -> Response:
    with app.emu.lock:
        meeting = app.emu.state.meetings.get(meeting_id)
    if meeting is None:
        return _html(app, request, "Not found", "<p>That meeting no longer exists.</p>", 404)
    meetings.delete_meeting(app.emu, meeting_id, operator=None)
    return redirect(f"{app.base_url(request)}/portal/accounts/{meeting.account_id}", 303)  # type: ignore[return-value]


def remove_app(app: EmulatorApp, request: Request, user_id: str, client_id: str) -> Response:
    try:
        oauth.deauthorize(app.emu, client_id, user_id)
    except (ValueError, KeyError):
        return _html(app, request, "Not installed", "<p>That app is not installed for this user.</p>", 404)
    account_id = app.emu.state.users[user_id].account_id
    return redirect(f"{app.base_url(request)}/portal/accounts/{account_id}", 303)  # type: ignore[return-value]


def join(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    with app.emu.lock:
        meeting = app.emu.state.meetings.get(meeting_number(meeting_id) or 0)
    if meeting is None:
        return _html(app, request, "Meeting not found", "<p>This meeting ID is not valid.</p>", 404)
    refusal = _registration_refusal(app, meeting, request.values.get("tk", ""))
    if refusal is not None:
        return _html(app, request, "Registration required", f"<p class='error'>{refusal}</p>", 403)
    pwd = request.values.get("pwd", "")
    passcode = request.form.get("passcode", "")
    unlocked = not meeting.password or pwd == meeting.encrypted_password or passcode == meeting.password
    name = request.form.get("name", "").strip()
    if request.method == "POST" and unlocked and name:
        body = (
            f"<p class='notice' data-testid='joined'>You joined meeting <strong>{meeting.id}</strong> "
            f"“{escape(meeting.topic)}” as <strong>{escape(name)}</strong> (participant).</p>"
        )
        return _html(app, request, "Joined meeting", body)
    error = "<p class='error'>Wrong passcode.</p>" if request.method == "POST" and not unlocked else ""
    passcode_field = "" if unlocked else "<p><label>Passcode <input name='passcode' required></label></p>"
    carried = {key: request.values[key] for key in ("tk", "pwd") if request.values.get(key)}
    action = f"{app.base_url(request)}/j/{meeting.id}" + (f"?{urlencode(carried)}" if carried else "")
    body = (
        f"{error}<p>Meeting <strong>{meeting.id}</strong> “{escape(meeting.topic)}”</p>"
        f"<form method='post' action='{escape(action)}'>"
        f"<p><label>Your name <input name='name' required></label></p>{passcode_field}"
        "<button type='submit'>Join</button></form>"
    )
    return _html(app, request, "Join meeting", body)


def _registration_refusal(app: EmulatorApp, meeting: Meeting, token: str) -> str | None:
    """Why a meeting that requires registration does not let this link in (None: it does)."""
    if not requires_registration(meeting):
        return None
    registrant = registrants.by_token(app.emu, meeting, token) if token else None
    if registrant is None:
        return "This meeting requires registration: use the link you received when you registered."
    if registrant.status != "approved":
        return f"Your registration for this meeting is {registrant.status}."
    return None


def start(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    with app.emu.lock:
        token = app.emu.state.start_tokens.get(request.args.get("zak", ""))
        meeting = app.emu.state.meetings.get(meeting_number(meeting_id) or 0)
        host = app.emu.state.users.get(token.user_id) if token else None
    if meeting is None:
        return _html(app, request, "Meeting not found", "<p>This meeting ID is not valid.</p>", 404)
    if token is None or host is None or token.meeting_id != meeting.id:
        return _html(app, request, "Invalid link", "<p class='error'>This start link is not valid.</p>", 403)
    if token.expires_at <= app.emu.clock.now():
        body = (
            "<p class='error' data-testid='expired'>This start link has expired. Ask the app for another.</p>"
        )
        return _html(app, request, "Link expired", body, 403)
    body = (
        f"<p class='notice' data-testid='started'>Meeting <strong>{meeting.id}</strong> "
        f"“{escape(meeting.topic)}” "
        f"started as host <strong>{escape(host.display_name)}</strong> &lt;{escape(host.email)}&gt;.</p>"
    )
    return _html(app, request, "Meeting started", body)
