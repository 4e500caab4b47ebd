"""CALENDAR_EMULATORS=1: the Google emulator answers under /_google/ and knows Rendez's callback URI."""

from __future__ import annotations

from werkzeug.test import Client
from werkzeug.wrappers import Response

from rendez.devserver import google_mount


def test_the_emulator_answers_under_its_mount_and_knows_the_callback(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.BASE_URL = "http://127.0.0.1:8123"
    settings.GOOGLE_CLIENT_ID = "rendez-demo.apps.googleusercontent.com"
    app = google_mount.with_emulator(Response("rendez"))
    browser = Client(app)
    assert browser.get("/").get_data(as_text=True) == "rendez"
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:8123/integrations/google/callback",
        "response_type": "code",
        "scope": "openid email",
    }
    consent = browser.get("/_google/accounts/o/oauth2/v2/auth", query_string=query)
    assert consent.status_code == 200, consent.get_data(as_text=True)[:300]
