"""Connecting a staff member's Google Calendar in the browser: start (API or panel) and the callback.

The state is the kit's (`ConnectStates`): signed, single-use, bound to the tenant and the staff member, the
PKCE verifier kept server-side. It is finished only by a signed-in person: the one who started it from the
panel, or, for a connect started through the API (no person), one who `may_finish` it (an admin of the tenant
or the staff member themself). Anyone else burns the state and connects nothing; the code is never exchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from rendez.integrations.google import connections, tokens
from rendez.integrations.google.models import GoogleConnectState
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.provider import GrantRefused
from rendez.integrations.oauth.state import ConnectStates, StateRefused, may_finish
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.google")

STATES: ConnectStates[GoogleConnectState] = ConnectStates(
    GoogleConnectState, salt="rendez.google.oauth-state", label="Google"
)
RETRY = " Start again from Rendez with “Connect Google Calendar”."


class NotConnected(Exception):  # noqa: N818 - reads as "raise NotConnected(...)"
    """Nothing was connected; `message` is for the person, `status` for the page."""

    def __init__(self, message: str, status: int = 400, back: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.back = message, status, back


@dataclass(frozen=True)
class Connected:
    connection_email: str
    back: str


def staff_page(user: Any, staff: Staff) -> str:
    """Where `user` sees `staff`'s calendars: their own "My schedule", or the admin's staff page."""
    if staff.user_id is not None and staff.user_id == user.pk:
        return reverse("panel:staff_me")
    return reverse("panel:staff_edit", args=[staff.pk])


def authorize_url(tenant: Tenant, staff: Staff, *, started_by_id: int | None, return_url: str = "") -> str:
    """Begin a connect for `staff` and answer where to send the browser (Google's consent page). Without a
    `return_url` (an API start) the browser lands on the staff page of whoever finishes it."""
    started = STATES.begin(tenant, staff, started_by_id=started_by_id, return_url=return_url)
    return grants.authorize_url(tokens.provider(), started.state, started.code_challenge)


def finish(user: Any, query: dict[str, str]) -> Connected:
    """Google sent the browser of signed-in `user` back with `query`: burn the state, check it is this
    person's to finish, exchange the code at once (PKCE), check the scopes, store the connection."""
    try:
        row = STATES.consume(query.get("state", ""))
    except StateRefused as exc:
        raise NotConnected(f"{exc}{RETRY}") from None
    back = row.return_url or (staff_page(user, row.staff) if row.staff is not None else "/panel/")
    if not _may_finish(user, row):
        logger.warning("google connect refused: not this person's", extra={"tenant_id": row.tenant_id})
        raise NotConnected(
            "This Google connection was started by someone else, or your Rendez account may not connect "
            f"this staff member's calendar. Nothing was connected.{RETRY}",
            403,
        )
    error = query.get("error", "")
    if error:
        declined = error == "access_denied"
        why = "You declined on Google's page" if declined else f"Google did not authorize it ({error[:100]})"
        raise NotConnected(f"{why}, so nothing was connected.{RETRY}", 200, back)
    try:
        grant = tokens.exchange_code(query.get("code", ""), row.code_verifier)
    except GrantRefused as exc:
        raise NotConnected(f"Google refused the authorization ({exc.error}).{RETRY}", 400, back) from None
    except tokens.GoogleUnavailable:
        raise NotConnected(
            f"Google could not be reached to finish the connection.{RETRY}", 502, back
        ) from None
    assert row.staff is not None
    try:
        connection = connections.connect_with_grant(row.staff, grant)
    except connections.ConnectError as exc:
        raise NotConnected(str(exc), 400, back) from None
    return Connected(connection.account_email, back)


def _may_finish(user: Any, row: GoogleConnectState) -> bool:
    if row.staff is None or not user.is_authenticated:
        return False
    if row.started_by_id is not None:
        # Started in the panel: only that person, and only while they still belong to the tenant.
        return row.started_by_id == user.pk and may_finish(user, row.tenant, row.staff, row.started_by_id)
    return may_finish(user, row.tenant, row.staff, None)
