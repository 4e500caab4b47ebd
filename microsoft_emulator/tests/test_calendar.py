"""Graph v1.0: /me, calendars, events with extended properties, calendarView, getSchedule, Teams meetings."""

from __future__ import annotations

import httpx2

from microsoft_emulator import ManualClock
from microsoft_emulator.testing import RunningEmulator

from .conftest import JONAS, MARIA, PROP_ID, bearer, event_body, tokens_for

G = "/graph/v1.0"


def test_me_of_a_work_and_a_personal_account(http: httpx2.Client, maria: str, sam: str) -> None:
    work = http.get(f"{G}/me", headers=bearer(maria)).json()
    assert (
        work["id"] == MARIA and work["mail"] == work["userPrincipalName"] == "maria.koch@demo-clinic.example"
    )
    personal = http.get(f"{G}/me", headers=bearer(sam)).json()
    assert personal["mail"] is None and personal["userPrincipalName"] == "sam.rivera@outlook.example"


def test_authentication_errors(http: httpx2.Client, maria: str, ms: RunningEmulator) -> None:
    missing = http.get(f"{G}/me")
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert error["code"] == "InvalidAuthenticationToken" and error["message"] == "Access token is empty."
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])
    assert (
        http.get(f"{G}/me", headers=bearer("garbage")).json()["error"]["code"] == "InvalidAuthenticationToken"
    )
    ms.control.expire_access_tokens()
    expired = http.get(f"{G}/me", headers=bearer(maria))
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_calendar_scope_is_required(http: httpx2.Client) -> None:
    token = tokens_for(http, MARIA, scope="openid User.Read")["access_token"]
    response = http.get(f"{G}/me/calendars", headers=bearer(token))
    assert response.status_code == 403 and response.json()["error"]["code"] == "ErrorAccessDenied"


def test_calendars_list(http: httpx2.Client, maria: str, sam: str) -> None:
    calendars = http.get(f"{G}/me/calendars", headers=bearer(maria)).json()["value"]
    assert [c["name"] for c in calendars] == ["Calendar", "Clinic rota"]
    default = calendars[0]
    assert default["isDefaultCalendar"] is True and default["canEdit"] is True
    assert default["allowedOnlineMeetingProviders"] == ["teamsForBusiness"]
    assert default["owner"]["address"] == "maria.koch@demo-clinic.example"
    personal = http.get(f"{G}/me/calendars", headers=bearer(sam)).json()["value"][0]
    assert personal["allowedOnlineMeetingProviders"] == []


def test_event_crud_and_times(http: httpx2.Client, maria: str) -> None:
    created = http.post(f"{G}/me/calendar/events", headers=bearer(maria), json=event_body())
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["start"] == {"dateTime": "2030-03-20T09:00:00.0000000", "timeZone": "UTC"}
    assert event["showAs"] == "busy" and event["isAllDay"] is False and event["isCancelled"] is False
    assert event["originalStartTimeZone"] == "Europe/Berlin" and event["onlineMeeting"] is None
    event_id = event["id"]
    local = http.get(
        f"{G}/me/events/{event_id}", headers=bearer(maria, Prefer='outlook.timezone="Europe/Berlin"')
    )
    assert local.json()["start"] == {"dateTime": "2030-03-20T10:00:00.0000000", "timeZone": "Europe/Berlin"}
    patched = http.patch(
        f"{G}/me/events/{event_id}",
        headers=bearer(maria),
        json={"end": {"dateTime": "2030-03-20T10:00:00", "timeZone": "UTC"}, "showAs": "tentative"},
    )
    assert patched.status_code == 200 and patched.json()["end"]["dateTime"] == "2030-03-20T10:00:00.0000000"
    assert patched.json()["showAs"] == "tentative" and patched.json()["changeKey"] != event["changeKey"]
    assert http.delete(f"{G}/me/events/{event_id}", headers=bearer(maria)).status_code == 204
    gone = http.get(f"{G}/me/events/{event_id}", headers=bearer(maria))
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"
    assert http.delete(f"{G}/me/events/{event_id}", headers=bearer(maria)).status_code == 404


