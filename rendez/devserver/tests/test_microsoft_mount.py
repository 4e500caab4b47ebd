"""CALENDAR_EMULATORS=1: the Microsoft emulator answers under /_microsoft/ and knows Rendez's callback URI."""

from __future__ import annotations

from werkzeug.test import Client
from werkzeug.wrappers import Response

from rendez.devserver import microsoft_mount


def test_the_emulator_answers_under_its_mount_and_knows_the_callback(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # its state file
    settings.BASE_URL = "http://127.0.0.1:8123"
    settings.MICROSOFT_CLIENT_ID = "5f0c7a8e-3d2b-4c1a-9e8f-0a1b2c3d4e5f"
    app = microsoft_mount.with_emulator(Response("rendez"))
    browser = Client(app)
    assert browser.get("/").get_data(as_text=True) == "rendez"
    query = {
        "client_id": settings.MICROSOFT_CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:8123/integrations/microsoft/callback",
        "response_type": "code",
        "scope": "openid offline_access Calendars.ReadWrite",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }
    consent = browser.get("/_microsoft/login/common/oauth2/v2.0/authorize", query_string=query)
    assert consent.status_code == 200, consent.get_data(as_text=True)[:300]
    assert (tmp_path / "microsoft-emulator.json").exists()
