"""Services and staff: list, read, create and update, scoped to the caller's tenant."""

from __future__ import annotations

import pytest

from rendez.scheduling.models import Service, Staff, WorkingHours
from rendez.scheduling.tests.factories import make_service, make_staff

NEW_SERVICE = {"name": "Coaching", "duration_minutes": 45, "zoom_enabled": True}
NEW_STAFF = {
    "name": "Ines",
    "email": "ines@example.com",
    "timezone": "America/New_York",
    "working_hours": [
        {"weekday": 0, "start": "09:00:00", "end": "12:00:00"},
        {"weekday": 0, "start": "13:00:00", "end": "17:30:00"},
    ],
}


# --- services -----------------------------------------------------------------------------------------------


def test_it_lists_the_tenants_services_in_pages(alice_api, consultation, yoga, dora):
    body = alice_api.get("/services").json()
    assert body["count"] == 2
    assert [item["name"] for item in body["items"]] == ["Consultation", "Yoga"]
    consultation_out = body["items"][0]
    assert consultation_out["zoom_enabled"] is True
    assert consultation_out["staff_ids"] == [dora.pk]
    assert consultation_out["slot_interval_minutes"] == 30
    assert consultation_out["price"] in ("0.00", 0, "0")


def test_service_pages_hold_fifty(alice, alice_api):
    Service.objects.bulk_create(
        Service(tenant=alice, name=f"S{i:03}", duration_minutes=30) for i in range(55)
    )
    first = alice_api.get("/services").json()
    second = alice_api.get("/services", {"page": 2}).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (55, 50, 5)
    assert second["items"][-1]["name"] == "S054"


def test_listing_services_takes_the_same_queries_for_many(
    alice, alice_api, dora, django_assert_max_num_queries
):
    for i in range(20):
        make_service(alice, dora, name=f"S{i:02}")
    # The services, a count, their staff and their questions (each prefetched in one statement), the key.
    with django_assert_max_num_queries(6):
        assert alice_api.get("/services").status_code == 200


def test_it_creates_a_service_with_its_staff(alice_api, dora):
    response = alice_api.post("/services", {**NEW_SERVICE, "staff_ids": [dora.pk], "capacity": 3})
    assert response.status_code == 201
    body = response.json()
    service = Service.objects.get(pk=body["id"])
    assert (service.name, service.duration_minutes, service.zoom_enabled, service.capacity) == (
        "Coaching",
        45,
        True,
        3,
    )
    assert list(service.staff.all()) == [dora]
    assert body["staff_ids"] == [dora.pk]


def test_a_service_cannot_be_given_another_tenants_staff(alice_api, frank):
    response = alice_api.post("/services", {**NEW_SERVICE, "staff_ids": [frank.pk]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_staff"
    assert "staff_ids" in response.json()["error"]["fields"]
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 3}, "duration_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"location_type": "hologram"}, "location_type"),
        ({"price": "-1"}, "price"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_service_is_refused_with_the_field_named(alice_api, change, field):
    response = alice_api.post("/services", {**NEW_SERVICE, **change})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Service.objects.exists()


def test_it_updates_only_what_is_sent(alice_api, consultation, dora):
    response = alice_api.patch(
        f"/services/{consultation.pk}", {"zoom_enabled": False, "buffer_after_minutes": 10}
    )
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert (consultation.zoom_enabled, consultation.buffer_after_minutes) == (False, 10)
    assert (consultation.name, list(consultation.staff.all())) == ("Consultation", [dora])


def test_it_replaces_the_staff_of_a_service(alice, alice_api, consultation):
    erik = make_staff(alice, "Erik")
    response = alice_api.patch(f"/services/{consultation.pk}", {"staff_ids": [erik.pk]})
    assert response.json()["staff_ids"] == [erik.pk]
    assert list(consultation.staff.all()) == [erik]


def test_a_required_field_cannot_be_nulled(alice_api, consultation):
    response = alice_api.patch(f"/services/{consultation.pk}", {"name": None})
    assert response.status_code == 422
    assert "name" in response.json()["error"]["fields"]
    consultation.refresh_from_db()
    assert consultation.name == "Consultation"


def test_the_slot_interval_can_be_reset_to_the_duration(alice_api, consultation):
    alice_api.patch(f"/services/{consultation.pk}", {"slot_interval_minutes": 15})
    response = alice_api.patch(f"/services/{consultation.pk}", {"slot_interval_minutes": None})
    assert response.json()["slot_interval_minutes"] == 30
    consultation.refresh_from_db()
    assert consultation.slot_interval_minutes is None


ALL_DEFAULTS = {
    "waiting_room": None,
    "join_before_host": None,
    "mute_upon_entry": None,
    "auto_recording": None,
}


def test_a_new_service_leaves_every_meeting_option_to_the_host(alice_api):
    body = alice_api.post("/services", NEW_SERVICE).json()
    assert body["meeting_options"] == ALL_DEFAULTS
    assert Service.objects.get(pk=body["id"]).meeting_options == {}


def test_it_creates_a_service_with_meeting_options(alice_api):
    options = {"waiting_room": True, "mute_upon_entry": False, "auto_recording": "cloud"}
    response = alice_api.post("/services", {**NEW_SERVICE, "meeting_options": options})
    assert response.status_code == 201
    assert response.json()["meeting_options"] == {**ALL_DEFAULTS, **options}
    # Only what was chosen is stored: an option left to the host is absent, so it is never sent to Zoom.
    assert Service.objects.get().meeting_options == options


def test_patching_meeting_options_changes_only_those_named(alice_api, consultation):
    consultation.meeting_options = {"waiting_room": True, "auto_recording": "local"}
    consultation.save()
    response = alice_api.patch(
        f"/services/{consultation.pk}", {"meeting_options": {"join_before_host": False, "waiting_room": None}}
    )
    assert response.status_code == 200
    assert response.json()["meeting_options"] == {
        **ALL_DEFAULTS,
        "join_before_host": False,
        "auto_recording": "local",
    }
    consultation.refresh_from_db()
    assert consultation.meeting_options == {"auto_recording": "local", "join_before_host": False}


def test_a_patch_without_meeting_options_keeps_them(alice_api, consultation):
    consultation.meeting_options = {"mute_upon_entry": True}
    consultation.save()
    assert alice_api.patch(f"/services/{consultation.pk}", {"name": "Talk"}).status_code == 200
    consultation.refresh_from_db()
    assert consultation.meeting_options == {"mute_upon_entry": True}


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"waiting_room": "yes"}, "meeting_options.waiting_room", "Must be true or false."),
        ({"join_before_host": 1}, "meeting_options.join_before_host", "Must be true or false."),
        ({"auto_recording": "tape"}, "meeting_options.auto_recording", "'local', 'cloud' or 'none'"),
        ({"auto_recording": True}, "meeting_options.auto_recording", "'local', 'cloud' or 'none'"),
        (
            {"breakout_rooms": True},
            "meeting_options",
            "Unknown meeting option 'breakout_rooms'; known: waiting_room",
        ),
        ("waiting_room", "meeting_options", "Must be a JSON object."),
    ],
)
def test_invalid_meeting_options_are_refused_with_the_option_named(
    alice_api, consultation, options, field, words
):
    for response in (
        alice_api.post("/services", {**NEW_SERVICE, "meeting_options": options}),
        alice_api.patch(f"/services/{consultation.pk}", {"meeting_options": options}),
    ):
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert words in error["fields"][field], error
        assert field in error["message"]
    assert Service.objects.count() == 1
    consultation.refresh_from_db()
    assert consultation.meeting_options == {}


