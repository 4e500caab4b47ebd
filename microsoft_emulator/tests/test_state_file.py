"""With a state file, a new emulator (a restart) is the same Microsoft account: the grant still refreshes,
events are still there, a delta link goes on where it stood; without one nothing touches the disk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from microsoft_emulator import Emulator, ManualClock
from microsoft_emulator.testing import RunningEmulator, run_emulator

from .conftest import JONAS, MARIA, bearer, event_body, refresh, tokens_for

G = "/graph/v1.0"
WINDOW = {"startDateTime": "2030-03-17T00:00:00Z", "endDateTime": "2030-04-17T00:00:00Z"}


@contextmanager
def _serving(emulator: Emulator) -> Iterator[tuple[RunningEmulator, httpx2.Client]]:
    with run_emulator(emulator) as running, httpx2.Client(base_url=running.base_url, timeout=5.0) as http:
        yield running, http


def _delta_link(http: httpx2.Client, token: str) -> tuple[set[str], str]:
    """A full delta round (one page of everything): the ids seen and the delta link, as a path."""
    page = http.get(f"{G}/me/calendarView/delta", headers=bearer(token), params=WINDOW).json()
    while "@odata.nextLink" in page:
        page = http.get(page["@odata.nextLink"], headers=bearer(token)).json()
    link = httpx2.URL(page["@odata.deltaLink"])
    return {item["id"] for item in page["value"]}, f"{link.path}?{link.query.decode()}"


def test_a_restarted_emulator_keeps_grants_events_and_delta_state(tmp_path: Path) -> None:
    clock = ManualClock(start=1_900_000_000.0)
    state_file = str(tmp_path / "microsoft-emulator.json")
    with _serving(Emulator(state_file=state_file, clock=clock)) as (_, http):
        issued = tokens_for(http, JONAS)
        written = http.post(f"{G}/me/events", headers=bearer(issued["access_token"]), json=event_body())
        assert written.status_code == 201, written.text
        seen, delta_link = _delta_link(http, issued["access_token"])
    assert written.json()["id"] in seen

    with _serving(Emulator(state_file=state_file, clock=clock)) as (second, http):
        refreshed = refresh(http, issued["refresh_token"])
        assert refreshed.status_code == 200, refreshed.text
        token = refreshed.json()["access_token"]
        listed = http.get(f"{G}/me/events", headers=bearer(token)).json()["value"]
        assert written.json()["id"] in {event["id"] for event in listed}
        unchanged = http.get(delta_link, headers=bearer(token))
        assert unchanged.status_code == 200 and unchanged.json()["value"] == []
        added = second.control.outlook_create(JONAS, event_body(subject="Added in Outlook"))
        changes = http.get(delta_link, headers=bearer(token)).json()["value"]
        assert [item["id"] for item in changes] == [added["id"]]


def test_a_revoked_grant_stays_revoked_after_a_restart(tmp_path: Path) -> None:
    state_file = str(tmp_path / "microsoft-emulator.json")
    with _serving(Emulator(state_file=state_file)) as (first, http):
        issued = tokens_for(http, MARIA)
        first.control.revoke_grant(MARIA)
    with _serving(Emulator(state_file=state_file)) as (_, http):
        response = refresh(http, issued["refresh_token"])
    assert response.status_code == 400 and response.json()["error_codes"] == [50173]


def test_with_a_save_delay_changes_are_written_behind_and_on_flush(tmp_path: Path) -> None:
    state_file = tmp_path / "microsoft-emulator.json"
    emulator = Emulator(state_file=str(state_file), save_delay=60.0)
    with run_emulator(emulator) as running:
        running.control.outlook_create(JONAS, event_body(subject="Not written yet"))
        assert "Not written yet" not in state_file.read_text()
        emulator.flush()
    assert "Not written yet" in state_file.read_text()
    assert Emulator(state_file=str(state_file)).state.seq == emulator.state.seq


def test_without_a_state_file_nothing_is_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with run_emulator(Emulator()) as running:
        running.control.outlook_create(JONAS, event_body())
    assert list(tmp_path.iterdir()) == []
