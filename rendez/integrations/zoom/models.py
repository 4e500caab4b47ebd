"""Zoom as a tenant configures it: settings, connections (with their encrypted tokens), staff mappings, the
single-use OAuth states of connects in progress, and the events Zoom sent us.

A tenant has at most one *tenant connection* (tenant OAuth or Server-to-Server) and each staff member at most
one *personal connection* (per-staff OAuth). Rows here are written by `connections.py` and `tokens.py` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rendez.integrations.oauth.models import ConnectState, TokenHolder
from rendez.lib import vault
from rendez.scheduling.models import Staff
from rendez.tenants.models import Tenant

DEFAULT_TOPIC_TEMPLATE = "{service_name} with {staff_name}"
DEFAULT_DESCRIPTION_TEMPLATE = "{service_name} booked with {tenant_name}."


class Mode(models.TextChoices):
    STAFF_OAUTH = "staff_oauth", "Per-staff OAuth"
    TENANT_OAUTH = "tenant_oauth", "Tenant OAuth"
    TENANT_S2S = "tenant_s2s", "Tenant Server-to-Server"


TENANT_MODES = frozenset({Mode.TENANT_OAUTH, Mode.TENANT_S2S})
# The modes whose connection is one Zoom user's authorization (`zoom_user_id` is who authorized).
OAUTH_MODES = frozenset({Mode.STAFF_OAUTH, Mode.TENANT_OAUTH})


class AccountPlan(models.TextChoices):
    """The Zoom plan of an account, which sizes its per-second request limits (zoom-api.md §5.1)."""

    FREE = "free", "Free"
    PRO = "pro", "Pro"
    BUSINESS = "business", "Business or higher"


class ZoomSettings(models.Model):
    """What the tenant admin chose for meetings. A tenant without a row has the defaults (integration off)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="zoom_settings")
    enabled = models.BooleanField(default=False)
    topic_template = models.CharField(max_length=200, default=DEFAULT_TOPIC_TEMPLATE)
    description_template = models.TextField(max_length=2000, default=DEFAULT_DESCRIPTION_TEMPLATE)
    random_password = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Zoom settings of {self.tenant}"


class Connection(TokenHolder):
    """One authorization to act on Zoom: a staff member's own account, or the tenant's account.

    Tokens, status and breakage are the shared `TokenHolder` fields, stored encrypted (`lib/vault.py`);
    `tokens.py` is the only code that reads or refreshes them.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="zoom_connections")
    # Set for a personal (per-staff OAuth) connection, empty for the tenant connection.
    staff = models.OneToOneField(
        Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="zoom_connection"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices)
    account_id = models.CharField(max_length=100, blank=True)
    # Sizes the request limiter (ratelimit.py). Empty: not known, ZOOM_ACCOUNT_PLAN_DEFAULT applies. Zoom
    # tells a user-level app only that an account is Free (its daily limit headers), never Pro from Business.
    account_plan = models.CharField(max_length=10, choices=AccountPlan.choices, blank=True, default="")
    # The Zoom user who authorized (personal and tenant OAuth); empty for Server-to-Server.
    zoom_user_id = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    scopes = models.TextField(blank=True)
    # Server-to-Server app credentials (the secret encrypted).
    client_id = models.CharField(max_length=200, blank=True)
    client_secret_encrypted = models.TextField(blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(staff__isnull=True), name="one_tenant_zoom_connection"
            ),
            models.CheckConstraint(
                condition=(Q(mode=Mode.STAFF_OAUTH) & Q(staff__isnull=False))
                # A fixed order (the one migration 0001 wrote): a set's order changes from one process to
                # the next, and makemigrations then saw a "changed" constraint now and then.
                | (Q(mode__in=[Mode.TENANT_S2S, Mode.TENANT_OAUTH]) & Q(staff__isnull=True)),
                name="zoom_connection_mode_matches_owner",
            ),
            # Zoom honours only a user's latest authorization (zoom-api.md §1.7): two working OAuth
            # connections of one Zoom user cannot exist, and one of them would be somebody else's account.
            models.UniqueConstraint(
                fields=["zoom_user_id"],
                condition=Q(mode__in=[Mode.STAFF_OAUTH, Mode.TENANT_OAUTH], status="connected")
                & ~Q(zoom_user_id=""),
                name="one_working_connection_per_zoom_user",
            ),
        ]
        indexes = [models.Index(fields=["account_id", "zoom_user_id"], name="zoom_conn_identity_idx")]

    def __str__(self) -> str:
        owner = self.staff.name if self.staff else self.tenant.name
        return f"{self.get_mode_display()} for {owner} ({self.status})"

    @property
    def is_personal(self) -> bool:
        return self.mode == Mode.STAFF_OAUTH

    @property
    def client_secret(self) -> str:
        return vault.decrypt(self.client_secret_encrypted)

    def forget_credentials(self) -> None:
        self.forget_tokens()
        self.client_secret_encrypted = ""


class StaffMapping(models.Model):
    """A staff member hosting as a Zoom user of the tenant connection's account."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="mappings")
    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="zoom_mapping")
    zoom_user_id = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.staff} as Zoom user {self.email or self.zoom_user_id}"


