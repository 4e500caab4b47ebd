"""Gunicorn settings for Rendez's web processes: `gunicorn -c deploy/gunicorn.conf.py rendez.wsgi`.

Sync workers: a request is short database work (a booking is one transaction; its Zoom meeting and its
messages are jobs for `rendez worker`), so one request per process at a time is the simple, predictable
choice. The few requests that call Zoom themselves (saving S2S credentials, starting a meeting) are rare and
bounded by the HTTP client's timeout. Every value can be set from the environment, so the systemd units and
the Procfile share this file. See docs/operations.md.
"""

from __future__ import annotations

import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("RENDEZ_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Gunicorn's usual rule of thumb; WEB_CONCURRENCY is the name platforms (and gunicorn itself) use.
workers = _env_int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
# The database's statement timeout should be lower: a request stuck longer than this is killed and logged.
timeout = _env_int("RENDEZ_WEB_TIMEOUT", 30)
graceful_timeout = _env_int("RENDEZ_WEB_GRACEFUL_TIMEOUT", 30)
# Behind the reverse proxy keep-alive is the proxy's business; a short one frees sync workers quickly.
keepalive = 2
# Recycle workers now and then, jittered so they do not all restart at once: bounds any slow memory growth.
max_requests = _env_int("RENDEZ_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Which proxies may set X-Forwarded-For/-Proto: only the reverse proxy (nginx on the same machine by default).
forwarded_allow_ips = os.environ.get("RENDEZ_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Off by default: Rendez writes its own access line per request (route template, status, time, request id;
# docs/observability.md), while gunicorn's would carry the path, and some paths carry a secret (a customer's
# manage token, a magic sign-in link). Set RENDEZ_ACCESS_LOG=- to have it anyway.
accesslog = os.environ.get("RENDEZ_ACCESS_LOG") or None
# %(U)s is the path without its query string: OAuth codes and states travel in query strings.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("RENDEZ_LOG_LEVEL", "info").lower()


def child_exit(server: object, worker: object) -> None:
    """With Prometheus' multiprocess mode (PROMETHEUS_MULTIPROC_DIR), a dead worker's gauge files must be
    marked dead, or /metrics keeps reporting them."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
