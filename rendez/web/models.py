"""Rows the web pages keep: counters of attempts (rendez/web/attempts.py)."""

from __future__ import annotations

from django.db import models


class AttemptCounter(models.Model):
    """How many attempts one subject made within its current window: a sign-in pair (account, address), an
    address, an account, an email asking for links. In the database so that every web process, on every
    machine, counts the same attempts; a row is dead once `expires_at` has passed and is pruned later."""

    # A kind and a digest of the subject ("pair:3f1c..."): no user input of arbitrary length in the index.
    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
