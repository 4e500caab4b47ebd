"""Django settings, read from the environment.

With nothing set, Rendez runs the embedded default: SQLite under var/, a development secret generated once and
kept in var/, email written to var/mail/. See .env.example for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet

from rendez.lib import client_ip, csp
from rendez.lib.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_str,
    private_dir,
    private_file,
    secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RENDEZ_VAR_DIR", str(BASE_DIR / "var")))
# Owner-only when Rendez creates it: it holds the SQLite database, development secrets and mail.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DEBUG = env_bool("RENDEZ_DEBUG", False)
PORT = env_int("PORT", 8000)
# `rendez serve`: requests handled at once (the rest queue), so its embedded worker keeps a share of the CPU.
SERVE_REQUEST_SLOTS = env_int("RENDEZ_SERVE_REQUEST_SLOTS", 4)
# `rendez serve`: its job worker in child processes (a CPU of their own) rather than threads of the server.
SERVE_WORKER_PROCESSES = env_bool("RENDEZ_SERVE_WORKER_PROCESSES", False)
BASE_URL = env_str("RENDEZ_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
# Not debugging and served over https: a production install. It must be given its secrets, and gets secure
# transport settings by default (below).
PRODUCTION = not DEBUG and BASE_URL.startswith("https://")

SECRET_KEY = secret("RENDEZ_SECRET_KEY", VAR_DIR / "secret_key", may_generate=not PRODUCTION)
# Comma separated Fernet keys; the first encrypts, all decrypt (rotation).
# In development a key is generated once into var/.
ENCRYPTION_KEYS = env_list("RENDEZ_ENCRYPTION_KEYS") or [
    secret(
        "RENDEZ_ENCRYPTION_KEYS",
        VAR_DIR / "encryption_key",
        generate=lambda: Fernet.generate_key().decode(),
        may_generate=not PRODUCTION,
    )
]
ALLOWED_HOSTS = env_list("RENDEZ_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("RENDEZ_CSRF_TRUSTED_ORIGINS", [BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "rendez.lib",
    "rendez.tenants",
    "rendez.scheduling",
    "rendez.jobs",
    "rendez.conferencing",
    "rendez.notifications",
    "rendez.integrations.zoom",
    "rendez.calendars",
    "rendez.integrations.google",
    "rendez.integrations.microsoft",
    "rendez.web",
    "rendez.api",
]

MIDDLEWARE = [
    # First: every later middleware logs with the request id, and the timing covers them all.
    "rendez.observability.middleware.RequestObservation",
    "django.middleware.security.SecurityMiddleware",
    "rendez.lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files itself: all else is no-store (rendez/lib/cache_control.py).
    "rendez.lib.cache_control.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# Requests to /api/ with an API key (Bearer) take these only: the key is their whole authentication, so the
# session, user, CSRF, messages, CSP nonce and htmx middlewares have nothing to do (rendez/lib/lean_api.py).
# Every other request, web pages first of all, takes all of MIDDLEWARE.
API_MIDDLEWARE = [
    "rendez.observability.middleware.RequestObservation",
    "django.middleware.security.SecurityMiddleware",
    "rendez.lib.cache_control.NoStoreMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rendez.urls"
WSGI_APPLICATION = "rendez.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rendez.lib.csp.nonce",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rendez.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("RENDEZ_DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer: IMMEDIATE transactions take the write lock up front, so concurrent bookings queue
    # instead of failing with "database is locked" on lock upgrade; WAL lets readers continue meanwhile.
    # Writers of this process queue first come, first served before SQLite's lock (rendez/lib/write_lock.py).
    DATABASES["default"]["ENGINE"] = "rendez.lib.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] != ":memory:":
        # Created owner-only before SQLite would create it with the umask's (world-readable) mode; its -wal
        # and -shm files take the database file's mode.
        private_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# The booking path's hand-written statements as server-side prepared statements on PostgreSQL
# (rendez/lib/rows.py `cursor`). Off for a connection pooler that cannot keep them across transactions
# (docs/operations.md). Django connects with prepare_threshold=None, with which psycopg prepares nothing even
# when asked; psycopg's own default (5) lets it. The ORM's cursors bind client-side and never prepare.
DB_PREPARED_STATEMENTS = env_bool("RENDEZ_DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns at start-up when its root is missing, even though it serves from the apps' folders here.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (business logos): served by Rendez itself (rendez/web/brand.py), never listed.
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Transport security. A production install (https RENDEZ_BASE_URL) redirects http to https, sends HSTS for a
# year, subdomains included, and marks cookies secure. Preloading commits the domain to browsers' lists, so it
# is the operator's choice: RENDEZ_HSTS_PRELOAD=0 records the decision and `check --deploy` stops asking.
SECURE_SSL_REDIRECT = env_bool("RENDEZ_SSL_REDIRECT", PRODUCTION)
# A load balancer's plain-http health checks must reach the checks, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("RENDEZ_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("RENDEZ_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("RENDEZ_HSTS_PRELOAD", False)
if env_str("RENDEZ_HSTS_PRELOAD").strip() and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "RENDEZ_SECURE_COOKIES", BASE_URL.startswith("https://")
)
# Behind a proxy that terminates TLS: the header it sets to "https" (X-Forwarded-Proto). Only name a header
# the proxy always overwrites, or a client could claim https itself.
_proxy_ssl_header = env_str("RENDEZ_PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# The proxies whose X-Forwarded-For names the client (IPs or CIDRs, comma separated; rendez/lib/client_ip.py):
# the sign-in limits count by the client's address. Default: none, every client is its REMOTE_ADDR.
TRUSTED_PROXIES = env_list("RENDEZ_TRUSTED_PROXIES")
client_ip.parse_networks(TRUSTED_PROXIES)  # a wrong entry stops start-up, naming the variable
# Content-Security-Policy for pages (rendez/lib/csp.py); `{nonce}` is each response's own, empty sends none.
CONTENT_SECURITY_POLICY = env_str("RENDEZ_CSP", csp.DEFAULT_POLICY)
CSP_REPORT_ONLY = env_bool("RENDEZ_CSP_REPORT_ONLY", False)
# Who may frame the embeddable booking page (/book/<slug>/embed/, docs/embed.md): CSP frame-ancestors sources;
# blank means the default, 'none' turns embedding off.
EMBED_FRAME_ANCESTORS = env_str("RENDEZ_EMBED_FRAME_ANCESTORS").strip() or csp.EMBED_FRAME_ANCESTORS

# Email: with no SMTP host configured, each message is written as an .eml file under var/mail/.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rendez <bookings@rendez.localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "rendez.notifications.mail.EmlFileBackend"
    EMAIL_FILE_PATH = str(private_dir(VAR_DIR / "mail"))

# Zoom. ZOOM_EMULATOR=1 mounts the emulator under /_zoom/ and points Rendez at it.
ZOOM_EMULATOR = env_bool("ZOOM_EMULATOR", False)
_zoom_default_oauth = f"{BASE_URL}/_zoom" if ZOOM_EMULATOR else "https://zoom.us"
ZOOM_OAUTH_BASE_URL = env_str("ZOOM_OAUTH_BASE_URL", _zoom_default_oauth).rstrip("/")
ZOOM_API_BASE_URL = env_str(
    "ZOOM_API_BASE_URL", f"{ZOOM_OAUTH_BASE_URL}/v2" if ZOOM_EMULATOR else "https://api.zoom.us/v2"
).rstrip("/")
# With the emulator, the platform's Zoom app defaults to the one in zoom_emulator/seeds/default.json.
ZOOM_CLIENT_ID = env_str("ZOOM_CLIENT_ID", "rendez-demo-client" if ZOOM_EMULATOR else "")
ZOOM_CLIENT_SECRET = env_str("ZOOM_CLIENT_SECRET", "rendez-demo-secret" if ZOOM_EMULATOR else "")
ZOOM_WEBHOOK_SECRET_TOKEN = env_str(
    "ZOOM_WEBHOOK_SECRET_TOKEN", "rendez-demo-webhook-secret" if ZOOM_EMULATOR else ""
)

# Video meeting vendors by name; the meeting lifecycle reaches each only through this registry.
CONFERENCING_PROVIDERS = {
    "zoom": "rendez.integrations.zoom.provider.ZoomProvider",
    "google_meet": "rendez.integrations.google.meet.GoogleMeetProvider",
    "teams": "rendez.integrations.microsoft.teams.TeamsProvider",
}

# Which ways of connecting Zoom tenants may use (any of staff_oauth, tenant_oauth, tenant_s2s).
ZOOM_CONNECTION_MODES = env_list("ZOOM_CONNECTION_MODES", ["staff_oauth", "tenant_oauth", "tenant_s2s"])
# The Zoom plan (free, pro, business) that sizes the request limiter of accounts whose plan is not known.
ZOOM_ACCOUNT_PLAN_DEFAULT = env_str("ZOOM_ACCOUNT_PLAN_DEFAULT", "pro").strip().lower()
# Meeting creates and updates Zoom takes per host user and UTC day (Zoom's figure; lower only for tests).
ZOOM_DAILY_MEETING_WRITES_PER_HOST = env_int("ZOOM_DAILY_MEETING_WRITES_PER_HOST", 100)

# Google Calendar (issue 18). CALENDAR_EMULATORS=1 points these at the emulator mounted under /_google/.
CALENDAR_EMULATORS = env_bool("CALENDAR_EMULATORS", False)
_google = f"{BASE_URL}/_google" if CALENDAR_EMULATORS else ""
GOOGLE_CLIENT_ID = env_str(
    "GOOGLE_CLIENT_ID", "rendez-demo.apps.googleusercontent.com" if CALENDAR_EMULATORS else ""
)
GOOGLE_CLIENT_SECRET = env_str(
    "GOOGLE_CLIENT_SECRET", "GOCSPX-rendez-demo-secret" if CALENDAR_EMULATORS else ""
)
GOOGLE_OAUTH_BASE_URL = env_str(
    "GOOGLE_OAUTH_BASE_URL", f"{_google}/accounts" if _google else "https://accounts.google.com"
).rstrip("/")
GOOGLE_TOKEN_URL = env_str(
    "GOOGLE_TOKEN_URL", f"{_google}/oauth2/token" if _google else "https://oauth2.googleapis.com/token"
)
GOOGLE_REVOKE_URL = env_str(
    "GOOGLE_REVOKE_URL", f"{_google}/oauth2/revoke" if _google else "https://oauth2.googleapis.com/revoke"
)
GOOGLE_USERINFO_URL = env_str(
    "GOOGLE_USERINFO_URL",
    f"{_google}/openidconnect/v1/userinfo" if _google else "https://openidconnect.googleapis.com/v1/userinfo",
)
GOOGLE_CALENDAR_API_BASE_URL = env_str(
    "GOOGLE_CALENDAR_API_BASE_URL",
    f"{_google}/calendar/v3" if _google else "https://www.googleapis.com/calendar/v3",
).rstrip("/")
# Push channels need an https RENDEZ_BASE_URL Google can reach; without one Rendez polls every 60 s. The
# emulator can deliver to http (its allow_insecure_push switch): GOOGLE_PUSH_OVER_HTTP=1 uses that (emulator
# only: Google refuses http addresses).
GOOGLE_PUSH_OVER_HTTP = env_bool("GOOGLE_PUSH_OVER_HTTP", False)

# Microsoft 365 calendars over Microsoft Graph (issue 18 section 3). The emulator (microsoft_emulator/)
# answers at `{root}/login` and `{root}/graph/v1.0`. Refresh tokens rotate; no revocation endpoint.
# CALENDAR_EMULATORS=1 points them at the emulator mounted under /_microsoft/ (rendez/devserver).
_microsoft = f"{BASE_URL}/_microsoft" if CALENDAR_EMULATORS else ""
MICROSOFT_CLIENT_ID = env_str(
    "MICROSOFT_CLIENT_ID", "5f0c7a8e-3d2b-4c1a-9e8f-0a1b2c3d4e5f" if CALENDAR_EMULATORS else ""
)
MICROSOFT_CLIENT_SECRET = env_str(
    "MICROSOFT_CLIENT_SECRET", "rendez-demo-microsoft-secret" if CALENDAR_EMULATORS else ""
)
MICROSOFT_LOGIN_BASE_URL = env_str(
    "MICROSOFT_LOGIN_BASE_URL", f"{_microsoft}/login" if _microsoft else "https://login.microsoftonline.com"
).rstrip("/")
MICROSOFT_GRAPH_BASE_URL = env_str(
    "MICROSOFT_GRAPH_BASE_URL",
    f"{_microsoft}/graph/v1.0" if _microsoft else "https://graph.microsoft.com/v1.0",
).rstrip("/")
# Subscriptions need an https RENDEZ_BASE_URL Graph can reach; without one Rendez polls the delta link
# every 60 s. MICROSOFT_NOTIFICATIONS_OVER_HTTP=1 subscribes over http anyway (emulator only: Graph refuses).
MICROSOFT_NOTIFICATIONS_OVER_HTTP = env_bool("MICROSOFT_NOTIFICATIONS_OVER_HTTP", False)

# Outbound HTTP never calls private or loopback addresses, except the configured Zoom base URLs (the emulator)
# and the `host` or `host:port` entries listed here, which every call may reach, tenants' webhooks included.
HTTP_TRUSTED_HOSTS = env_list("RENDEZ_HTTP_TRUSTED_HOSTS")
HTTP_TIMEOUT_SECONDS = float(env_str("RENDEZ_HTTP_TIMEOUT", "10"))

DEMO_API_KEY = env_str("RENDEZ_DEMO_API_KEY")

# Self-service sign-up at /signup/ (docs/operations.md, "Sign-up"): on unless the operator turns it off. A
# new business gets the plan it picks among RENDEZ_SIGNUP_PLANS (plan slugs; default: every plan), or the only
# one.
SIGNUP_ENABLED = env_bool("RENDEZ_SIGNUP_ENABLED", True)
SIGNUP_PLANS = env_list("RENDEZ_SIGNUP_PLANS")

NINJA_PAGINATION_PER_PAGE = 50
# No request Rendez takes comes near 1 MiB (the largest, a service with its staff or a message template, is a
# few KiB): bigger bodies are refused before they are read into memory (the API answers 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Logs: one JSON object per line, or readable lines under DEBUG or with RENDEZ_LOG_FORMAT=console (which
# `make run` sets); each with the request id (docs/observability.md).
LOG_FORMAT = env_str("RENDEZ_LOG_FORMAT") or ("console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    raise ConfigurationError(f"RENDEZ_LOG_FORMAT must be json or console, got {LOG_FORMAT!r}.")
LOGGING_CONFIG = "rendez.observability.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"rendez": {"()": "rendez.observability.logs.formatter", "renderer": LOG_FORMAT}},
    "filters": {"paths_as_routes": {"()": "rendez.observability.logs.PathsAsRoutes"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "rendez"}},
    "root": {"handlers": ["console"], "level": env_str("RENDEZ_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print its lines a second time, unformatted.
        "django": {"level": "INFO"},
        # Their warnings name the request path, which may hold a booking's manage token.
        "django.request": {"filters": ["paths_as_routes"]},
        "django.security.csrf": {"filters": ["paths_as_routes"]},
        "django.server": {"level": "WARNING"},
        # The development server's request lines carry the full path (a manage token, a magic link); Rendez's
        # own access line names the route instead.
        "werkzeug": {"level": "WARNING"},
        # httpx2 logs every request's full URL at INFO; our own Zoom client logs what is safe to log instead.
        "httpx2": {"level": "WARNING"},
    },
}
# Who may read /metrics: a bearer token; unset, nobody unless DEBUG is on.
METRICS_TOKEN = env_str("RENDEZ_METRICS_TOKEN")
# /readyz fails when no job worker was heard from for this many seconds (rendez/jobs/presence.py).
READYZ_WORKER_STALE_SECONDS = env_int("RENDEZ_READYZ_WORKER_STALE_SECONDS", 60)

# Static files are served by WhiteNoise straight from the apps' folders: no collectstatic step for `make run`.
WHITENOISE_USE_FINDERS = True