def test_windows_time_zone_names_and_unknown_zones(http: httpx2.Client, maria: str) -> None:
    body = event_body(
        start={"dateTime": "2030-03-20T10:00:00", "timeZone": "W. Europe Standard Time"},
        end={"dateTime": "2030-03-20T11:00:00", "timeZone": "W. Europe Standard Time"},
    )
    assert (
        http.post(f"{G}/me/events", headers=bearer(maria), json=body)
        .json()["start"]["dateTime"]
        .startswith("2030-03-20T09:00")
    )
    bad = event_body(start={"dateTime": "2030-03-20T10:00:00", "timeZone": "Mars/Olympus"})
    response = http.post(f"{G}/me/events", headers=bearer(maria), json=bad)
    assert response.status_code == 400 and response.json()["error"]["code"] == "TimeZoneNotSupportedException"


def test_event_validation(http: httpx2.Client, maria: str) -> None:
    unknown = http.post(f"{G}/me/events", headers=bearer(maria), json=event_body(colour="red"))
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "RequestBodyRead"
    backwards = event_body(end={"dateTime": "2030-03-20T09:00:00", "timeZone": "Europe/Berlin"})
    assert http.post(f"{G}/me/events", headers=bearer(maria), json=backwards).status_code == 400
    not_midnight = event_body(isAllDay=True)
    assert http.post(f"{G}/me/events", headers=bearer(maria), json=not_midnight).status_code == 400
    all_day = event_body(
        isAllDay=True,
        start={"dateTime": "2030-03-21T00:00:00", "timeZone": "Europe/Berlin"},
        end={"dateTime": "2030-03-22T00:00:00", "timeZone": "Europe/Berlin"},
    )
    assert http.post(f"{G}/me/events", headers=bearer(maria), json=all_day).json()["isAllDay"] is True
    assert (
        http.post(f"{G}/me/events", headers=bearer(maria), json=event_body(showAs="away")).status_code == 400
    )
    no_start = {"subject": "x"}
    assert http.post(f"{G}/me/events", headers=bearer(maria), json=no_start).status_code == 400
    unknown_segment = http.get(f"{G}/me/calendarz", headers=bearer(maria))
    assert unknown_segment.status_code == 400 and unknown_segment.json()["error"]["code"] == "BadRequest"


def test_extended_property_lookup_before_insert(http: httpx2.Client, maria: str) -> None:
    body = event_body(singleValueExtendedProperties=[{"id": PROP_ID, "value": "booking-42"}])
    created = http.post(f"{G}/me/events", headers=bearer(maria), json=body).json()
    assert "singleValueExtendedProperties" not in created
    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{PROP_ID}' and ep/value eq 'booking-42')"
    expand = f"singleValueExtendedProperties($filter=id eq '{PROP_ID}')"
    found = http.get(
        f"{G}/me/events", headers=bearer(maria), params={"$filter": flt, "$expand": expand}
    ).json()
    assert [e["id"] for e in found["value"]] == [created["id"]]
    assert found["value"][0]["singleValueExtendedProperties"] == [{"id": PROP_ID, "value": "booking-42"}]
    other = flt.replace("booking-42", "booking-43")
    assert http.get(f"{G}/me/events", headers=bearer(maria), params={"$filter": other}).json()["value"] == []
    one = http.get(f"{G}/me/events/{created['id']}", headers=bearer(maria), params={"$expand": expand}).json()
    assert one["singleValueExtendedProperties"][0]["value"] == "booking-42"
    bad_id = event_body(singleValueExtendedProperties=[{"id": "rendezId", "value": "x"}])
    assert http.post(f"{G}/me/events", headers=bearer(maria), json=bad_id).status_code == 400
    bad_filter = http.get(f"{G}/me/events", headers=bearer(maria), params={"$filter": "subject eq 'x'"})
    assert bad_filter.status_code == 400