class OAuthState(ConnectState):
    """A Zoom connect in progress (the shared `ConnectState`: nonce, tenant, staff, PKCE verifier, starter,
    return URL, expiry) with the mode asked for."""

    mode = models.CharField(max_length=20, choices=Mode.choices)
    # A reconnect link may only bring back the Zoom user it was sent about, so a forwarded or leaked link
    # cannot attach somebody else's Zoom account.
    expected_zoom_user_id = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"Zoom connect ({self.mode}) for {self.tenant}"


class PendingConnect(models.Model):
    """A grant Zoom issued that waits for a signed-in person of the tenant to confirm it (confirmations.py).

    The code was exchanged at once (codes live five minutes), so the grant itself waits here, encrypted. Only
    the browser that came back from Zoom holds the secret whose hash is `browser_key_hash`; unconfirmed, the
    grant is revoked when `expires_at` passes."""

    nonce = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who authorized at Zoom (`GET /users/me`), shown on the confirmation page.
    account_id = models.CharField(max_length=100)
    zoom_user_id = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True)
    grant_encrypted = models.TextField()
    granted_at = models.DateTimeField()
    browser_key_hash = models.CharField(max_length=64)
    return_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Zoom user {self.email or self.zoom_user_id} waiting to connect to {self.tenant}"


class Event(models.Model):
    """Every event Zoom delivered, once: a retried delivery finds its row and is not processed again."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    dedup_key = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=100)
    account_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PROCESSED)
    detail = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-received_at"], name="zoom_event_received_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} at {self.received_at:%Y-%m-%d %H:%M:%S} ({self.outcome})"


class RateBucket(models.Model):
    """The request budget of one Zoom account in one rate-limit category, shared by every process.

    A token bucket in one row (ratelimit.py): `tokens` as of `refilled_at` (Unix seconds); below zero when
    callers have reserved slots in the near future, or when a 429 told everybody to pause.
    """

    account_id = models.CharField(max_length=100)
    category = models.CharField(max_length=10)
    tokens = models.FloatField()
    refilled_at = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "category"], name="zoom_one_rate_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.category} requests of Zoom account {self.account_id}: {self.tokens:.2f}"


class HostDailyUsage(models.Model):
    """Meeting creates and updates sent for one Zoom host user in one UTC day: Zoom allows 100 (§5.2)."""

    account_id = models.CharField(max_length=100)
    zoom_user_id = models.CharField(max_length=100)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "zoom_user_id", "day"], name="zoom_one_host_usage_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} meeting writes of Zoom user {self.zoom_user_id} on {self.day}"
