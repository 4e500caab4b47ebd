"""Who hosts a staff member's meetings: the one question the meeting lifecycle asks of connections.

A staff member's personal connection wins; otherwise their mapping in the tenant connection; otherwise no
one (DESIGN.md section 7). A broken connection still answers, with `usable` False, so callers can say why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.models import Connection, Mode
from rendez.scheduling.models import Staff

# What a user-level token must use as the user id: anything else is "invalid token" (§1.12).
ME = "me"


@dataclass(frozen=True)
class Host:
    connection: Connection
    zoom_user_id: str
    email: str

    @property
    def mode(self) -> str:
        return self.connection.mode

    @property
    def usable(self) -> bool:
        return self.connection.is_usable

    @property
    def user_path(self) -> str:
        """The `{userId}` of `/users/{userId}/meetings`: `me` with a personal token, the id otherwise."""
        return ME if self.connection.mode == Mode.STAFF_OAUTH else self.zoom_user_id

    @property
    def account_id(self) -> str:
        return self.connection.account_id

    def client(self) -> ZoomClient:
        return ZoomClient(self.connection)


def host_for(staff: Staff) -> Host | None:
    """The host of `staff`'s meetings, or None. Reads the relations, so prefetch them for lists."""
    try:
        personal: Connection = staff.zoom_connection  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        pass
    else:
        return Host(personal, personal.zoom_user_id, personal.email)
    try:
        mapping = staff.zoom_mapping  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return Host(mapping.connection, mapping.zoom_user_id, mapping.email)


def host_relations() -> tuple[str, ...]:
    """What to `select_related` on a Staff query so `host_for` costs no query per staff member."""
    return ("zoom_connection", "zoom_mapping__connection")
