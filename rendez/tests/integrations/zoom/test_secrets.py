"""Zoom's tokens and secrets at rest and in logs: a database dump without the key shows none of them, and no
log record of a connect, refresh or disconnect does either."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection as db

from rendez.integrations.zoom import tokens
from rendez.integrations.zoom.client import ZoomClient
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.schemas import Me
from rendez.jobs.models import Job
from rendez.lib import vault
from rendez.tests.integrations.zoom.fixtures import (
    CLIENT_SECRET,
    JONAS,
    LEA,
    MARIA,
    S2S_ACCOUNT_ID,
    S2S_CLIENT_ID,
    S2S_CLIENT_SECRET,
    WEBHOOK_SECRET,
    connect_staff,
    connect_tenant,
    make_token_due,
    run_jobs,
)
from rendez.tests.integrations.zoom.token_guard import log_text

S2S_CREDENTIALS = {
    "account_id": S2S_ACCOUNT_ID,
    "client_id": S2S_CLIENT_ID,
    "client_secret": S2S_CLIENT_SECRET,
}


def issued_secrets(zoom) -> set[str]:
    """Every token the emulator ever issued (live, rotated or revoked) and the secrets Rendez was given."""
    with zoom.emulator.lock:
        issued = set(zoom.emulator.state.tokens)
    assert issued, "the emulator issued no token: the flows did not run"
    return issued | {S2S_CLIENT_SECRET, CLIENT_SECRET, WEBHOOK_SECRET}


def _text(value: object) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("latin-1")
    return str(value)


def select_dump() -> str:
    """Every row of every table, as `SELECT *` reads it."""
    lines = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")
            lines += [f"{table}: " + " | ".join(_text(value) for value in row) for row in cursor.fetchall()]
    return "\n".join(lines)


def native_dump() -> str:
    """What someone who walks off with the database has: `pg_dump`'s output, or the SQLite files' bytes."""
    config = db.settings_dict
    if db.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            return ""
        command = ["pg_dump", "--no-owner", "--dbname", config["NAME"]]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if config.get(key):
                command += [option, str(config[key])]
        env = os.environ | ({"PGPASSWORD": config["PASSWORD"]} if config.get("PASSWORD") else {})
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    path = Path(config["NAME"])
    files = [path, path.with_name(path.name + "-wal")]
    return "".join(file.read_bytes().decode("latin-1") for file in files if file.exists())


@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump and the SQLite file see the rows
def test_a_database_dump_holds_no_token_or_secret(settings, zoom, api, outsider_api, alice, bob, maria, nina):
    connect_staff(api, zoom, maria, MARIA)
    connect_staff(api, zoom, nina, LEA)
    assert api.delete(f"/staff/{nina.pk}/zoom").status_code == 204  # leaves a revoke job holding the token
    assert api.put("/integrations/zoom/s2s", S2S_CREDENTIALS).status_code == 200
    connect_tenant(outsider_api, zoom, bob, JONAS)
    tokens.access_token(make_token_due(staff=maria))  # a rotated pair
    assert Job.objects.filter(kind="zoom.revoke").exists()

    dumps = {"SELECT * of every table": select_dump(), f"{db.vendor} dump": native_dump()}

    secrets = issued_secrets(zoom)
    for name, dump in dumps.items():
        found = sorted(secret[:12] + "…" for secret in secrets if secret in dump)
        assert found == [], f"{name} shows {found}"
        for key in settings.ENCRYPTION_KEYS:
            assert key not in dump, f"{name} shows the encryption key"
    stored = list(Connection.objects.order_by("pk"))
    assert {connection.mode for connection in stored} == {
        Mode.STAFF_OAUTH,
        Mode.TENANT_S2S,
        Mode.TENANT_OAUTH,
    }
    for name, dump in dumps.items():
        if dump:  # empty only on PostgreSQL without pg_dump installed
            assert all(conn.access_token_encrypted in dump for conn in stored), f"{name} is partial"


@pytest.mark.django_db(transaction=True)
def test_with_the_key_the_stored_tokens_are_the_issued_ones_and_without_it_they_are_unreadable(
    settings, zoom, api, maria
):
    connect_staff(api, zoom, maria, MARIA)
    assert api.put("/integrations/zoom/s2s", S2S_CREDENTIALS).status_code == 200
    personal, s2s = Connection.objects.get(staff=maria), Connection.objects.get(mode=Mode.TENANT_S2S)

    live = {value for value, token in zoom.emulator.state.tokens.items() if not token.revoked}
    assert {personal.access_token, personal.refresh_token, s2s.access_token} <= live
    assert s2s.client_secret == S2S_CLIENT_SECRET

    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    personal.refresh_from_db()
    for read in (lambda: personal.access_token, lambda: personal.refresh_token, lambda: s2s.client_secret):
        with pytest.raises(vault.SecretUnreadable):
            read()


def test_no_log_record_of_connect_refresh_and_disconnect_holds_a_token(caplog, zoom, api, maria):
    caplog.set_level(logging.DEBUG)  # what an operator who turns on RENDEZ_LOG_LEVEL=DEBUG gets

    personal = connect_staff(api, zoom, maria, MARIA)
    assert api.put("/integrations/zoom/s2s", S2S_CREDENTIALS).status_code == 200
    tokens.access_token(make_token_due(staff=maria))  # renewal before expiry
    zoom.control.expire_tokens()  # Zoom kills the token early: the client gets 401/124, renews, retries
    assert ZoomClient(Connection.objects.get(pk=personal.pk)).get_model("/users/me", Me).id == MARIA
    assert ZoomClient(make_token_due(mode=Mode.TENANT_S2S)).list_users()
    assert api.delete(f"/staff/{maria.pk}/zoom").status_code == 204
    assert api.delete("/integrations/zoom/s2s").status_code == 204
    assert run_jobs() >= 2  # the revokes, at Zoom

    output = caplog.text + "\n".join(log_text(record) for record in caplog.records)
    leaked = sorted(secret[:12] + "…" for secret in issued_secrets(zoom) if secret in output)
    assert leaked == [], f"the log shows {leaked}"
    zoom_lines = [record.getMessage() for record in caplog.records if record.name == "rendez.zoom"]
    assert any("renewed" in line for line in zoom_lines), zoom_lines
    assert any("disconnected" in line for line in zoom_lines), zoom_lines
    assert len(zoom.control.requests("POST", "/oauth/revoke")) >= 2
