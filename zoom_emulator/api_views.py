"""The `/v2` REST endpoints Rendez uses: users, user settings, meetings and their registrants."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import meetings, registrants
from .api_auth import (
    ADD_REGISTRANT,
    BATCH_REGISTRANTS,
    CREATE_MEETING,
    DELETE_MEETING,
    DELETE_REGISTRANT,
    LIST_MEETINGS,
    LIST_REGISTRANTS,
    LIST_USERS,
    READ_MEETING,
    READ_REGISTRANT,
    READ_SETTINGS,
    READ_USER,
    UPDATE_MEETING,
    UPDATE_REGISTRANT_STATUS,
    Caller,
    authenticate,
    require_scope,
    resolve_meeting,
    resolve_user,
)
from .errors import ZoomError, json_response
from .meeting_rules import MAX_JSON_DEPTH, NOT_A_JSON_OBJECT, check_body, json_depth
from .models import Meeting
from .pagination import page_size_from
from .ratelimit import HEAVY, LIGHT, MEDIUM
from .user_settings import filter_fields, meeting_security, settings_for, user_list_entry, user_resource

if TYPE_CHECKING:
    from .app import EmulatorApp


def _begin(app: EmulatorApp, request: Request, category: str) -> tuple[Caller, dict[str, str]]:
    """Authenticate and count the request against the account's per-second limit of its category."""
    caller = authenticate(app.emu, request)
    headers: dict[str, str] = {"X-RateLimit-Category": category}
    if app.emu.config.enforce_rate_limits:
        headers = app.emu.rate_limiter.hit(
            caller.account.id, caller.account.plan, category, app.emu.clock.now()
        )
    return caller, headers


def _json_body(request: Request) -> dict[str, Any]:
    """The JSON object a create/update sends; anything else is Zoom's 300 "…valid JSON object." error.

    That includes a body sent without `Content-Type: application/json` (e.g. a form post, or JSON labelled
    `text/plain`): Zoom reads request bodies as JSON only (zoom-api.md 3: "Content-Type for bodies:
    application/json").
    """
    if request.mimetype != "application/json":
        raise NOT_A_JSON_OBJECT
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        raise NOT_A_JSON_OBJECT from None
    if json_depth(body) > MAX_JSON_DEPTH:
        raise NOT_A_JSON_OBJECT
    return check_body(body)


def _refuse_occurrence_id(request: Request, meeting: Meeting) -> None:
    """`occurrence_id` only means something for recurring meetings (types 3 and 8)."""
    if request.args.get("occurrence_id") and meeting.type not in (3, 8):
        raise ZoomError(400, 3000, "Invalid occurrence_id.")


