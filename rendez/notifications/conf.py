"""The notifications' knobs: a Django setting wins, then the environment variable, then the default.

Read at call time so tests can override settings, and usable before settings.py names them.
"""

from __future__ import annotations

import os

from django.conf import settings


def _value(setting: str, env: str, default: str) -> str:
    value = getattr(settings, setting, None)
    if value not in (None, ""):
        return str(value)
    return os.environ.get(env, "").strip() or default


def meeting_wait_seconds() -> float:
    """How long a message that shows the meeting link waits for the meeting before going out without it."""
    return float(
        _value("NOTIFICATIONS_MEETING_WAIT_SECONDS", "RENDEZ_NOTIFICATIONS_MEETING_WAIT_SECONDS", "120")
    )


def meeting_poll_seconds() -> float:
    """How often a waiting delivery looks at the meeting again."""
    return float(
        _value("NOTIFICATIONS_MEETING_POLL_SECONDS", "RENDEZ_NOTIFICATIONS_MEETING_POLL_SECONDS", "10")
    )


def max_attempts() -> int:
    return int(_value("NOTIFICATIONS_MAX_ATTEMPTS", "RENDEZ_NOTIFICATIONS_MAX_ATTEMPTS", "6"))


def twilio_base_url() -> str:
    return _value("TWILIO_API_BASE_URL", "TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/")


def telegram_base_url() -> str:
    return _value("TELEGRAM_API_BASE_URL", "TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def twilio_account_sid() -> str:
    return _value("TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID", "")


def twilio_auth_token() -> str:
    return _value("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN", "")


def twilio_sms_from() -> str:
    return _value("TWILIO_SMS_FROM", "TWILIO_SMS_FROM", "")


def twilio_whatsapp_from() -> str:
    return _value("TWILIO_WHATSAPP_FROM", "TWILIO_WHATSAPP_FROM", "")


def telegram_bot_token() -> str:
    return _value("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN", "")


def webhook_secret() -> str:
    return _value("NOTIFICATIONS_WEBHOOK_SECRET", "RENDEZ_NOTIFICATIONS_WEBHOOK_SECRET", "")
