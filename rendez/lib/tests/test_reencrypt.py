"""`rendez reencrypt` after putting a new key first: every stored secret opens with the new key alone, values
stay what they were, and a secret no configured key opens stops the command with what to do."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from rendez.integrations.zoom.models import Connection
from rendez.lib import vault
from rendez.lib.management.commands.reencrypt import encrypted_columns
from rendez.scheduling.tests.factories import make_tenant

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_every_secret_column_is_found_by_its_name():
    found = {f"{model._meta.label}.{field}" for model, field in encrypted_columns()}
    assert {
        "zoom.Connection.access_token_encrypted",
        "zoom.Connection.refresh_token_encrypted",
        "zoom.Connection.client_secret_encrypted",
    } <= found


def test_secrets_written_under_the_old_key_open_with_the_new_one_alone(settings):
    settings.ENCRYPTION_KEYS = [OLD]
    tenant = make_tenant("alice")
    connection = Connection(tenant=tenant, mode="tenant_s2s", client_id="id")
    connection.access_token_encrypted = vault.encrypt("access-1")
    connection.refresh_token_encrypted = vault.encrypt("refresh-1")
    connection.client_secret_encrypted = vault.encrypt("s2s-secret")
    connection.save()

    settings.ENCRYPTION_KEYS = [NEW, OLD]
    out = StringIO()
    call_command("reencrypt", stdout=out)
    assert "3 secrets now under the first key" in out.getvalue()

    settings.ENCRYPTION_KEYS = [NEW]
    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token, connection.client_secret) == (
        "access-1",
        "refresh-1",
        "s2s-secret",
    )


def test_a_secret_no_key_opens_stops_the_command_and_changes_nothing(settings):
    settings.ENCRYPTION_KEYS = [OLD]
    tenant = make_tenant("alice")
    connection = Connection.objects.create(
        tenant=tenant, mode="tenant_s2s", client_secret_encrypted=vault.encrypt("s2s-secret")
    )
    settings.ENCRYPTION_KEYS = [NEW]
    with pytest.raises(CommandError, match="opens with none of the configured keys; put back the key"):
        call_command("reencrypt", stdout=StringIO())
    settings.ENCRYPTION_KEYS = [OLD]
    connection.refresh_from_db()
    assert connection.client_secret == "s2s-secret"