def list_users(app: EmulatorApp, request: Request) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    require_scope(caller, LIST_USERS)
    status = request.args.get("status", "active")
    page_size = page_size_from(request.args.get("page_size"), 30, 2000)
    with app.emu.lock:
        users = [u for u in app.emu.state.users_of(caller.account.id) if u.status == status]
    query_key = f"users|{caller.account.id}|{status}|{page_size}"
    page, next_token = app.page_tokens.page(
        users,
        query_key,
        request.args.get("next_page_token"),
        page_size,
        app.emu.clock.now(),
        app.emu.config.page_token_ttl,
    )
    body = {
        "page_count": max(1, -(-len(users) // page_size)),
        "page_number": 1,
        "page_size": page_size,
        "total_records": len(users),
        "next_page_token": next_token,
        "users": [user_list_entry(user) for user in page],
    }
    return json_response(body, 200, headers)


def get_user(app: EmulatorApp, request: Request, user_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    user = resolve_user(app.emu, caller, user_id, READ_USER)
    account = app.emu.state.accounts[user.account_id]
    return json_response(user_resource(user, account, app.base_url(request)), 200, headers)


def get_settings(app: EmulatorApp, request: Request, user_id: str) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    user = resolve_user(app.emu, caller, user_id, READ_SETTINGS)
    account = app.emu.state.accounts[user.account_id]
    option = request.args.get("option")
    if option == "meeting_security":
        return json_response(meeting_security(user, account), 200, headers)
    if option not in (None, ""):
        raise ZoomError(400, 300, "Validation Failed.", [{"field": "option", "message": "Invalid field."}])
    settings = settings_for(user, account)
    fields = request.args.get("custom_query_fields")
    if fields:
        settings = filter_fields(settings, fields.split(","))
    return json_response(settings, 200, headers)


def create_meeting(app: EmulatorApp, request: Request, user_id: str) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    host = resolve_user(app.emu, caller, user_id, CREATE_MEETING)
    body = _json_body(request)
    remaining = meetings.count_host_write(app.emu, host, headers)
    meeting = meetings.create_meeting(app.emu, host, body)
    base_url = app.base_url(request)
    meetings.announce_created(app.emu, meeting, caller.user, base_url)
    resource = meetings.meeting_resource(app.emu, meeting, base_url)
    if app.emu.faults.take("lose_create_response"):
        from .app import DropConnection

        # The meeting exists and its webhook is on its way; only the client never hears about it.
        raise DropConnection()
    headers.update({"X-RateLimit-Limit": str(app.emu.config.daily_meeting_writes_per_host)})
    headers["X-RateLimit-Remaining"] = str(remaining)
    return json_response(resource, 201, headers)


def get_meeting(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, READ_MEETING)
    _refuse_occurrence_id(request, meeting)
    return json_response(meetings.meeting_resource(app.emu, meeting, app.base_url(request)), 200, headers)


def update_meeting(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, UPDATE_MEETING)
    _refuse_occurrence_id(request, meeting)
    body = _json_body(request)
    host = app.emu.state.users[meeting.host_id]
    remaining = meetings.count_host_write(app.emu, host, headers)
    meetings.update_meeting(app.emu, meeting.id, body, caller.user)
    headers.update({"X-RateLimit-Limit": str(app.emu.config.daily_meeting_writes_per_host)})
    headers["X-RateLimit-Remaining"] = str(remaining)
    return Response(status=204, headers=headers)


def delete_meeting(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, DELETE_MEETING)
    _refuse_occurrence_id(request, meeting)
    meetings.delete_meeting(app.emu, meeting.id, caller.user)
    return Response(status=204, headers=headers)


def list_meetings(app: EmulatorApp, request: Request, user_id: str) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    host = resolve_user(app.emu, caller, user_id, LIST_MEETINGS)
    list_type = request.args.get("type", "scheduled")
    if list_type not in ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"):
        raise ZoomError(400, 300, "Validation Failed.", [{"field": "type", "message": "Invalid field."}])
    page_size = page_size_from(request.args.get("page_size"), 30, 300)
    found = meetings.listed_meetings(app.emu, host, list_type)
    page, next_token = _page(app, request, found, f"meetings|{host.id}|{list_type}|{page_size}", page_size)
    base_url = app.base_url(request)
    body = {
        "page_size": page_size,
        "total_records": len(found),
        "next_page_token": next_token,
        "meetings": [meetings.list_entry(app.emu, meeting, base_url) for meeting in page],
    }
    return json_response(body, 200, headers)


def _page(app: EmulatorApp, request: Request, found: list, key: str, page_size: int) -> tuple[list, str]:
    """One page of `found` and the token of the next, as Zoom pages its lists (`next_page_token`)."""
    return app.page_tokens.page(
        found,
        key,
        request.args.get("next_page_token"),
        page_size,
        app.emu.clock.now(),
        app.emu.config.page_token_ttl,
    )


# --- registrants (registrants.py) ---------------------------------------------------------------------------


def add_registrant(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, ADD_REGISTRANT)
    body = _json_body(request)
    answer = registrants.add(app.emu, meeting, body, app.base_url(request))
    return json_response(answer, 201, headers)


def add_batch_registrants(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, HEAVY)
    meeting = resolve_meeting(app.emu, caller, meeting_id, BATCH_REGISTRANTS)
    body = _json_body(request)
    answer = registrants.add_batch(app.emu, meeting, body, app.base_url(request))
    return json_response(answer, 201, headers)


def list_registrants(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    meeting = resolve_meeting(app.emu, caller, meeting_id, LIST_REGISTRANTS)
    registrants.check_registration(app.emu, meeting)
    status = request.args.get("status", "approved")
    page_size = page_size_from(request.args.get("page_size"), 30, 300)
    found = registrants.listed(app.emu, meeting, status)
    page, next_token = _page(app, request, found, f"registrants|{meeting.id}|{status}|{page_size}", page_size)
    base_url = app.base_url(request)
    body = {
        "page_count": max(1, -(-len(found) // page_size)),
        "page_number": 1,
        "page_size": page_size,
        "total_records": len(found),
        "next_page_token": next_token,
        "registrants": [registrants.resource(meeting, registrant, base_url) for registrant in page],
    }
    return json_response(body, 200, headers)


def get_registrant(app: EmulatorApp, request: Request, meeting_id: str, registrant_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, READ_REGISTRANT)
    registrants.check_registration(app.emu, meeting)
    registrant = registrants.get(app.emu, meeting, registrant_id)
    return json_response(registrants.resource(meeting, registrant, app.base_url(request)), 200, headers)


def update_registrant_status(app: EmulatorApp, request: Request, meeting_id: str) -> Response:
    caller, headers = _begin(app, request, MEDIUM)
    meeting = resolve_meeting(app.emu, caller, meeting_id, UPDATE_REGISTRANT_STATUS)
    body = _json_body(request)
    registrants.change_status(app.emu, meeting, body, caller.user)
    return Response(status=204, headers=headers)


def delete_registrant(app: EmulatorApp, request: Request, meeting_id: str, registrant_id: str) -> Response:
    caller, headers = _begin(app, request, LIGHT)
    meeting = resolve_meeting(app.emu, caller, meeting_id, DELETE_REGISTRANT)
    registrants.delete(app.emu, meeting, registrant_id, caller.user)
    return Response(status=204, headers=headers)
