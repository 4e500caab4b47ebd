"""Rows the web pages keep: counters of attempts (rendez/web/attempts.py), businesses that signed themselves
up (rendez/web/signup/), and onboarding checklists put away (rendez/web/panel/onboarding.py)."""

from __future__ import annotations

from django.conf import settings
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


class SignUp(models.Model):
    """A business that signed itself up on /signup/, and whether its owner has proved their email yet.

    Until `verified_at` is set the owner works in the panel as usual, but the booking page stays closed
    (rendez/web/signup/verification.py). A tenant the operator created has no row: the operator vouched."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="signup")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The address the link went to: a link proves only the mailbox it was sent to.
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "verified" if self.verified_at else "unverified"
        return f"Sign-up of {self.tenant_id} by {self.email} ({state})"


class ChecklistDismissal(models.Model):
    """The onboarding checklist of a tenant was put away, once every step of it was done."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="checklist_dismissal"
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Checklist of {self.tenant_id} dismissed at {self.dismissed_at:%Y-%m-%d %H:%M}"
