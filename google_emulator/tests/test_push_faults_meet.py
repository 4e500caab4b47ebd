"""events.watch push channels, channels.stop, injected faults and lost responses, Meet conference data."""

from __future__ import annotations

import httpx2

from google_emulator import ManualClock
from google_emulator.testing import RunningEmulator

from .conftest import MARIA, PushReceiver, event_body

EVENTS_URL = f"/calendar/v3/calendars/{MARIA}/events"
WATCH_URL = f"{EVENTS_URL}/watch"


def watch(http: httpx2.Client, headers: dict[str, str], address: str, **extra: object) -> httpx2.Response:
    body = {"id": "chan-1", "type": "web_hook", "address": address, "token": "tenant=7", **extra}
    return http.post(WATCH_URL, json=body, headers=headers)


def test_google_refuses_an_http_push_address(http: httpx2.Client, maria: dict[str, str]) -> None:
    response = watch(http, maria, "http://127.0.0.1:9/hook")
    assert response.status_code == 400
    error = response.json()["error"]["errors"][0]
    assert error["reason"] == "push.webhookUrlNotHttps"
    assert error["message"] == "WebHook callback must be HTTPS: http://127.0.0.1:9/hook"


def test_a_channel_sends_sync_then_exists_with_goog_headers(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator, receiver: PushReceiver
) -> None:
    google.control.settings(allow_insecure_push=True)  # emulator-only switch, for a local receiver
    response = watch(http, maria, receiver.url)
    assert response.status_code == 200
    channel = response.json()
    assert channel["kind"] == "api#channel" and channel["id"] == "chan-1" and channel["token"] == "tenant=7"
    assert int(channel["expiration"]) > 0 and channel["resourceId"]
    http.post(EVENTS_URL, json=event_body(), headers=maria)
    google.control.user_creates_event(MARIA, event_body(summary="Added in Google Calendar"))
    assert google.control.wait_for_pushes()
    states = [(r["x-goog-resource-state"], r["x-goog-message-number"]) for r in receiver.received]
    assert states == [("sync", "1"), ("exists", "2"), ("exists", "3")]
    first = receiver.received[0]
    assert first["x-goog-channel-id"] == "chan-1" and first["x-goog-channel-token"] == "tenant=7"
    assert first["x-goog-resource-id"] == channel["resourceId"] and first["body"] == ""
    assert first["x-goog-resource-uri"].endswith(f"/calendars/{MARIA}/events?alt=json")


def test_a_stopped_or_expired_channel_sends_nothing_more(
    http: httpx2.Client,
    maria: dict[str, str],
    google: RunningEmulator,
    receiver: PushReceiver,
    clock: ManualClock,
) -> None:
    google.control.settings(allow_insecure_push=True)
    first = watch(http, maria, receiver.url, params={"ttl": "60"}).json()
    second = watch(http, maria, receiver.url, id="chan-2").json()
    assert watch(http, maria, receiver.url).json()["error"]["errors"][0]["reason"] == "channelIdNotUnique"
    stop = http.post(
        "/calendar/v3/channels/stop", json={"id": "chan-2", "resourceId": second["resourceId"]}, headers=maria
    )
    assert stop.status_code == 204
    again = http.post(
        "/calendar/v3/channels/stop", json={"id": "chan-2", "resourceId": second["resourceId"]}, headers=maria
    )
    assert again.status_code == 404
    clock.advance(61)
    http.post(EVENTS_URL, json=event_body(), headers=maria)
    assert google.control.wait_for_pushes()
    assert [r["x-goog-resource-state"] for r in receiver.received] == ["sync", "sync"]
    assert int(first["expiration"]) == int((1_900_000_000 + 60) * 1000)


