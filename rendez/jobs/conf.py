"""The outbox's knobs: a Django setting wins, then the environment variable, then the default.

Read at call time, not import time, so tests can use `override_settings` and subprocess workers can be tuned
by environment.
"""

from __future__ import annotations

import os

from django.conf import settings

from rendez.lib.env import env_bool, env_list

NOTIFY_CHANNEL = "rendez_jobs"


def _number(setting: str, env: str, default: float) -> float:
    value = getattr(settings, setting, None)
    if value is not None:
        return float(value)
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{env} must be a number, got {raw!r}") from None


def lease_seconds() -> float:
    """How long a claim holds a job without a heartbeat before another worker may take it over."""
    return _number("JOBS_LEASE_SECONDS", "RENDEZ_JOBS_LEASE_SECONDS", 60.0)


def poll_interval() -> float:
    """Idle workers look for due jobs this often; on PostgreSQL NOTIFY usually wakes them sooner."""
    return _number("JOBS_POLL_INTERVAL", "RENDEZ_JOBS_POLL_INTERVAL", 1.0)


def backoff_base() -> float:
    return _number("JOBS_BACKOFF_BASE", "RENDEZ_JOBS_BACKOFF_BASE", 10.0)


def backoff_max() -> float:
    return _number("JOBS_BACKOFF_MAX", "RENDEZ_JOBS_BACKOFF_MAX", 3600.0)


def default_max_attempts() -> int:
    return int(_number("JOBS_MAX_ATTEMPTS", "RENDEZ_JOBS_MAX_ATTEMPTS", 8))


def listen_enabled() -> bool:
    """LISTEN/NOTIFY on PostgreSQL; off means polling only (the benchmark compares both)."""
    value = getattr(settings, "JOBS_LISTEN", None)
    return bool(value) if value is not None else env_bool("RENDEZ_JOBS_LISTEN", True)


def extra_handler_modules() -> list[str]:
    """Modules imported at startup besides each app's jobs.py/handlers.py (e.g. test handlers for workers)."""
    value = getattr(settings, "JOBS_EXTRA_MODULES", None)
    return list(value) if value is not None else env_list("RENDEZ_JOBS_EXTRA_MODULES")