def test_meeting_options_cannot_be_nulled_as_a_whole(alice_api, consultation):
    response = alice_api.patch(f"/services/{consultation.pk}", {"meeting_options": None})
    assert response.status_code == 422
    assert "meeting_options" in response.json()["error"]["fields"]


def test_it_reads_one_service(alice_api, yoga):
    body = alice_api.get(f"/services/{yoga.pk}").json()
    assert (body["id"], body["capacity"], body["location_type"]) == (yoga.pk, 5, "in_person")


def test_an_unknown_service_is_not_found(alice_api, db):
    response = alice_api.get("/services/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- staff --------------------------------------------------------------------------------------------------


def test_it_lists_staff_with_their_hours_and_services(alice_api, dora, consultation, yoga):
    body = alice_api.get("/staff").json()
    assert body["count"] == 1
    [dora_out] = body["items"]
    assert dora_out["timezone"] == "Europe/Berlin"
    assert dora_out["service_ids"] == sorted([consultation.pk, yoga.pk])
    assert len(dora_out["working_hours"]) == 5
    assert dora_out["working_hours"][0] == {"weekday": 0, "start": "09:00:00", "end": "17:00:00"}


def test_listing_staff_takes_the_same_queries_for_many(
    alice, alice_api, consultation, django_assert_max_num_queries
):
    for i in range(20):
        consultation.staff.add(make_staff(alice, f"Member{i:02}"))
    # The staff, a count, hours, services, calendar connections (each prefetched in one statement), the key.
    with django_assert_max_num_queries(7):
        assert alice_api.get("/staff").json()["count"] == 21


def test_it_creates_staff_with_working_hours(alice_api):
    response = alice_api.post("/staff", NEW_STAFF)
    assert response.status_code == 201
    member = Staff.objects.get(pk=response.json()["id"])
    assert (member.name, member.timezone) == ("Ines", "America/New_York")
    assert [str(hours) for hours in member.working_hours.all()] == [
        "Monday 09:00-12:00",
        "Monday 13:00-17:30",
    ]
    assert response.json()["working_hours"][1] == {"weekday": 0, "start": "13:00:00", "end": "17:30:00"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "not-an-email"}, "email"),
        ({"working_hours": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "working_hours.0.weekday"),
        ({"working_hours": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}, "working_hours"),
    ],
)
def test_invalid_staff_is_refused_with_the_field_named(alice_api, change, field):
    response = alice_api.post("/staff", {**NEW_STAFF, **change})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Staff.objects.exists()
    assert not WorkingHours.objects.exists()


def test_it_replaces_working_hours_when_sent(alice_api, dora):
    hours = [{"weekday": 5, "start": "10:00:00", "end": "14:00:00"}]
    response = alice_api.patch(f"/staff/{dora.pk}", {"working_hours": hours, "phone": "+49 30 5550123"})
    assert response.status_code == 200
    assert response.json()["working_hours"] == hours
    dora.refresh_from_db()
    assert dora.phone == "+49305550123"


def test_it_keeps_working_hours_when_not_sent(alice_api, dora):
    alice_api.patch(f"/staff/{dora.pk}", {"name": "Dora M."})
    assert dora.working_hours.count() == 5


def test_it_reads_one_staff_member(alice_api, dora):
    assert alice_api.get(f"/staff/{dora.pk}").json()["name"] == "Dora"


def test_the_api_knows_the_same_meeting_options_as_the_service_model():
    from typing import get_args

    from rendez.api.catalog_schemas import AutoRecording, MeetingOptionsIn, MeetingOptionsOut
    from rendez.scheduling.models import MEETING_OPTION_VALUES

    assert (
        set(MeetingOptionsIn.model_fields)
        == set(MeetingOptionsOut.model_fields)
        == set(MEETING_OPTION_VALUES)
    )
    assert set(get_args(AutoRecording)) == set(MEETING_OPTION_VALUES["auto_recording"])
