"""Seeds, the state file, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from zoom_emulator import Emulator
from zoom_emulator.__main__ import parse_args
from zoom_emulator.emulator import DEFAULT_SEED_FILE
from zoom_emulator.state import SeedError
from zoom_emulator.testing import run_emulator

from .clients import MARIA, bearer, meeting_body, user_tokens


def test_the_default_seed_has_the_demo_apps_and_accounts() -> None:
    emulator = Emulator()
    state = emulator.state
    assert state.oauth_apps["rendez-demo-client"].client_secret == "rendez-demo-secret"
    assert state.oauth_apps["rendez-demo-client"].webhook_secret == "rendez-demo-webhook-secret"
    assert state.s2s_apps["rendez-demo-s2s"].account_id == "demo-account"
    plans = {account.plan for account in state.accounts.values()}
    assert {"Free", "Pro"} <= plans
    clinic = state.users_of("demo-account")
    assert len(clinic) >= 3 and any(user.is_admin for user in clinic)


def test_state_survives_a_restart_through_the_state_file(tmp_path: Path) -> None:
    state_file = str(tmp_path / "zoom-state.json")
    with run_emulator(Emulator(state_file=state_file)) as zoom, httpx2.Client(base_url=zoom.base_url) as http:
        tokens = user_tokens(http, MARIA)
        meeting_id = http.post(
            "/v2/users/me/meetings", json=meeting_body(), headers=bearer(tokens["access_token"])
        ).json()["id"]
    with run_emulator(Emulator(state_file=state_file)) as zoom, httpx2.Client(base_url=zoom.base_url) as http:
        again = http.get(f"/v2/meetings/{meeting_id}", headers=bearer(tokens["access_token"]))
        assert again.status_code == 200 and again.json()["id"] == meeting_id


def test_a_seed_file_with_an_unknown_plan_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"accounts": [{"id": "x", "plan": "Platinum"}]}))
    with pytest.raises(SeedError):
        Emulator.from_seed_file(seed)


def test_the_command_line_takes_port_host_seed_and_state_file() -> None:
    args = parse_args(["--port", "9100", "--host", "0.0.0.0", "--seed", "s.json", "--state-file", "st.json"])
    assert (args.port, args.host, args.seed, args.state_file) == (9100, "0.0.0.0", "s.json", "st.json")
    assert parse_args([]).seed == str(DEFAULT_SEED_FILE)
