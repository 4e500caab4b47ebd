""" "Any available" over the API: bookings and slots with `staff_id: "any"`, and the policy and staff settings
that decide who (docs/scheduling.md). A fresh coaching practice; bob's key is the outsider."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rendez.api.tests.fixtures import ApiClient, berlin
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.tests.factories import book, make_api_key, make_service, make_staff, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(db):
    return make_tenant("coaching", name="North Star Coaching")


@pytest.fixture
def api(practice) -> ApiClient:
    return ApiClient(make_api_key(practice))


@pytest.fixture
def coaches(practice) -> list[Staff]:
    return [make_staff(practice, name) for name in ("Ana", "Ben")]


@pytest.fixture
def coaching(practice, coaches) -> Service:
    return make_service(practice, *coaches, name="Coaching session", duration_minutes=60)


def body(service, start: datetime, name: str = "Charlie", **extra) -> dict:
    return {
        "service_id": service.pk,
        "start": start.isoformat(),
        "customer": {"name": name, "email": f"{name.lower()}@example.com"},
        **extra,
    }


def test_any_books_the_coach_round_robin_picks_and_says_who(api, coaching, coaches, monday):
    first = api.post("/bookings", body(coaching, berlin(monday, 9), staff_id="any"))
    second = api.post("/bookings", body(coaching, berlin(monday, 10), "Dave", staff_id="any"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert [first.json()["staff_id"], second.json()["staff_id"]] == [coaches[0].pk, coaches[1].pk]
    assert first.json()["assigned_by"] == second.json()["assigned_by"] == "round_robin"
    stored = api.get(f"/bookings/{first.json()['id']}").json()
    assert (stored["staff_id"], stored["assigned_by"]) == (coaches[0].pk, "round_robin")


def test_leaving_staff_id_out_is_any(api, coaching, coaches, monday):
    response = api.post("/bookings", body(coaching, berlin(monday, 9)))
    assert response.status_code == 201
    assert (response.json()["staff_id"], response.json()["assigned_by"]) == (coaches[0].pk, "round_robin")


def test_a_staff_member_chosen_by_id_is_not_assigned(api, coaching, coaches, monday):
    response = api.post("/bookings", body(coaching, berlin(monday, 9), staff_id=coaches[1].pk))
    assert response.status_code == 201
    assert (response.json()["staff_id"], response.json()["assigned_by"]) == (coaches[1].pk, None)


def test_any_answers_409_when_nobody_is_free(api, coaching, coaches, monday):
    for member in coaches:
        book(coaching, member, berlin(monday, 9), f"Taken{member.pk}", now=berlin(monday, 0))
    response = api.post("/bookings", body(coaching, berlin(monday, 9), staff_id="any"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert Booking.objects.count() == 2


@pytest.mark.parametrize("value", ["anyone", "", "Ana", True, 1.5, None])
def test_staff_id_is_an_id_or_any(api, coaching, monday, value):
    response = api.post("/bookings", body(coaching, berlin(monday, 9), staff_id=value))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"staff_id": 'Must be a staff member\'s id or "any".'}
    assert Booking.objects.count() == 0


def test_another_tenants_service_is_not_found_for_any(bob, coaching, monday):
    outsider = ApiClient(make_api_key(bob))
    response = outsider.post("/bookings", body(coaching, berlin(monday, 9), staff_id="any"))
    assert response.status_code == 404
    assert Booking.objects.count() == 0


def test_a_capped_coach_is_skipped(api, coaching, coaches, monday):
    assert api.patch(f"/staff/{coaches[0].pk}", {"max_assignments_per_day": 1}).status_code == 200
    picks = [
        api.post("/bookings", body(coaching, berlin(monday, 9 + n), f"C{n}", staff_id="any")).json()[
            "staff_id"
        ]
        for n in range(3)
    ]
    assert picks == [coaches[0].pk, coaches[1].pk, coaches[1].pk]


# --- slots --------------------------------------------------------------------------------------------------


def slots(api, service, day, **params):
    query = {"service_id": service.pk, "date_from": day.isoformat(), "date_to": day.isoformat(), **params}
    return api.get("/slots", query)


def test_any_slots_are_the_union_of_free_times_once_each(api, coaching, coaches, monday):
    book(coaching, coaches[0], berlin(monday, 9), "Taken", now=berlin(monday, 0))
    for member in coaches:
        book(coaching, member, berlin(monday, 10), f"Both{member.pk}", now=berlin(monday, 0))
    response = slots(api, coaching, monday, staff_id="any")
    assert response.status_code == 200
    found = response.json()
    starts = [datetime.fromisoformat(slot["start"]) for slot in found]
    assert starts == [berlin(monday, 9)] + [berlin(monday, hour) for hour in range(11, 17)]
    assert found[0] == {
        "start": berlin(monday, 9).isoformat(),
        "end": berlin(monday, 10).isoformat(),
        "staff_id": None,
        "seats_left": 1,
    }


def test_any_slots_give_the_most_seats_one_booking_may_take(practice, api, coaches, monday):
    group = make_service(practice, *coaches, name="Group", duration_minutes=60, capacity=4)
    book(group, coaches[0], berlin(monday, 9), "Pair", party_size=3, now=berlin(monday, 0))
    found = slots(api, group, monday, staff_id="any").json()
    assert found[0]["seats_left"] == 4 and found[0]["staff_id"] is None


def test_any_slots_leave_out_a_capped_coach(api, coaching, coaches, monday):
    api.patch(f"/staff/{coaches[0].pk}", {"max_assignments_per_day": 1})
    api.patch(f"/staff/{coaches[1].pk}", {"max_assignments_per_day": 0})
    api.post("/bookings", body(coaching, berlin(monday, 9), staff_id="any"))
    assert slots(api, coaching, monday, staff_id="any").json() == []
    # Asked for by id, Ana's free times are still there: a customer may choose her by name.
    assert len(slots(api, coaching, monday, staff_id=coaches[0].pk).json()) == 7


def test_slots_refuse_a_staff_id_that_is_neither(api, coaching, monday):
    response = slots(api, coaching, monday, staff_id="anyone")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"staff_id": 'Must be a staff member\'s id or "any".'}


# --- the policy and the staff settings ----------------------------------------------------------------------


def test_a_service_carries_its_assignment_policy(api, coaches):
    created = api.post("/services", {"name": "Intro", "duration_minutes": 30, "assignment": "least_busy"})
    assert created.status_code == 201 and created.json()["assignment"] == "least_busy"
    service_id = created.json()["id"]
    changed = api.patch(f"/services/{service_id}", {"assignment": "first_free"})
    assert changed.json()["assignment"] == "first_free"
    assert Service.objects.get(pk=service_id).assignment == "first_free"
    default = api.post("/services", {"name": "Deep dive", "duration_minutes": 90}).json()
    assert default["assignment"] == "round_robin"


def test_an_unknown_policy_is_refused(api, coaching):
    response = api.patch(f"/services/{coaching.pk}", {"assignment": "random"})
    assert response.status_code == 422
    assert "round_robin" in response.json()["error"]["fields"]["assignment"]
    assert Service.objects.get(pk=coaching.pk).assignment == "round_robin"


def test_staff_carry_weight_priority_and_caps(api):
    created = api.post(
        "/staff",
        {"name": "Dana", "assignment_weight": 2, "assignment_priority": 5, "max_assignments_per_week": 10},
    )
    assert created.status_code == 201
    member = created.json()
    assert (member["assignment_weight"], member["assignment_priority"]) == (2, 5)
    assert (member["max_assignments_per_day"], member["max_assignments_per_week"]) == (None, 10)
    cleared = api.patch(
        f"/staff/{member['id']}", {"max_assignments_per_week": None, "max_assignments_per_day": 3}
    )
    assert (cleared.json()["max_assignments_per_day"], cleared.json()["max_assignments_per_week"]) == (
        3,
        None,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"assignment_weight": 0}, "Must be at least 1."),
        ({"assignment_weight": 101}, "Must be at most 100."),
        ({"assignment_priority": -101}, "Must be at least -100."),
        ({"max_assignments_per_day": -1}, "Must be at least 0."),
        ({"assignment_weight": None}, "Cannot be null; leave it out to keep its value."),
    ],
)
def test_staff_settings_out_of_range_are_refused(api, coaches, change, message):
    response = api.patch(f"/staff/{coaches[0].pk}", change)
    assert response.status_code == 422
    [field] = change
    assert response.json()["error"]["fields"] == {field: message}
    assert Staff.objects.get(pk=coaches[0].pk).assignment_weight == 1


def test_weights_over_the_api_shape_round_robin(api, practice, coaches, monday):
    api.patch(f"/staff/{coaches[1].pk}", {"assignment_weight": 3})
    service = make_service(practice, *coaches, name="Short call", duration_minutes=30)
    picks = [
        api.post("/bookings", body(service, berlin(monday, 9) + timedelta(minutes=30 * n), f"C{n}")).json()[
            "staff_id"
        ]
        for n in range(8)
    ]
    assert picks.count(coaches[1].pk) == 6 and picks.count(coaches[0].pk) == 2
