"""HTTP side of OAuth: the consent page (account chooser, granular scope boxes), token, revoke, userinfo."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import oauth
from .api_auth import USERINFO_SCOPES, authenticate
from .errors import OAuthError, json_response

if TYPE_CHECKING:
    from .app import EmulatorApp

SCOPE_LABELS = {
    "https://www.googleapis.com/auth/calendar": (
        "See, edit, share, and permanently delete all the calendars you can access"
    ),
    "https://www.googleapis.com/auth/calendar.readonly": "See and download any calendar you can access",
    "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
    "https://www.googleapis.com/auth/calendar.events.readonly": "View events on all your calendars",
    "https://www.googleapis.com/auth/calendar.freebusy": "View your availability in your calendars",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly": (
        "See the list of Google calendars you're subscribed to"
    ),
}


def authorize(app: EmulatorApp, request: Request) -> Response:
    args = request.args.to_dict()
    try:
        if request.method == "GET":
            with app.emu.lock:
                client, scopes = oauth.check_authorize_request(app.emu.state, args)
                users = [(u.email, u.name) for u in app.emu.state.users.values()]
            return _consent_page(request, client.name, scopes, users)
        if request.form.get("decision") == "allow":
            location = oauth.approve(
                app.emu, args, request.form.get("account", ""), request.form.getlist("scope")
            )
        else:
            location = oauth.deny(app.emu, args)
    except oauth.AuthorizeRequestError as error:
        return _error_page(error)
    return redirect(location, 302)  # type: ignore[return-value]


def _consent_page(
    request: Request, app_name: str, scopes: list[str], users: list[tuple[str, str]]
) -> Response:
    accounts = "".join(
        f'<label><input type="radio" name="account" value="{escape(email)}"'
        f' data-testid="account-{escape(email)}"'
        f"{' checked' if index == 0 else ''}> {escape(name)} &lt;{escape(email)}&gt;</label><br>"
        for index, (email, name) in enumerate(users)
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="scope" value="{escape(scope)}" checked'
        f' data-testid="scope-{escape(scope)}">'
        f" {escape(SCOPE_LABELS.get(scope, scope))}</label><br>"
        for scope in scopes
        if scope not in oauth.SIGN_IN_SCOPES and "userinfo." not in scope
    )
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in - Google Accounts (emulator)</title>
<style>body{{font-family:sans-serif;max-width:36rem;margin:3rem auto}}</style></head><body>
<p><strong>Google emulator</strong> — not Google. Nothing leaves this machine.</p>
<h1>Choose an account to continue to {escape(app_name)}</h1>
<form method="post" action="{escape(request.script_root + request.full_path)}">{accounts}
<h2>{escape(app_name)} wants access to your Google Account</h2>
<p>Select what {escape(app_name)} can access:</p>{boxes}
<p><button name="decision" value="deny" data-testid="deny">Cancel</button>
<button name="decision" value="allow" data-testid="allow">Continue</button></p></form></body></html>"""
    return Response(html, 200, content_type="text/html; charset=utf-8")


def _error_page(error: oauth.AuthorizeRequestError) -> Response:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body>'
        f"<h1>Access blocked: authorization error</h1><p>Error {escape(error.error)}</p>"
        f"<p>{escape(error.detail)}</p></body></html>"
    )
    return Response(html, 400, content_type="text/html; charset=utf-8")


def token(app: EmulatorApp, request: Request) -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        params = request.get_json(silent=True) or {}
    else:
        params = request.form.to_dict()
    answer = oauth.token_grant(
        app.emu,
        {str(k): str(v) for k, v in params.items()},
        request.headers.get("Authorization"),
        app.base_url(request),
    )
    return json_response(answer, headers={"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"})


def revoke(app: EmulatorApp, request: Request) -> Response:
    value = request.form.get("token") or request.args.get("token")
    if not value:
        raise OAuthError("invalid_request", "Bad Request")
    oauth.revoke(app.emu, value)
    return json_response({})


def userinfo(app: EmulatorApp, request: Request) -> Response:
    token, user = authenticate(app.emu, request, USERINFO_SCOPES)
    return json_response(oauth.userinfo(user, token.scopes))