def test_the_next_calls_can_be_rate_limited(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.set_faults(fail_next=1, fail_with="rateLimitExceeded")
    limited = http.get(EVENTS_URL, headers=maria)
    assert limited.status_code == 403
    assert limited.json()["error"]["errors"][0] == {
        "domain": "usageLimits",
        "reason": "rateLimitExceeded",
        "message": "Rate Limit Exceeded",
    }
    google.control.set_faults(fail_next=1, fail_with="userRateLimitExceeded")
    assert (
        http.get(EVENTS_URL, headers=maria).json()["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    )
    google.control.set_faults(fail_next=2, fail_with="429", retry_after=7)
    for _ in range(2):
        response = http.get(EVENTS_URL, headers=maria)
        assert response.status_code == 429 and response.headers["retry-after"] == "7"
    assert http.get(EVENTS_URL, headers=maria).status_code == 200


def test_a_lost_response_still_applies_the_insert(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.set_faults(lose_responses=1)
    try:
        http.post(EVENTS_URL, json=event_body(), headers=maria)
        raise AssertionError("the response should have been lost")
    except httpx2.TransportError:
        pass
    found = http.get(EVENTS_URL, params={"privateExtendedProperty": "rendezBookingId=b-8812"}, headers=maria)
    assert len(found.json()["items"]) == 1
    logged = google.control.requests("POST", EVENTS_URL)
    assert logged[-1]["connection_dropped"] is True and logged[-1]["status"] is None


def test_the_request_log_keeps_both_sides(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.clear_requests()
    http.post(EVENTS_URL, json=event_body(), params={"conferenceDataVersion": "1"}, headers=maria)
    (entry,) = google.control.requests("POST", "/calendar/v3/*")
    assert entry["query"] == {"conferenceDataVersion": ["1"]}
    assert entry["body"]["extendedProperties"] == {"private": {"rendezBookingId": "b-8812"}}
    assert entry["status"] == 200 and '"calendar#event"' in entry["response_body"]


MEET = {"createRequest": {"requestId": "booking-8812", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def test_conference_data_version_1_creates_a_meet_link(http: httpx2.Client, maria: dict[str, str]) -> None:
    response = http.post(
        EVENTS_URL, json=event_body(conferenceData=MEET), params={"conferenceDataVersion": "1"}, headers=maria
    )
    event = response.json()
    conference = event["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    video = conference["entryPoints"][0]
    assert video["entryPointType"] == "video" and video["uri"] == event["hangoutLink"]
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}


def test_without_conference_data_version_the_request_is_ignored(
    http: httpx2.Client, maria: dict[str, str]
) -> None:
    event = http.post(EVENTS_URL, json=event_body(conferenceData=MEET), headers=maria).json()
    assert "conferenceData" not in event and "hangoutLink" not in event


def test_a_conference_can_read_pending_before_success(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.settings(meet_pending_reads=2)
    event = http.post(
        EVENTS_URL, json=event_body(conferenceData=MEET), params={"conferenceDataVersion": "1"}, headers=maria
    ).json()
    assert event["conferenceData"]["createRequest"]["status"] == {"statusCode": "pending"}
    assert "hangoutLink" not in event
    url = f"{EVENTS_URL}/{event['id']}"
    assert (
        http.get(url, headers=maria).json()["conferenceData"]["createRequest"]["status"]["statusCode"]
        == "pending"
    )
    done = http.get(url, headers=maria).json()
    assert done["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    assert done["hangoutLink"].startswith("https://meet.google.com/")


def test_an_unknown_conference_type_is_400(http: httpx2.Client, maria: dict[str, str]) -> None:
    bad = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "eventNamedHangout"}}}
    response = http.post(
        EVENTS_URL, json=event_body(conferenceData=bad), params={"conferenceDataVersion": "1"}, headers=maria
    )
    assert response.status_code == 400


def test_a_failed_push_is_recorded(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.settings(allow_insecure_push=True)
    assert watch(http, maria, "http://127.0.0.1:9/nobody-listens").status_code == 200
    assert google.control.wait_for_pushes()
    (push,) = google.control.pushes()
    assert push["state"] == "sync" and push["status"] is None and push["error"]


def test_the_token_endpoint_can_fail_too(http: httpx2.Client, google: RunningEmulator) -> None:
    from .conftest import refresh, tokens_for

    body = tokens_for(http)
    google.control.set_faults(paths=["/oauth2/token"], fail_next=1, fail_with="503", retry_after=3)
    failed = refresh(http, body["refresh_token"])
    assert failed.status_code == 503 and failed.headers["retry-after"] == "3"
    assert refresh(http, body["refresh_token"]).status_code == 200


def test_a_call_can_die_with_a_connection_reset_and_change_nothing(
    http: httpx2.Client, maria: dict[str, str], google: RunningEmulator
) -> None:
    google.control.set_faults(fail_next=1, fail_with="reset")
    try:
        http.post(EVENTS_URL, json=event_body(), headers=maria)
        raise AssertionError("the connection should have been reset")
    except httpx2.TransportError:
        pass
    found = http.get(EVENTS_URL, params={"privateExtendedProperty": "rendezBookingId=b-8812"}, headers=maria)
    assert found.json()["items"] == []
