"""ZoomProvider end to end: the port's calls against the emulator over HTTP, each test asserting the exact
Zoom calls made (the emulator's request log, bodies included)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from rendez.conferencing.port import (
    HostRef,
    HostUnusable,
    MeetingChanges,
    MeetingGone,
    MeetingSpec,
    ProviderError,
    QuotaExhausted,
    get_provider,
)
from rendez.integrations.zoom import passwords
from rendez.integrations.zoom.models import Connection
from rendez.integrations.zoom.provider import ZoomProvider
from rendez.integrations.zoom.responses import seconds_until_utc_midnight
from rendez.integrations.zoom.schemas import PasswordRequirement
from rendez.tests.integrations.zoom.fixtures import JONAS, LEA, MARIA, connect_staff, connect_tenant
from zoom_emulator.testing import RunningEmulator

BERLIN = ZoneInfo("Europe/Berlin")
# 14:30:15.25 in Berlin is 13:30:15 UTC: sent without the fraction, with Z.
START = datetime(2031, 3, 10, 14, 30, 15, 250000, tzinfo=BERLIN)
START_TEXT = "2031-03-10T13:30:15Z"
LEA_RULES = PasswordRequirement(
    length=8,
    have_letter=True,
    have_number=True,
    have_special_character=True,
    have_upper_and_lower_characters=True,
    consecutive_characters_length=4,
    weak_enhance_detection=True,
)
# Every flag spelled out: the emulator deep-merges settings, and LEA's letters and specials would stay.
NUMERIC_ONLY = PasswordRequirement(length=6, only_allow_numeric=True).model_dump()


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def provider() -> ZoomProvider:
    return ZoomProvider()


def spec(**changes: Any) -> MeetingSpec:
    values: dict[str, Any] = {
        "topic": "Consultation with Maria Koch",
        "agenda": "",
        "start": START,
        "duration_minutes": 45,
        "timezone": "Europe/Berlin",
        "random_password": True,
    }
    return MeetingSpec(**(values | changes))


def calls(zoom: RunningEmulator) -> list[tuple[str, str]]:
    return [(entry["method"], entry["path"]) for entry in zoom.control.requests(path="/v2/*")]


def only_call(zoom: RunningEmulator, method: str, path: str) -> dict[str, Any]:
    entries = zoom.control.requests(path="/v2/*")
    assert [(entry["method"], entry["path"]) for entry in entries] == [(method, path)]
    return entries[0]


def meeting_body(zoom: RunningEmulator, method: str = "POST") -> dict[str, Any]:
    [entry] = [entry for entry in zoom.control.requests(method=method) if entry["path"].endswith("meetings")]
    return dict(entry["body"])


@pytest.fixture
def personal_host(api, zoom: RunningEmulator, maria, provider) -> HostRef:
    connect_staff(api, zoom, maria, MARIA)
    zoom.control.clear_requests()
    host = provider.host_for(maria)
    assert host is not None
    return host


@pytest.fixture
def tenant_connection(api, zoom: RunningEmulator, alice) -> Connection:
    return connect_tenant(api, zoom, alice, MARIA)


def mapped_host(api, zoom: RunningEmulator, provider, member, zoom_user_id: str) -> HostRef:
    assert api.put(f"/staff/{member.pk}/zoom", {"zoom_user_id": zoom_user_id}).status_code == 200
    zoom.control.clear_requests()
    host = provider.host_for(member)
    assert host is not None
    return host


# --- the port's two questions -------------------------------------------------------------------------------


def test_it_is_registered_as_the_zoom_provider() -> None:
    assert isinstance(get_provider("zoom"), ZoomProvider)


def test_a_personal_host_is_the_connected_zoom_user(personal_host: HostRef, maria) -> None:
    connection = Connection.objects.get(staff=maria)
    assert personal_host == HostRef(
        "zoom", connection.pk, MARIA, connection.account_id, True, maria.tenant_id, connection.email
    )


def test_a_mapped_host_is_the_mapped_zoom_user_of_the_tenant_connection(
    api, zoom, provider, tenant_connection, nina
) -> None:
    host = mapped_host(api, zoom, provider, nina, LEA)

    assert host == HostRef(
        "zoom", tenant_connection.pk, LEA, "demo-account", True, nina.tenant_id, host.email
    )
    assert host.email.startswith("lea.")


def test_a_staff_member_without_zoom_has_no_host(provider, nina, db) -> None:
    assert provider.host_for(nina) is None


def test_the_integration_is_off_until_the_tenant_turns_it_on(provider, alice) -> None:
    integration = provider.integration(alice)

    assert (integration.enabled, integration.random_password) == (False, True)


# --- create -------------------------------------------------------------------------------------------------


def test_create_on_a_personal_host_posts_one_meeting_to_users_me(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(), attempt_started_at=datetime.now(UTC))

    assert calls(zoom) == [("GET", "/v2/users/me/settings"), ("POST", "/v2/users/me/meetings")]
    body = meeting_body(zoom)
    assert body == {
        "topic": "Consultation with Maria Koch",
        "type": 2,
        "start_time": START_TEXT,
        "timezone": "Europe/Berlin",
        "duration": 45,
        "password": body["password"],
    }
    assert passwords.violations(body["password"], PasswordRequirement(length=6)) == []
    assert info.password == body["password"]
    assert (info.host_id, info.start, info.duration_minutes, info.timezone) == (
        MARIA,
        datetime(2031, 3, 10, 13, 30, 15, tzinfo=UTC),
        45,
        "Europe/Berlin",
    )
    assert info.external_id.isdigit() and info.external_id in info.join_url


def test_create_on_a_mapped_host_posts_to_the_zoom_users_id(api, zoom, provider, tenant_connection, jonas):
    host = mapped_host(api, zoom, provider, jonas, JONAS)

    info = provider.create(host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert calls(zoom) == [("POST", f"/v2/users/{JONAS}/meetings")]
    assert info.host_id == JONAS


def test_the_passcode_meets_a_strict_hosts_requirement(api, zoom, provider, tenant_connection, nina) -> None:
    host = mapped_host(api, zoom, provider, nina, LEA)

    info = provider.create(host, spec(), attempt_started_at=datetime.now(UTC))

    assert calls(zoom) == [("GET", f"/v2/users/{LEA}/settings"), ("POST", f"/v2/users/{LEA}/meetings")]
    sent = meeting_body(zoom)["password"]
    assert passwords.violations(sent, LEA_RULES) == [] and len(sent) >= 8
    assert info.password == sent


def test_the_passcode_is_digits_only_for_a_numeric_only_host(api, zoom, provider, tenant_connection, nina):
    zoom.control.set_user_settings(LEA, {"schedule_meeting": {"meeting_password_requirement": NUMERIC_ONLY}})
    host = mapped_host(api, zoom, provider, nina, LEA)

    provider.create(host, spec(), attempt_started_at=datetime.now(UTC))

    sent = meeting_body(zoom)["password"]
    assert sent.isdigit() and len(sent) == 6


def test_no_passcode_is_sent_when_the_tenant_turned_them_off(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert calls(zoom) == [("POST", "/v2/users/me/meetings")]  # nothing to read the settings for
    assert "password" not in meeting_body(zoom)
    assert info.password  # Zoom made one (the host requires it): that is the one kept


def test_topic_and_agenda_are_cut_to_zooms_limits_on_a_character_boundary(zoom, provider, personal_host):
    topic = "Beratung " + "ü" * 185 + "😀" * 10  # 204 UTF-16 units
    provider.create(
        personal_host,
        spec(topic=topic, agenda="x" * 2100, random_password=False),
        attempt_started_at=datetime.now(UTC),
    )

    body = meeting_body(zoom)
    assert len(body["topic"].encode("utf-16-le")) // 2 <= 200 and body["topic"].endswith("…")
    assert topic.startswith(body["topic"][:-1])
    assert len(body["agenda"]) == 2000


def test_a_create_zoom_refuses_is_not_retried_and_names_zooms_field_messages(zoom, provider, personal_host):
    # A valid IANA zone that is not on Zoom's list of 135.
    louisville = spec(timezone="America/Kentucky/Louisville", random_password=False)

    with pytest.raises(ProviderError) as refused:
        provider.create(personal_host, louisville, attempt_started_at=datetime.now(UTC))

    assert not refused.value.retryable
    assert (
        refused.value.reason
        == "Zoom refused to make the meeting: Validation Failed. (timezone: Invalid field.)"
    )


# --- meeting options ----------------------------------------------------------------------------------------


@pytest.fixture
def account_locks(zoom: RunningEmulator, settings) -> Iterator[dict[str, Any]]:
    """Zoom's `GET /accounts/{accountId}/lock_settings`, which the emulator lacks, served in front of it.

    Everything else goes to the emulator; the returned dict holds the locks served and the queries seen."""
    served: dict[str, Any] = {"general": {}, "meeting_security": {}, "queries": []}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path != "/v2/accounts/me/lock_settings":
            return zoom.emulator.wsgi_app(environ, start_response)
        assert request.headers.get("Authorization", "").startswith("Bearer ")
        served["queries"].append(dict(request.args))
        option = request.args.get("option", "general")
        body = json.dumps(served[option])
        return Response(body, 200, content_type="application/json")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    settings.ZOOM_API_BASE_URL = f"http://127.0.0.1:{server.server_port}/v2"
    yield served
    server.shutdown()
    server.server_close()


def test_chosen_options_are_sent_and_only_those(zoom, provider, personal_host) -> None:
    options = {"mute_upon_entry": True, "waiting_room": None, "auto_recording": "cloud"}

    provider.create(
        personal_host, spec(random_password=False, settings=options), attempt_started_at=datetime.now(UTC)
    )

    assert meeting_body(zoom)["settings"] == {"mute_upon_entry": True, "auto_recording": "cloud"}


def test_an_option_the_hosts_account_locked_is_left_out(
    api, zoom, provider, tenant_connection, jonas, account_locks
) -> None:
    Connection.objects.filter(pk=tenant_connection.pk).update(
        scopes=f"{tenant_connection.scopes} account:read:admin"
    )
    account_locks["general"] = {"schedule_meeting": {"join_before_host": True}, "recording": {}}
    account_locks["meeting_security"] = {"meeting_security": {"waiting_room": False}}
    host = mapped_host(api, zoom, provider, jonas, JONAS)
    options = {"join_before_host": True, "waiting_room": True, "mute_upon_entry": False}

    provider.create(host, spec(random_password=False, settings=options), attempt_started_at=datetime.now(UTC))

    assert account_locks["queries"] == [{}, {"option": "meeting_security"}]
    assert calls(zoom) == [("GET", f"/v2/users/{JONAS}/settings"), ("POST", f"/v2/users/{JONAS}/meetings")]
    assert meeting_body(zoom)["settings"] == {"waiting_room": True, "mute_upon_entry": False}


def test_locks_are_not_asked_for_without_the_scope_that_reads_them(zoom, provider, personal_host) -> None:
    provider.create(
        personal_host,
        spec(random_password=False, settings={"join_before_host": True}),
        attempt_started_at=datetime.now(UTC),
    )

    assert calls(zoom) == [("GET", "/v2/users/me/settings"), ("POST", "/v2/users/me/meetings")]
    assert meeting_body(zoom)["settings"] == {"join_before_host": True}


def test_the_hosts_settings_are_read_once_for_several_creates(zoom, provider, personal_host) -> None:
    for day in range(3):
        provider.create(
            personal_host, spec(start=START + timedelta(days=day)), attempt_started_at=datetime.now(UTC)
        )

    assert calls(zoom).count(("GET", "/v2/users/me/settings")) == 1
    assert calls(zoom).count(("POST", "/v2/users/me/meetings")) == 3


def test_a_passcode_refused_under_cached_rules_reads_the_rules_again_and_succeeds(
    api, zoom, provider, tenant_connection, nina
) -> None:
    host = mapped_host(api, zoom, provider, nina, LEA)
    provider.create(host, spec(), attempt_started_at=datetime.now(UTC))
    zoom.control.set_user_settings(LEA, {"schedule_meeting": {"meeting_password_requirement": NUMERIC_ONLY}})
    zoom.control.clear_requests()

    info = provider.create(host, spec(start=START + timedelta(days=1)), attempt_started_at=datetime.now(UTC))

    assert [(entry["method"], entry["status"]) for entry in zoom.control.requests(path="/v2/*")] == [
        ("POST", 400),
        ("GET", 200),
        ("POST", 201),
    ]
    assert info.password.isdigit()


# --- update and delete --------------------------------------------------------------------------------------


def test_update_sends_only_the_changed_fields(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    zoom.control.clear_requests()
    later = datetime(2031, 3, 11, 9, 0, tzinfo=UTC)

    provider.update(personal_host, info.external_id, MeetingChanges(start=later, duration_minutes=30))

    entry = only_call(zoom, "PATCH", f"/v2/meetings/{info.external_id}")
    assert (entry["status"], entry["body"]) == (204, {"start_time": "2031-03-11T09:00:00Z", "duration": 30})


def test_update_of_a_meeting_gone_from_zoom_raises_meeting_gone(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    provider.delete(personal_host, info.external_id)

    with pytest.raises(MeetingGone):
        provider.update(personal_host, info.external_id, MeetingChanges(topic="Follow-up"))


def test_delete_sends_one_delete(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    zoom.control.clear_requests()

    provider.delete(personal_host, info.external_id)

    assert only_call(zoom, "DELETE", f"/v2/meetings/{info.external_id}")["status"] == 204
    assert not zoom.control.state()["meetings"]


def test_deleting_a_meeting_zoom_does_not_know_counts_as_done(zoom, provider, personal_host) -> None:
    provider.delete(personal_host, "98765432109")

    assert only_call(zoom, "DELETE", "/v2/meetings/98765432109")["status"] == 404


# --- find and start_url -------------------------------------------------------------------------------------


def test_find_adopts_the_meeting_whose_create_response_was_lost(zoom, provider, personal_host) -> None:
    attempt = datetime.now(UTC)
    zoom.control.set_faults(lose_create_response=1)
    with pytest.raises(ProviderError) as lost:
        provider.create(personal_host, spec(), attempt_started_at=attempt)
    assert lost.value.retryable
    [made] = zoom.control.state()["meetings"]
    zoom.control.clear_requests()

    found = provider.find(personal_host, spec(), created_after=attempt)

    assert found is not None and found.external_id == str(made["id"])
    assert found.password == made["password"]
    [listing, read] = zoom.control.requests(path="/v2/*")
    assert (listing["method"], listing["path"], listing["query"]) == (
        "GET",
        "/v2/users/me/meetings",
        {"type": "upcoming", "page_size": "300"},
    )
    assert (read["method"], read["path"]) == ("GET", f"/v2/meetings/{made['id']}")


def test_find_ignores_meetings_of_another_time_topic_or_an_earlier_attempt(zoom, provider, personal_host):
    provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    provider.create(
        personal_host, spec(topic="Another", random_password=False), attempt_started_at=datetime.now(UTC)
    )

    assert provider.find(personal_host, spec(start=START + timedelta(minutes=1)), datetime.now(UTC)) is None
    assert provider.find(personal_host, spec(topic="Third"), datetime.now(UTC)) is None
    assert provider.find(personal_host, spec(), datetime.now(UTC) + timedelta(minutes=5)) is None
    assert provider.find(personal_host, spec(), datetime.now(UTC)) is not None


def test_start_url_is_fetched_fresh_each_time_and_never_written(zoom, provider, personal_host) -> None:
    info = provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))
    zoom.control.clear_requests()

    with CaptureQueriesContext(db_connection) as queries:
        first = provider.start_url(personal_host, info.external_id)
        second = provider.start_url(personal_host, info.external_id)

    assert first != second and "zak=" in first and "zak=" in second
    assert calls(zoom) == [("GET", f"/v2/meetings/{info.external_id}")] * 2
    # Only the rate limiter's bucket is written (ratelimit.py): nothing of the meeting.
    written = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert written and all("zoom_ratebucket" in sql for sql in written)


# --- failures -----------------------------------------------------------------------------------------------


def test_a_host_whose_connection_needs_reconnecting_is_unusable(zoom, provider, personal_host, maria) -> None:
    Connection.objects.filter(staff=maria).update(
        status=Connection.Status.NEEDS_RECONNECT,
        broken_reason="Zoom no longer accepts Rendez's authorization for this Zoom account (Invalid Token!).",
    )

    with pytest.raises(HostUnusable) as unusable:
        provider.create(personal_host, spec(), attempt_started_at=datetime.now(UTC))

    assert unusable.value.reason == (
        "Maria Koch's Zoom connection needs reconnecting: Zoom no longer accepts Rendez's authorization for "
        "this Zoom account (Invalid Token!). Reconnect it in Staff → Maria Koch → Zoom."
    )
    assert not unusable.value.retryable
    assert calls(zoom) == []


def test_a_host_whose_connection_was_removed_is_unusable(zoom, provider, personal_host, maria) -> None:
    Connection.objects.filter(staff=maria).delete()

    with pytest.raises(HostUnusable):
        provider.delete(personal_host, "98765432109")
    assert calls(zoom) == []


def test_the_hosts_daily_cap_defers_to_midnight_utc(zoom, provider, personal_host) -> None:
    zoom.emulator.config.daily_meeting_writes_per_host = 1
    provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    with pytest.raises(QuotaExhausted) as capped:
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert capped.value.retryable
    assert capped.value.retry_after == pytest.approx(seconds_until_utc_midnight(), abs=5)
    assert "Maria Koch has used up today's Zoom allowance" in capped.value.reason


def test_a_zoom_server_error_is_retryable(zoom, provider, personal_host) -> None:
    zoom.control.set_faults(error_rate=1.0, error_kind="503", paths=["/v2/users/me/meetings"])

    with pytest.raises(ProviderError) as failed:
        provider.create(personal_host, spec(random_password=False), attempt_started_at=datetime.now(UTC))

    assert failed.value.retryable and not isinstance(failed.value, QuotaExhausted)
    assert calls(zoom) == [("POST", "/v2/users/me/meetings")]
