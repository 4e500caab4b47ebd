"""Connecting a staff member's calendar in the browser, the same for every provider: start (API or panel), the
callback's finish, and the registry of providers that can be connected (`Connector`, registered by each
provider's app when it is ready).

The state is the OAuth kit's (`ConnectStates`): signed, single-use, bound to the tenant and the staff member,
the PKCE verifier kept server-side. It is finished only by a signed-in person: the one who started it from the
panel, or, for a connect started through the API (no person), one who `may_finish` it (an admin of the tenant
or the staff member themself). Anyone else burns the state and connects nothing; the code is never exchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.urls import reverse

from rendez.calendars import errors, writing
from rendez.calendars.models import CalendarConnection, Provider
from rendez.integrations.oauth import grants
from rendez.integrations.oauth.models import ConnectState
from rendez.integrations.oauth.provider import GrantRefused, OAuthError, OAuthProvider
from rendez.integrations.oauth.state import ConnectStates, StateRefused, may_finish
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

logger = logging.getLogger("rendez.calendars")


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar of the connected account, as staff choose from them."""

    id: str
    summary: str
    primary: bool
    writable: bool  # appointments can be written to it


class ConnectError(Exception):
    """A provider's grant cannot make a working connection; the message says what the person should do."""


class CalendarLister(Protocol):
    def calendar_list(self) -> list[CalendarEntry]: ...


class NotConnected(Exception):  # noqa: N818 - reads as "raise NotConnected(...)"
    """Nothing was connected; `message` is for the person, `status` for the page."""

    def __init__(self, message: str, status: int = 400, back: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.back = message, status, back


@dataclass(frozen=True)
class Connected:
    connection_email: str
    back: str


@dataclass(frozen=True)
class Connector:
    """What one provider lends the shared connect: its states, its OAuth provider (built from settings per
    call), its connections writer (`connect_with_grant`, raising `ConnectError`) and its API client (for the
    account's calendars). Its passing troubles and dead-grant error are its calendar writer's."""

    provider: str  # CalendarConnection.provider: "google", "microsoft"
    states: ConnectStates[Any]
    oauth: Callable[[], OAuthProvider]
    connect_with_grant: Callable[[Staff, Any], CalendarConnection]
    client: Callable[[CalendarConnection], CalendarLister]

    @property
    def label(self) -> str:
        """What people call it: "Google Calendar", "Microsoft 365"."""
        return str(Provider(self.provider).label)

    @property
    def company(self) -> str:
        """Whose page consent happens on: "Google", "Microsoft"."""
        return self.oauth().label

    @property
    def client_id_setting(self) -> str:
        return f"{self.provider.upper()}_CLIENT_ID"

    @property
    def configured(self) -> bool:
        return bool(self.oauth().client_id)

    def calendar_list(self, connection: CalendarConnection) -> list[CalendarEntry]:
        return self.client(connection).calendar_list()

    @property
    def list_errors(self) -> tuple[type[BaseException], ...]:
        """What reading the list may raise besides `unusable`: an outage or a refusal, to try later."""
        writer = writing.writer_of(self.provider)
        return (errors.ProviderError, OAuthError, *(writer.outages if writer else ()))

    @property
    def unusable(self) -> type[BaseException]:
        """The connection needs reconnecting (its writer's dead-grant error)."""
        writer = writing.writer_of(self.provider)
        return writer.unusable if writer else ConnectError

    @property
    def retry(self) -> str:
        return f" Start again from Rendez with “Connect {self.label}”."

    def authorize_url(
        self, tenant: Tenant, staff: Staff, *, started_by_id: int | None, return_url: str = ""
    ) -> str:
        """Begin a connect for `staff` and answer where to send the browser (the provider's consent page).
        Without a `return_url` (an API start) the browser lands on the staff page of whoever finishes it."""
        started = self.states.begin(tenant, staff, started_by_id=started_by_id, return_url=return_url)
        return grants.authorize_url(self.oauth(), started.state, started.code_challenge)

    def finish(self, user: Any, query: dict[str, str]) -> Connected:
        """The provider sent the browser of signed-in `user` back with `query`: burn the state, check it is
        this person's to finish, exchange the code at once (PKCE), store the connection."""
        try:
            row = self.states.consume(query.get("state", ""))
        except StateRefused as exc:
            raise NotConnected(f"{exc}{self.retry}") from None
        back = row.return_url or (staff_page(user, row.staff) if row.staff is not None else "/panel/")
        if not _may_finish(user, row):
            logger.warning(
                "calendar connect refused: not this person's",
                extra={"tenant_id": row.tenant_id, "provider": self.provider},
            )
            raise NotConnected(
                f"This {self.label} connection was started by someone else, or your Rendez account may not "
                f"connect this staff member's calendar. Nothing was connected.{self.retry}",
                403,
            )
        self._refuse_error(query, back)
        try:
            grant = grants.exchange_code(self.oauth(), query.get("code", ""), row.code_verifier)
        except GrantRefused as exc:
            raise NotConnected(
                f"{self.company} refused the authorization ({exc.error}).{self.retry}", 400, back
            ) from None
        except OAuthError:
            raise NotConnected(
                f"{self.company} could not be reached to finish the connection.{self.retry}", 502, back
            ) from None
        assert row.staff is not None
        try:
            connection = self.connect_with_grant(row.staff, grant)
        except ConnectError as exc:
            raise NotConnected(str(exc), 400, back) from None
        return Connected(connection.account_email, back)

    def _refuse_error(self, query: dict[str, str], back: str) -> None:
        error = query.get("error", "")
        if not error:
            return
        if error == "access_denied":
            why = f"You declined on {self.company}'s page"
        else:
            why = f"{self.company} did not authorize it ({error[:100]})"
        raise NotConnected(f"{why}, so nothing was connected.{self.retry}", 200, back)


_connectors: dict[str, Connector] = {}


def register(connector: Connector) -> None:
    _connectors[connector.provider] = connector


def connector_of(provider: str) -> Connector | None:
    return _connectors.get(provider)


def connectors() -> list[Connector]:
    return [_connectors[name] for name in sorted(_connectors)]


def staff_page(user: Any, staff: Staff) -> str:
    """Where `user` sees `staff`'s calendars: their own "My schedule", or the admin's staff page."""
    if staff.user_id is not None and staff.user_id == user.pk:
        return reverse("panel:staff_me")
    return reverse("panel:staff_edit", args=[staff.pk])


def _may_finish(user: Any, row: ConnectState) -> bool:
    if row.staff is None or not user.is_authenticated:
        return False
    if row.started_by_id is not None:
        # Started in the panel: only that person, and only while they still belong to the tenant.
        return row.started_by_id == user.pk and may_finish(user, row.tenant, row.staff, row.started_by_id)
    return may_finish(user, row.tenant, row.staff, None)
