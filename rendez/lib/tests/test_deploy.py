"""A production install from the environment, run as an operator runs it: the `rendez` command in a
subprocess with nothing but the variables given here.

A production install is RENDEZ_DEBUG=0 with an https RENDEZ_BASE_URL: it refuses to generate its secrets,
turns on HTTPS-only transport, and passes `rendez check --deploy`. A development install generates its
secrets once; everything it keeps under var/ is its owner's alone.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

RENDEZ = str(Path(sys.executable).with_name("rendez"))
SECRET_KEY = "kV3n-8a1Qe9rT4yU6iO0pA2sD5fG7hJ9kL1zX3cV5bN7mQ9wE1rT3yU5iO7pA9sD"


def production(var_dir: Path, **overrides: str) -> dict[str, str]:
    """What an operator sets for https://book.example.com behind a TLS-terminating proxy."""
    environment = {
        "PATH": os.environ["PATH"],
        "RENDEZ_VAR_DIR": str(var_dir),
        "RENDEZ_DEBUG": "0",
        "RENDEZ_BASE_URL": "https://book.example.com",
        "RENDEZ_ALLOWED_HOSTS": "book.example.com",
        "RENDEZ_SECRET_KEY": SECRET_KEY,
        "RENDEZ_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "RENDEZ_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "RENDEZ_TRUSTED_PROXIES": "10.0.0.5",
        "RENDEZ_HSTS_PRELOAD": "0",  # decided against: the domain is not submitted to browsers' lists
        "ZOOM_CLIENT_ID": "platform-app",
        "ZOOM_CLIENT_SECRET": "platform-app-secret",
        "ZOOM_WEBHOOK_SECRET_TOKEN": "platform-app-events",
    }
    environment.update(overrides)
    return {name: value for name, value in environment.items() if value is not None}


def rendez(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RENDEZ, *args], env=env, capture_output=True, text=True, timeout=120)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_check_deploy_is_clean_for_a_production_environment(tmp_path):
    checked = rendez("check", "--deploy", "--fail-level", "WARNING", env=production(tmp_path))

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "System check identified no issues (1 silenced)."


def test_check_deploy_asks_about_preloading_until_the_operator_decides(tmp_path):
    undecided = production(tmp_path)
    del undecided["RENDEZ_HSTS_PRELOAD"]

    checked = rendez("check", "--deploy", env=undecided)

    assert "security.W021" in checked.stderr
    assert "System check identified 1 issue (0 silenced)." in checked.stderr


def test_check_deploy_warns_when_the_proxy_is_not_trusted_to_name_clients(tmp_path):
    untrusted = production(tmp_path)
    del untrusted["RENDEZ_TRUSTED_PROXIES"]

    checked = rendez("check", "--deploy", env=untrusted)

    assert "rendez.W002" in checked.stderr and "RENDEZ_TRUSTED_PROXIES is empty" in checked.stderr


def test_a_wrong_trusted_proxy_stops_start_up_naming_the_variable(tmp_path):
    checked = rendez("check", env=production(tmp_path, RENDEZ_TRUSTED_PROXIES="nginx.internal"))

    assert checked.returncode != 0
    assert "RENDEZ_TRUSTED_PROXIES must list IP addresses or CIDRs, got 'nginx.internal'" in checked.stderr


def test_production_transport_settings_come_from_the_environment(tmp_path):
    printed = rendez(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))",
        env=production(tmp_path, RENDEZ_HSTS_SECONDS="600", RENDEZ_HSTS_PRELOAD="1"),
    )

    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == [
        True,
        600,
        True,
        True,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ]


@pytest.mark.parametrize("missing", ["RENDEZ_SECRET_KEY", "RENDEZ_ENCRYPTION_KEYS"])
def test_a_production_install_without_its_secret_stops_with_a_clear_message(tmp_path, missing):
    started = rendez("check", env=production(tmp_path, **{missing: ""}))

    assert started.returncode == 1
    assert started.stderr.startswith(f"rendez: {missing} is not set. Rendez runs as a production install")
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "encryption_key").exists()


def test_a_development_install_keeps_everything_under_var_to_its_owner(tmp_path):
    var = tmp_path / "var"
    development = {"PATH": os.environ["PATH"], "RENDEZ_VAR_DIR": str(var)}

    migrated = rendez("migrate", "--no-input", "-v", "0", env=development)

    assert migrated.returncode == 0, migrated.stderr
    assert mode_of(var) == 0o700
    files = [path for path in var.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert {"rendez.sqlite3", "secret_key", "encryption_key"} <= names
    assert {path.name: oct(mode_of(path)) for path in files if mode_of(path) & 0o077} == {}
    assert mode_of(var / "mail") == 0o700


def test_a_database_file_left_world_readable_by_an_earlier_version_is_tightened(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    database = var / "rendez.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)

    checked = rendez("check", env={"PATH": os.environ["PATH"], "RENDEZ_VAR_DIR": str(var)})

    assert checked.returncode == 0, checked.stderr
    assert mode_of(database) == 0o600
