"""`rendez reencrypt`: every secret stored at rest written again with the newest encryption key, so an old key
can be taken out of RENDEZ_ENCRYPTION_KEYS (docs/operations.md, Key rotation).

Encrypted columns are found by name (`*_encrypted`, the convention of every model that stores a secret
through `rendez.lib.vault`). Each value is replaced only if it is still the one read (compare-and-set), so a
token refreshed meanwhile by a worker is left as that worker wrote it: it is already under the newest key.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models

from rendez.lib import vault

SUFFIX = "_encrypted"
BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of RENDEZ_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        for model, field in encrypted_columns():
            count = reencrypt_column(model, field)
            total += count
            self.stdout.write(f"{model._meta.label}.{field}: {count} re-encrypted")
        self.stdout.write(f"{total} secrets now under the first key; older keys can be removed.")


def encrypted_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith(SUFFIX)
    ]


def reencrypt_column(model: type[models.Model], field: str) -> int:
    rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field).order_by("pk")
    count, after = 0, None
    while True:
        page = list((rows.filter(pk__gt=after) if after is not None else rows)[:BATCH])
        if not page:
            return count
        for pk, token in page:
            try:
                fresh = vault.reencrypt(token)
            except vault.SecretUnreadable:
                raise CommandError(
                    f"{model._meta.label} {pk}: its {field} opens with none of the configured keys; "
                    "put back the key it was written with, then run this again."
                ) from None
            count += model._default_manager.filter(pk=pk, **{field: token}).update(**{field: fresh})
        after = page[-1][0]
