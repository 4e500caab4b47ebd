"""Tunable lifetimes and limits; tests shorten the slow ones instead of sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field

FIFTEEN_YEARS = 15 * 365 * 86400


@dataclass
class EmulatorConfig:
    code_ttl: float = 300.0
    access_token_ttl: float = 3600.0
    # Zoom's own documents disagree (15 years vs ~90 days); 15 years is the documented value.
    refresh_token_ttl: float = float(FIFTEEN_YEARS)
    start_url_ttl: float = 7200.0
    page_token_ttl: float = 900.0
    daily_meeting_writes_per_host: int = 100
    # Zoom: "a maximum limit of 4,999 registrants per meeting"; 3 adds of one registrant to one meeting and
    # 10 status changes of one registrant per UTC day (zoom-api.md, Registrants).
    registrants_per_meeting: int = 4999
    daily_adds_per_registrant: int = 3
    daily_status_changes_per_registrant: int = 10
    enforce_rate_limits: bool = True
    # Zoom retries 5, 20 and 60 minutes apart (zoom-api.md 6.4).
    webhook_retry_delays: tuple[float, ...] = field(default_factory=lambda: (300.0, 1200.0, 3600.0))
    webhook_timeout: float = 3.0
    # How long a "timeout" fault holds the connection before answering 504.
    fault_hang_seconds: float = 30.0
