"""CALENDAR_EMULATORS=1: `rendez demo` connects Maria's Google Calendar and Jonas's Microsoft 365 calendar
through the consent pages of the emulators mounted in a running Rendez, gives them a week of events, and the
booking page shows those times as taken (a "free" event leaves its time bookable). Running it again changes
nothing; a second start keeps the connections (both emulators keep their state in var/), and an emulator that
forgot the grant gets a new consent."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.utils import timezone
from werkzeug.serving import make_server

from emulator_kit.serving import QuietRequestHandler
from google_emulator.testing import ControlClient as GoogleControl
from microsoft_emulator.testing import ControlClient as MicrosoftControl
from rendez.calendars.models import BusyBlock, CalendarConnection, Provider
from rendez.devserver import demo_calendars, google_mount, microsoft_mount
from rendez.scheduling.models import Service, Staff
from rendez.tests.integrations.google import world as google_world
from rendez.tests.integrations.microsoft import world as microsoft_world
from rendez.web.demo import seed_demo

MARIA = "maria.koch@demo-clinic.example"
JONAS = "jonas.weber@demo-clinic.example"


class _ClosingHandler(QuietRequestHandler):
    """Each request runs in its own thread; its database connection must not outlive it."""

    def handle(self) -> None:
        try:
            super().handle()
        finally:
            connections.close_all()


@pytest.fixture
def served_app() -> dict[str, Any]:
    """What the server runs (under "wsgi"), so a test can mount fresh emulators as a restart would."""
    return {}


@pytest.fixture
def rendez_server(settings, tmp_path, transactional_db, served_app) -> Iterator[str]:
    """Rendez with both calendar emulators mounted, as `rendez serve` runs it with CALENDAR_EMULATORS=1 (the
    settings as settings.py derives them from the base URL), the emulators' own events cleared."""
    app = served_app
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, start: app["wsgi"](environ, start),
        True,
        request_handler=_ClosingHandler,
    )
    base = f"http://127.0.0.1:{server.server_port}"
    settings.VAR_DIR = tmp_path  # the Google emulator's state file and the demo API key
    settings.DEMO_API_KEY = ""
    settings.BASE_URL = base
    settings.ZOOM_EMULATOR = False
    settings.CALENDAR_EMULATORS = True
    settings.GOOGLE_CLIENT_ID, settings.GOOGLE_CLIENT_SECRET = (
        google_world.CLIENT_ID,
        google_world.CLIENT_SECRET,
    )
    settings.GOOGLE_OAUTH_BASE_URL = f"{base}/_google/accounts"
    settings.GOOGLE_TOKEN_URL = f"{base}/_google/oauth2/token"
    settings.GOOGLE_REVOKE_URL = f"{base}/_google/oauth2/revoke"
    settings.GOOGLE_USERINFO_URL = f"{base}/_google/openidconnect/v1/userinfo"
    settings.GOOGLE_CALENDAR_API_BASE_URL = f"{base}/_google/calendar/v3"
    settings.GOOGLE_PUSH_OVER_HTTP = False
    settings.MICROSOFT_CLIENT_ID = microsoft_world.CLIENT_ID
    settings.MICROSOFT_CLIENT_SECRET = microsoft_world.CLIENT_SECRET
    settings.MICROSOFT_LOGIN_BASE_URL = f"{base}/_microsoft/login"
    settings.MICROSOFT_GRAPH_BASE_URL = f"{base}/_microsoft/graph/v1.0"
    settings.MICROSOFT_NOTIFICATIONS_OVER_HTTP = False
    app["wsgi"] = microsoft_mount.with_emulator(google_mount.with_emulator(get_wsgi_application()))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    google, microsoft = GoogleControl(f"{base}/_google"), MicrosoftControl(f"{base}/_microsoft")
    # Only the demo's week on the calendars: the seeds' own events fall on days of their own.
    google.reset(google_world.quiet_seed())
    google.add_redirect_uri(google_world.CLIENT_ID, f"{base}/integrations/google/callback")
    microsoft.reset(microsoft_world.quiet_seed())
    microsoft.add_redirect_uri(microsoft_world.CLIENT_ID, f"{base}/integrations/microsoft/callback")
    yield base
    google.close()
    microsoft.close()
    server.shutdown()
    server.server_close()


def _seed_with_bookings_far_off() -> None:
    """The demo's example bookings a month away, so the coming week holds only the calendars' events."""
    seed_demo(now=timezone.now() + timedelta(days=30))


def _connection(email: str, provider: str) -> CalendarConnection:
    return CalendarConnection.objects.get(staff__email=email, provider=provider)


def _times(client, member: Staff, day: date) -> set[str]:
    """The start times the booking page offers for the in-person check-up (45 minutes, one every 45) with
    `member` on `day` (the video services offer only staff connected to Zoom, not here)."""
    service = Service.objects.get(tenant=member.tenant, name="In-person check-up")
    page = client.get(
        f"/book/demo/{service.pk}/slots", {"date": day.isoformat(), "staff": member.pk, "tz": "Europe/Berlin"}
    )
    assert page.status_code == 200
    return set(re.findall(r"\b\d\d:\d\d\b", page.content.decode()))


def _blocks(connection: CalendarConnection) -> list[tuple[datetime, datetime, bool]]:
    return sorted(BusyBlock.objects.filter(connection=connection).values_list("start", "end", "all_day"))


def _emulator_events(base: str) -> tuple[int, int]:
    google, microsoft = GoogleControl(f"{base}/_google"), MicrosoftControl(f"{base}/_microsoft")
    try:
        return len(google.state()["events"]), len(microsoft.state()["events"])
    finally:
        google.close()
        microsoft.close()


