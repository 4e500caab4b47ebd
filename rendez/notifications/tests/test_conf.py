"""The notifications' knobs read like every other Rendez setting: a Django setting, else the environment
variable, else the default."""

from __future__ import annotations

from rendez.notifications import conf


def test_defaults_when_nothing_is_set(settings, monkeypatch):
    for name in ("RENDEZ_NOTIFICATIONS_MAX_ATTEMPTS", "TWILIO_API_BASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert conf.max_attempts() == 6
    assert conf.meeting_wait_seconds() == 120.0
    assert conf.twilio_base_url() == "https://api.twilio.com"
    assert conf.telegram_bot_token() == ""


def test_the_environment_tunes_a_worker_process(monkeypatch):
    monkeypatch.setenv("RENDEZ_NOTIFICATIONS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("RENDEZ_NOTIFICATIONS_MEETING_POLL_SECONDS", "0.5")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "https://telegram.internal.example/")
    monkeypatch.setenv("RENDEZ_NOTIFICATIONS_WEBHOOK_SECRET", "whsec-env")
    assert conf.max_attempts() == 3
    assert conf.meeting_poll_seconds() == 0.5
    assert conf.telegram_base_url() == "https://telegram.internal.example"
    assert conf.webhook_secret() == "whsec-env"


def test_a_django_setting_wins_over_the_environment(settings, monkeypatch):
    monkeypatch.setenv("RENDEZ_NOTIFICATIONS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "from-env")
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 9
    settings.TWILIO_AUTH_TOKEN = "from-settings"
    assert conf.max_attempts() == 9
    assert conf.twilio_auth_token() == "from-settings"
