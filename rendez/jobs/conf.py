"""The outbox's knobs: a Django setting wins, then the environment variable, then the default.

Read at call time through `rendez.lib.env.setting_or_env`, so tests can use `override_settings` and subprocess
workers can be tuned by environment.
"""

from __future__ import annotations

from rendez.lib.env import env_bool, env_float, env_int, env_list, setting_or_env

NOTIFY_CHANNEL = "rendez_jobs"


def lease_seconds() -> float:
    """How long a claim holds a job without a heartbeat before another worker may take it over."""
    return float(setting_or_env("JOBS_LEASE_SECONDS", "RENDEZ_JOBS_LEASE_SECONDS", env_float, 60.0))


def poll_interval() -> float:
    """Idle workers look for due jobs this often; on PostgreSQL NOTIFY usually wakes them sooner."""
    return float(setting_or_env("JOBS_POLL_INTERVAL", "RENDEZ_JOBS_POLL_INTERVAL", env_float, 1.0))


def backoff_base() -> float:
    return float(setting_or_env("JOBS_BACKOFF_BASE", "RENDEZ_JOBS_BACKOFF_BASE", env_float, 10.0))


def backoff_max() -> float:
    return float(setting_or_env("JOBS_BACKOFF_MAX", "RENDEZ_JOBS_BACKOFF_MAX", env_float, 3600.0))


def default_max_attempts() -> int:
    return int(setting_or_env("JOBS_MAX_ATTEMPTS", "RENDEZ_JOBS_MAX_ATTEMPTS", env_int, 8))


def default_time_limit() -> float:
    """Seconds a handler may run before its attempt is abandoned, for kinds that set none; 0: no limit."""
    return float(setting_or_env("JOBS_TIME_LIMIT", "RENDEZ_JOBS_TIME_LIMIT", env_float, 600.0))


def retention_days() -> float:
    """Finished jobs (succeeded, cancelled, dead) older than this are deleted by the workers; 0 keeps them."""
    return float(setting_or_env("JOBS_RETENTION_DAYS", "RENDEZ_JOBS_RETENTION_DAYS", env_float, 30.0))


def listen_enabled() -> bool:
    """LISTEN/NOTIFY on PostgreSQL; off means polling only (the benchmark compares both)."""
    return bool(setting_or_env("JOBS_LISTEN", "RENDEZ_JOBS_LISTEN", env_bool, True))


def extra_handler_modules() -> list[str]:
    """Modules imported at startup besides each app's jobs.py/handlers.py (e.g. test handlers for workers)."""
    modules: list[str] = setting_or_env("JOBS_EXTRA_MODULES", "RENDEZ_JOBS_EXTRA_MODULES", env_list, [])
    return list(modules)
