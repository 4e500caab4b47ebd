"""GET /slots: free slots in the zone the caller asks for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rendez.api.tests.fixtures import berlin
from rendez.scheduling.tests.factories import book, make_staff


def slots(api, service, day, **params):
    query = {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat(), **params}
    return api.get("/slots", query)


def test_it_lists_the_slots_of_a_day_in_the_tenants_zone(alice_api, consultation, dora, monday):
    response = slots(alice_api, consultation, monday)
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 16
    assert body[0] == {
        "start": berlin(monday, 9).isoformat(),
        "end": berlin(monday, 9, 30).isoformat(),
        "staff_id": dora.pk,
        "seats_left": 1,
    }


@pytest.mark.parametrize(
    ("tz", "first_start"),
    [("UTC", "T0"), ("America/New_York", "T0"), ("Asia/Tokyo", "T")],
)
def test_times_come_back_in_the_requested_zone(alice_api, consultation, monday, tz, first_start):
    from zoneinfo import ZoneInfo

    # Ask for Dora's Monday in a zone whose day covers all of it.
    body = alice_api.get(
        "/slots",
        {
            "service_id": consultation.pk,
            "date_from": (monday - timedelta(days=1)).isoformat(),
            "date_to": (monday + timedelta(days=1)).isoformat(),
            "tz": tz,
        },
    ).json()
    first = datetime.fromisoformat(body[0]["start"])
    assert first == berlin(monday, 9)
    assert first.utcoffset() == berlin(monday, 9).astimezone(ZoneInfo(tz)).utcoffset()


def test_the_dates_are_days_in_the_requested_zone(alice_api, consultation, monday):
    # Dora's Monday straddles midnight in Tokyo: its late slots fall on Tuesday there.
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    found = []
    for day in (monday, monday + timedelta(days=1)):
        body = slots(alice_api, consultation, day, tz="Asia/Tokyo").json()
        assert {datetime.fromisoformat(slot["start"]).astimezone(tokyo).date() for slot in body} == {day}
        found += body
    mondays = [
        start
        for start in map(datetime.fromisoformat, (slot["start"] for slot in found))
        if start < berlin(monday, 23)
    ]
    assert mondays == [berlin(monday, 9) + timedelta(minutes=30 * i) for i in range(16)]


def test_group_slots_show_the_seats_left(alice_api, yoga, dora, monday):
    book(yoga, dora, berlin(monday, 10), party_size=2, now=berlin(monday, 6) - timedelta(days=7))
    body = slots(alice_api, yoga, monday).json()
    assert [(slot["start"][11:16], slot["seats_left"]) for slot in body][:3] == [
        ("09:00", 5),
        ("10:00", 3),
        ("11:00", 5),
    ]


def test_it_filters_by_staff(alice, alice_api, consultation, dora, monday):
    erik = make_staff(alice, "Erik")
    consultation.staff.add(erik)
    assert len(slots(alice_api, consultation, monday).json()) == 32
    body = slots(alice_api, consultation, monday, staff_id=erik.pk).json()
    assert {slot["staff_id"] for slot in body} == {erik.pk}


def test_staff_not_offering_the_service_is_not_found(alice, alice_api, consultation, monday):
    gina = make_staff(alice, "Gina")
    response = slots(alice_api, consultation, monday, staff_id=gina.pk)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"date_from": "tomorrow"}, "date_from"),
        ({"service_id": "one"}, "service_id"),
    ],
)
def test_invalid_queries_are_refused(alice_api, consultation, monday, params, field):
    response = slots(alice_api, consultation, monday, **params)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_date_to_before_date_from_is_refused(alice_api, consultation, monday):
    response = alice_api.get(
        "/slots",
        {
            "service_id": consultation.pk,
            "date_from": monday.isoformat(),
            "date_to": (monday - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "date_to" in response.json()["error"]["fields"]


def test_too_long_a_range_is_refused(alice_api, consultation, monday):
    response = alice_api.get(
        "/slots",
        {
            "service_id": consultation.pk,
            "date_from": monday.isoformat(),
            "date_to": (monday + timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")]
)
def test_dates_at_the_ends_of_the_calendar_have_no_slots(alice_api, consultation, date_from, date_to):
    for tz in ("Asia/Tokyo", "Pacific/Pago_Pago"):
        response = alice_api.get(
            "/slots", {"service_id": consultation.pk, "date_from": date_from, "date_to": date_to, "tz": tz}
        )
        assert response.status_code == 200
        assert response.json() == []


def test_an_inactive_service_has_no_slots(alice_api, consultation, monday):
    consultation.is_active = False
    consultation.save()
    assert slots(alice_api, consultation, monday).status_code == 404


def test_slots_take_the_same_queries_however_full_the_calendar(
    alice, alice_api, consultation, dora, monday, django_assert_max_num_queries
):
    def week():
        return alice_api.get(
            "/slots",
            {
                "service_id": consultation.pk,
                "date_from": monday.isoformat(),
                "date_to": (monday + timedelta(days=6)).isoformat(),
            },
        )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty_calendar:
        week()
    now = berlin(monday, 6) - timedelta(days=7)
    for day in range(5):
        for hour in (9, 11, 13, 15):
            book(consultation, dora, berlin(monday + timedelta(days=day), hour), f"C{day}x{hour}", now=now)
    # Key lookup (and its last-use stamp), service, staff, then hours, time off, appointments and the staff's
    # own calendars' busy blocks: one query each.
    with django_assert_max_num_queries(len(empty_calendar)):
        response = week()
    assert len(empty_calendar) <= 8
    assert len(response.json()) == 5 * 16 - 20


def queries_of(request) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert request().status_code == 200
    return len(captured)


def test_one_staff_member_and_eight_cost_the_same_queries(alice, alice_api, consultation, dora, monday):
    team = [dora] + [make_staff(alice, f"Staff{index}") for index in range(7)]
    consultation.staff.add(*team)
    now = berlin(monday, 6) - timedelta(days=7)
    for index, member in enumerate(team):
        book(consultation, member, berlin(monday, 9 + index), f"Customer{index}", now=now)
    slots(alice_api, consultation, monday)  # the key's first use may cost a write of its own

    one = queries_of(lambda: slots(alice_api, consultation, monday, staff_id=dora.pk))
    eight = queries_of(lambda: slots(alice_api, consultation, monday))
    assert one == eight
    assert len(slots(alice_api, consultation, monday).json()) == 8 * 16 - 8


@pytest.mark.parametrize("tz", ["Europe/Berlin", "UTC", "Asia/Kolkata"])
def test_the_body_is_byte_for_byte_what_the_slot_schema_renders(alice, alice_api, yoga, dora, monday, tz):
    import json

    from ninja.responses import NinjaJSONEncoder
    from pydantic import TypeAdapter

    from rendez.api.slot_schemas import SlotOut

    erik = make_staff(alice, "Erik", timezone="America/New_York")
    yoga.staff.add(erik)
    book(yoga, dora, berlin(monday, 10), party_size=2, now=berlin(monday, 6) - timedelta(days=7))
    response = slots(alice_api, yoga, monday, tz=tz)

    # What django-ninja makes of `list[SlotOut]`: pydantic validates and dumps, the renderer's encoder writes.
    adapter = TypeAdapter(list[SlotOut])
    shown = [{**slot, "start": parse(slot["start"]), "end": parse(slot["end"])} for slot in response.json()]
    rendered = json.dumps(adapter.dump_python(adapter.validate_python(shown)), cls=NinjaJSONEncoder)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == rendered.encode()
    assert {slot["staff_id"] for slot in response.json()} == {dora.pk, erik.pk}
    seats_at = {(parse(slot["start"]), slot["staff_id"]): slot["seats_left"] for slot in response.json()}
    assert seats_at[(berlin(monday, 10), dora.pk)] == 3  # the session, with the seats it has left


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 3, 1, 9, tzinfo=UTC),
        datetime(2027, 3, 1, 9, 0, 5, 123456, tzinfo=UTC),
        datetime(2027, 3, 28, 3, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2027, 3, 1, 9, 0, 0, 500, tzinfo=ZoneInfo("Asia/Kolkata")),
        datetime(2027, 3, 1, 9, tzinfo=ZoneInfo("America/St_Johns")),
    ],
)
def test_instants_are_written_as_the_api_encoder_writes_them(moment):
    from ninja.responses import NinjaJSONEncoder

    from rendez.api.slots import json_instant

    assert json_instant(moment) == NinjaJSONEncoder().default(moment)
