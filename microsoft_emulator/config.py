"""Tunable lifetimes and limits; tests shorten the slow ones instead of sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 86400.0


@dataclass
class EmulatorConfig:
    # Authorization codes "typically expire after about 10 minutes" (v2-oauth2-auth-code-flow).
    code_ttl: float = 600.0
    # Access tokens live "between 60-90 minutes (75 minutes on average)" (access-tokens#token-lifetime).
    access_token_min_ttl: int = 3600
    access_token_max_ttl: int = 5399
    # "90 days for all other scenarios" (refresh-tokens#token-lifetime); each new refresh token gets its own.
    refresh_token_ttl: float = 90 * DAY
    # Outlook keeps delta tokens in a cache of unspecified size; the emulator forgets them after this long.
    delta_token_ttl: float = 7 * DAY
    page_token_ttl: float = 3600.0
    default_page_size: int = 10
    # Outlook event subscriptions: at most 10,080 minutes (under 7 days) ahead (subscription resource type).
    max_subscription_minutes: int = 10080
    # "within 10 seconds" for the validation handshake (change-notifications-delivery-webhooks).
    validation_timeout: float = 10.0
    # Graph expects a 2xx "within 3 seconds" for each notification POST.
    notification_timeout: float = 3.0
    # Pauses between retries of an undelivered notification (Graph retries for up to 4 hours).
    notification_retry_delays: tuple[float, ...] = field(default_factory=lambda: (60.0, 600.0, 3600.0))
    # Real Graph refuses http notification URLs; tests flip this (also via /_control/settings).
    allow_http_notification_urls: bool = False
    fault_hang_seconds: float = 30.0
