"""Tiny typed readers for configuration: the one way Rendez reads its settings.

`settings.py` reads the environment once, at start-up, with `env_str`, `env_bool`, `env_int`, `env_float`
and `env_list`. Apps' knobs that tests tune with `override_settings` and subprocess workers tune by
environment (`jobs/conf.py`, `notifications/conf.py`) read at call time with `setting_or_env`: the Django
setting when it is set, else the environment variable, else the default.

Secrets come from `secret()`: the variable when set; in development one generated once and kept owner-only in
var/; in production start-up stops instead (`MissingSecretError`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class ConfigurationError(ImproperlyConfigured, ValueError):
    """A variable is set to something Rendez cannot read; the message names it and says what it expects."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# Owner-only: var/ holds the database, the secrets and the mail of a development install.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """1/0, true/false, yes/no, on/off; unset or blank (`NAME=` as .env.example lists it) means `default`."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be a boolean (1/0, true/false), got {os.environ[name]!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma separated list; set but empty means an empty list, unset means `default`."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def setting_or_env(setting: str, env: str, read: Callable[[str, T], T], default: T) -> T:
    """The Django setting `setting` when it is set (not None or ""), used as is; otherwise
    `read(env, default)` with one of the `env_*` readers above.

    Read at call time, not import time, so tests can use `override_settings` and worker processes started by
    a test or a benchmark can be tuned through their environment."""
    value: Any = getattr(settings, setting, None)
    if value is None or value == "":
        return read(env, default)
    return cast(T, value)


# --- secrets ------------------------------------------------------------------------------------------------


class MissingSecretError(ImproperlyConfigured):
    """A production install started without a secret it must be given."""


def secret(
    name: str, path: Path, *, generate: Callable[[], str] | None = None, may_generate: bool = True
) -> str:
    """The environment variable `name` when set.

    Otherwise, with `may_generate` (development), a secret generated once and kept owner-only in `path`, so
    restarts keep what it protects. Without it (production), raise `MissingSecretError`: a generated secret
    would differ on every machine and be lost with an ephemeral var/, leaving whatever it protects unreadable.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not may_generate:
        raise MissingSecretError(_missing_secret_message(name, path))
    if path.exists():
        return path.read_text().strip()
    value = (generate or _token)()
    write_private(path, value)
    return value


def _token() -> str:
    return secrets.token_urlsafe(50)


def _missing_secret_message(name: str, path: Path) -> str:
    message = (
        f"{name} is not set. Rendez runs as a production install (RENDEZ_DEBUG=0 and an https "
        "RENDEZ_BASE_URL), where it does not generate secrets: a generated one would differ on every "
        f"machine and be lost with var/. Set {name} in the environment (see .env.example)."
    )
    if path.exists():
        message += (
            f" An earlier start generated one in {path}: to keep reading what it protects, set {name} to "
            "that file's contents."
        )
    return message


# --- owner-only files ---------------------------------------------------------------------------------------


def write_private(path: Path, content: str | bytes) -> None:
    """Write `content` to `path`, readable by its owner only from the first byte (no window with the umask's
    mode)."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content.encode() if isinstance(content, str) else content)
    _tighten(path, PRIVATE_FILE_MODE)  # os.open leaves an existing file's mode as it was


def private_file(path: Path) -> Path:
    """Make sure `path` exists and is owner-only, before another program (SQLite) creates it with the umask's
    mode. SQLite gives its -wal and -shm files the database file's mode."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    _tighten(path, PRIVATE_FILE_MODE)
    return path


def private_dir(path: Path) -> Path:
    """Create the directory `path` owner-only, or make it so when it exists: for directories that are Rendez's
    own (var/mail), never for one an operator names (RENDEZ_VAR_DIR may be shared)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    # Only what this user owns: chmod on another user's file fails, and it is theirs to set.
    status = path.stat()
    if status.st_uid == os.geteuid() and status.st_mode & 0o777 != mode:
        path.chmod(mode)
