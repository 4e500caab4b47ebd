"""Graph fixes a calendarView delta round's window when the round begins (its state tokens encode
startDateTime and endDateTime, delta-query-events). As days pass the window must roll forward: once its end
comes within the longest booking horizon, the next sync starts a new, full round from now, and busy events
beyond the first window are seen. Time passes on the emulator's clock and Rendez's alike, a few days at a
time, each step synced as the polls would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.validators import MaxValueValidator
from django.utils import timezone

from rendez.calendars.models import BusyBlock, CalendarConnection, CalendarSync
from rendez.integrations.microsoft import sync
from rendez.scheduling.models import Service
from rendez.tests.integrations.microsoft.world import berlin, delta_calls, outlook_event

MANUAL_CLOCK = pytest.mark.parametrize("microsoft", ["manual clock"], indirect=True)


@pytest.fixture
def days_pass(microsoft, monkeypatch) -> Callable[[int], None]:
    """Move the emulator's clock and Rendez's `timezone.now` by whole days. Rendez's clock then stands still
    between moves, so what a sync sent can be compared with `timezone.now()` after it to the second (a
    running clock crossed a second between the two: found by CI)."""
    start = timezone.now()
    passed = timedelta()

    def move(days: int) -> None:
        nonlocal passed
        passed += timedelta(days=days)
        microsoft.control.advance_clock(days * 86400)
        monkeypatch.setattr(timezone, "now", lambda: start + passed)

    return move


def sync_connection(connection: CalendarConnection) -> None:
    """The poll's work, run here: the worker claims jobs by the database's clock, which does not move."""
    sync.sync_connection(CalendarConnection.objects.select_related("staff").get(pk=connection.pk))


def window_end(call: dict) -> datetime:
    return datetime.strptime(call["query"]["endDateTime"], sync.INSTANT).replace(tzinfo=UTC)


def full_rounds(microsoft) -> list[dict]:
    return [call for call in delta_calls(microsoft) if "startDateTime" in call["query"]]


def test_the_first_window_reaches_past_the_longest_horizon(microsoft, connected):
    [first] = full_rounds(microsoft)
    longest = max(
        validator.limit_value
        for validator in Service._meta.get_field("horizon_days").validators
        if isinstance(validator, MaxValueValidator)
    )
    assert timedelta(days=longest) <= sync.HORIZON
    assert window_end(first) - timezone.now() > sync.HORIZON


@MANUAL_CLOCK
def test_the_window_rolls_forward_and_busy_events_beyond_the_first_one_are_seen(
    microsoft, connected, days_pass, monday
):
    [first] = full_rounds(microsoft)
    far_day = (window_end(first) + timedelta(days=2)).date()
    far = outlook_event(microsoft, berlin(far_day, 10), berlin(far_day, 11), "Conference")
    near_day = monday + timedelta(weeks=5)  # inside both windows
    near = outlook_event(microsoft, berlin(near_day, 10), berlin(near_day, 11), "Dentist")
    sync_connection(connected)
    blocks = BusyBlock.objects.filter(connection=connected)
    assert list(blocks.values_list("external_event_id", flat=True)) == [near["id"]]

    for _ in range(5):  # 25 days: the window still reaches past the horizon, its round goes on
        days_pass(5)
        sync_connection(connected)
    assert full_rounds(microsoft) == [first]
    assert not blocks.filter(external_event_id=far["id"]).exists()

    days_pass(5)  # 30 days: now the window ends within the horizon
    sync_connection(connected)

    [_, rolled] = full_rounds(microsoft)
    assert window_end(rolled) - timezone.now() > sync.HORIZON
    assert rolled["query"]["startDateTime"] == (timezone.now() - sync.WINDOW_BEFORE).strftime(sync.INSTANT)
    assert set(blocks.values_list("external_event_id", flat=True)) == {near["id"], far["id"]}
    state = CalendarSync.objects.get(connection=connected)
    assert state.full_syncs == 2
    kept = sync.Round.of(state.sync_token)
    assert kept is not None and kept.window_end == window_end(rolled)

    days_pass(5)  # the new round goes on with its delta link
    sync_connection(connected)
    assert len(full_rounds(microsoft)) == 2 and "$deltatoken" in delta_calls(microsoft)[-1]["query"]


def test_a_delta_link_kept_without_its_window_starts_a_new_round(microsoft, connected):
    state = CalendarSync.objects.get(connection=connected)
    kept = sync.Round.of(state.sync_token)
    assert kept is not None
    CalendarSync.objects.filter(pk=state.pk).update(sync_token=kept.link)  # as rows were kept before

    sync_connection(connected)

    assert len(full_rounds(microsoft)) == 2
    state.refresh_from_db()
    assert state.full_syncs == 2 and sync.Round.of(state.sync_token) is not None