def test_the_demo_connects_two_calendars_whose_week_takes_the_booking_pages_times(
    rendez_server, client, capsys
):
    _seed_with_bookings_far_off()

    call_command("demo")
    google_world.settle()  # the worker's first syncs

    out = capsys.readouterr().out
    assert f"  Calendars:     Maria Koch: Google Calendar connected as {MARIA}" in out
    assert f"                 Jonas Weber: Microsoft 365 connected as {JONAS}" in out
    assert f"  Google emulator: {rendez_server}/_google/  (Maria's calendar" in out
    maria, jonas = Staff.objects.get(email=MARIA), Staff.objects.get(email=JONAS)
    first, _, third = demo_calendars.week_days(timezone.now())[:3]
    for member, provider in ((maria, Provider.GOOGLE), (jonas, Provider.MICROSOFT)):
        connection = _connection(member.email, provider)
        assert connection.status == CalendarConnection.Status.CONNECTED
        # The team meeting and the training day block; the "free" focus time does not.
        assert [(start.date(), all_day) for start, _, all_day in _blocks(connection)] == [
            (first, False),
            (third - timedelta(days=1), True),  # midnight in Berlin is the evening before in UTC
        ]
        times = _times(client, member, first)
        assert {"09:45", "10:30"}.isdisjoint(times), times  # the team meeting, 10:00 to 11:00
        assert {"09:00", "11:15", "15:45"} <= times, times  # the focus time (16:00 to 17:00) is free
        assert _times(client, member, third) == set()  # the training day
    assert CalendarConnection.objects.filter(staff=maria).count() == 1
    assert CalendarConnection.objects.filter(staff=jonas).count() == 1


def test_running_the_demo_again_changes_nothing(rendez_server, capsys):
    _seed_with_bookings_far_off()
    call_command("demo")
    google_world.settle()
    before = {
        (c.pk, c.provider): (c.refresh_token_encrypted, c.connected_at, _blocks(c))
        for c in CalendarConnection.objects.all()
    }
    events = _emulator_events(rendez_server)

    call_command("demo")
    google_world.settle()

    after = {
        (c.pk, c.provider): (c.refresh_token_encrypted, c.connected_at, _blocks(c))
        for c in CalendarConnection.objects.all()
    }
    assert after == before
    assert _emulator_events(rendez_server) == events


def test_a_second_start_keeps_jonas_connected_without_a_new_consent(rendez_server, served_app):
    _seed_with_bookings_far_off()
    call_command("demo")
    kept = _connection(JONAS, Provider.MICROSOFT)
    events = _emulator_events(rendez_server)
    # What a restart of `rendez serve` does: the emulators' last changes reach var/, new ones read them.
    served_app["wsgi"].mounts[microsoft_mount.MOUNT_PATH].emu.flush()
    served_app["wsgi"] = microsoft_mount.with_emulator(google_mount.with_emulator(get_wsgi_application()))

    [jonas] = [
        prepared
        for prepared in demo_calendars.prepare_demo_calendars(rendez_server)
        if prepared.provider == Provider.MICROSOFT
    ]

    assert not jonas.connected_now and jonas.events_added == 0
    again = _connection(JONAS, Provider.MICROSOFT)
    assert again.refresh_token_encrypted == kept.refresh_token_encrypted
    assert _emulator_events(rendez_server) == events


def test_a_restarted_emulator_gets_a_new_consent_and_the_week_again(rendez_server):
    _seed_with_bookings_far_off()
    call_command("demo")
    kept = _connection(JONAS, Provider.MICROSOFT)
    microsoft = MicrosoftControl(f"{rendez_server}/_microsoft")
    try:
        # A restart of `rendez serve` with var/microsoft-emulator.json deleted: it starts from its seed again.
        microsoft.reset(microsoft_world.quiet_seed())
        microsoft.add_redirect_uri(
            microsoft_world.CLIENT_ID, f"{rendez_server}/integrations/microsoft/callback"
        )
    finally:
        microsoft.close()

    [jonas] = [
        prepared
        for prepared in demo_calendars.prepare_demo_calendars(rendez_server)
        if prepared.provider == Provider.MICROSOFT
    ]

    assert jonas.connected_now and jonas.events_added == len(demo_calendars.WEEK)
    again = _connection(JONAS, Provider.MICROSOFT)
    assert again.pk == kept.pk and again.refresh_token_encrypted != kept.refresh_token_encrypted


def test_without_the_emulators_the_demo_has_no_calendars(settings, tmp_path, db, capsys):
    settings.VAR_DIR = tmp_path
    settings.DEMO_API_KEY = ""
    settings.CALENDAR_EMULATORS = False

    call_command("demo")

    out = capsys.readouterr().out
    assert "Maria Koch: no calendar connected (with CALENDAR_EMULATORS=1" in out
    assert "emulator: " not in out.replace("Zoom emulator: ", "")
    assert not CalendarConnection.objects.exists()
    assert demo_calendars.start_in_background("127.0.0.1", 1) is None


def test_the_week_is_working_days_from_tomorrow_in_berlin():
    # Friday 23:30 in Berlin (22:30 UTC): Monday to Friday of the next week.
    days = demo_calendars.week_days(datetime(2026, 12, 11, 22, 30, tzinfo=UTC))
    assert days == [date(2026, 12, 14) + timedelta(days=n) for n in range(5)]
    # Saturday 00:30 in Berlin is still Friday in UTC: the same week.
    assert demo_calendars.week_days(datetime(2026, 12, 11, 23, 30, tzinfo=UTC)) == days
