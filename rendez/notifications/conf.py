"""The notifications' knobs, read through `rendez.lib.env.setting_or_env`: a Django setting wins, then the
environment variable, then the default.

Read at call time so tests can override settings; the variables are listed in .env.example.
"""

from __future__ import annotations

from rendez.lib.env import env_float, env_int, env_str, setting_or_env


def meeting_wait_seconds() -> float:
    """How long a message that shows the meeting link waits for the meeting before going out without it."""
    return float(
        setting_or_env(
            "NOTIFICATIONS_MEETING_WAIT_SECONDS",
            "RENDEZ_NOTIFICATIONS_MEETING_WAIT_SECONDS",
            env_float,
            120.0,
        )
    )


def meeting_poll_seconds() -> float:
    """How often a waiting delivery looks at the meeting again."""
    return float(
        setting_or_env(
            "NOTIFICATIONS_MEETING_POLL_SECONDS", "RENDEZ_NOTIFICATIONS_MEETING_POLL_SECONDS", env_float, 10.0
        )
    )


def max_attempts() -> int:
    return int(setting_or_env("NOTIFICATIONS_MAX_ATTEMPTS", "RENDEZ_NOTIFICATIONS_MAX_ATTEMPTS", env_int, 6))


def twilio_base_url() -> str:
    return _text("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/")


def telegram_base_url() -> str:
    return _text("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def twilio_account_sid() -> str:
    return _text("TWILIO_ACCOUNT_SID")


def twilio_auth_token() -> str:
    return _text("TWILIO_AUTH_TOKEN")


def twilio_sms_from() -> str:
    return _text("TWILIO_SMS_FROM")


def twilio_whatsapp_from() -> str:
    return _text("TWILIO_WHATSAPP_FROM")


def telegram_bot_token() -> str:
    return _text("TELEGRAM_BOT_TOKEN")


def webhook_secret() -> str:
    return _text("NOTIFICATIONS_WEBHOOK_SECRET", env="RENDEZ_NOTIFICATIONS_WEBHOOK_SECRET")


def _text(setting: str, default: str = "", *, env: str | None = None) -> str:
    """A text knob; the vendors' variables carry the setting's own name (TWILIO_AUTH_TOKEN, ...)."""
    return str(setting_or_env(setting, env or setting, env_str, default)).strip() or default