def test_transaction_id_deduplicates_a_retried_create(http: httpx2.Client, maria: str) -> None:
    body = event_body(transactionId="booking-42-create")
    first = http.post(f"{G}/me/events", headers=bearer(maria), json=body).json()
    second = http.post(f"{G}/me/events", headers=bearer(maria), json=body).json()
    assert first["id"] == second["id"]


def test_teams_meeting_for_work_accounts_only(http: httpx2.Client, maria: str, sam: str) -> None:
    body = event_body(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
    work = http.post(f"{G}/me/events", headers=bearer(maria), json=body).json()
    assert work["isOnlineMeeting"] is True and work["onlineMeetingProvider"] == "teamsForBusiness"
    assert work["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    kept = http.patch(f"{G}/me/events/{work['id']}", headers=bearer(maria), json={"isOnlineMeeting": False})
    assert kept.json()["onlineMeeting"] == work["onlineMeeting"] and kept.json()["isOnlineMeeting"] is True
    personal = http.post(f"{G}/me/events", headers=bearer(sam), json=body).json()
    assert personal["isOnlineMeeting"] is False and personal["onlineMeeting"] is None


def test_calendar_view_requires_a_window_and_pages(http: httpx2.Client, maria: str) -> None:
    missing = http.get(f"{G}/me/calendarView", headers=bearer(maria))
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "ErrorInvalidParameter"
    params = {"startDateTime": "2030-03-17T00:00:00Z", "endDateTime": "2030-03-31T00:00:00Z"}
    first = http.get(
        f"{G}/me/calendarView", headers=bearer(maria, Prefer="odata.maxpagesize=4"), params=params
    )
    assert first.headers["Preference-Applied"] == "odata.maxpagesize=4"
    page = first.json()
    assert len(page["value"]) == 4 and "@odata.nextLink" in page
    rest = http.get(page["@odata.nextLink"], headers=bearer(maria)).json()
    subjects = [e["subject"] for e in page["value"] + rest["value"]]
    assert {"Team meeting", "Lunch reminder", "Training day", "Vendor call (declined)"} <= set(subjects)
    declined = next(e for e in page["value"] + rest["value"] if e["subject"].startswith("Vendor"))
    assert declined["responseStatus"]["response"] == "declined"
    all_day = next(e for e in page["value"] + rest["value"] if e["subject"] == "Training day")
    assert all_day["isAllDay"] is True


def test_get_schedule_reports_busy_times_of_colleagues(http: httpx2.Client, maria: str) -> None:
    body = {
        "schedules": [
            "maria.koch@demo-clinic.example",
            "jonas.weber@demo-clinic.example",
            "aisha.khan@other-practice.example",
        ],
        "startTime": {"dateTime": "2030-03-17T00:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2030-03-31T00:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 60,
    }
    value = http.post(f"{G}/me/calendar/getSchedule", headers=bearer(maria), json=body).json()["value"]
    mine = value[0]
    statuses = {item["subject"]: item["status"] for item in mine["scheduleItems"]}
    assert statuses["Team meeting"] == "busy" and statuses["Dentist"] == "oof"
    assert "Lunch reminder" not in statuses and "Vendor call (declined)" not in statuses
    assert len(mine["availabilityView"]) == 14 * 24
    assert value[1]["scheduleId"] == "jonas.weber@demo-clinic.example" and value[1]["scheduleItems"]
    assert value[2]["error"]["responseCode"] == "ErrorMailboxNotFound"


def test_other_users_events_are_invisible(http: httpx2.Client, maria: str) -> None:
    jonas = tokens_for(http, JONAS)["access_token"]
    event = http.post(f"{G}/me/events", headers=bearer(jonas), json=event_body()).json()
    assert http.get(f"{G}/me/events/{event['id']}", headers=bearer(maria)).status_code == 404
    assert (
        http.patch(f"{G}/me/events/{event['id']}", headers=bearer(maria), json={"subject": "x"}).status_code
        == 404
    )


def test_seeded_events_move_with_the_clock(clock: ManualClock, ms: RunningEmulator) -> None:
    events = ms.control.state()["events"]
    assert all(e["start"]["dateTime"] >= "2030-03-17" for e in events)
