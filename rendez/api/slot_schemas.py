"""The query and response of the free slots API (`api/slots.py`)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field, field_validator

from rendez.api.schemas import Input, IsoDate, QueryId, QueryStaffChoice, check_zone


class SlotOut(Schema):
    start: datetime
    end: datetime
    staff_id: int | None = Field(description="null when asked for staff_id=any: who is settled at booking")
    seats_left: int


class SlotQuery(Input):
    service_id: QueryId
    staff_id: QueryStaffChoice | None = Field(
        None,
        description="One staff member's slots (default: everyone's); any: each start anyone takes, once",
    )
    date_from: IsoDate
    date_to: IsoDate
    tz: str | None = Field(
        None, description="IANA zone for the dates and the returned times; default: the tenant's"
    )

    _zone = field_validator("tz")(check_zone)
