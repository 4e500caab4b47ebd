"""The refusals of the booking writers (`services.py`): what the API and the pages turn into answers."""

from __future__ import annotations

from rendez.scheduling.availability import Refusal


class BookingError(Exception):
    """A refused change. `conflict` ones are about the calendar (HTTP 409), the rest about the input (422)."""

    def __init__(self, code: str, message: str, *, field: str | None = None, conflict: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.conflict = conflict

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> BookingError:
        # A party too big for the service is the party's fault, not the time's: clients show it on that field.
        field = "party_size" if refusal.code == "party_too_large" else "start"
        return cls(refusal.code, refusal.message, field=field, conflict=refusal.is_conflict)


class UnknownId(BookingError):
    """An id the tenant has no row for (the API answers 404)."""
