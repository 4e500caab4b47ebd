"""Tenants (businesses), the plans they are on, who belongs to them, and their API keys."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (KeyError, ValueError):
        raise ValidationError(f"{value!r} is not an IANA time zone") from None


def validate_sender_name(value: str) -> None:
    if any(char in value for char in "\r\n"):
        raise ValidationError("The sender name must fit on one line.")
    if "@" in value or "<" in value or ">" in value:
        # A name like "support@bank.example" in From would pass for an address the mail does not come from.
        raise ValidationError("The sender name is a name, not an email address: leave out @, < and >.")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


# Buttons carry white text on the brand colour and links are drawn in it on white: both must stay readable.
MIN_BRAND_CONTRAST = 4.5


def validate_brand_colour(value: str) -> None:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValidationError(f"{value!r} is not a colour like #1f4fc9 (# and six hexadecimal digits).")
    contrast = contrast_on_white(value)
    if contrast < MIN_BRAND_CONTRAST:
        raise ValidationError(
            f"{value} is too light to read on white (contrast {contrast:.1f}:1, at least "
            f"{MIN_BRAND_CONTRAST}:1 is needed for links and button text): choose a darker shade."
        )


class Plan(models.Model):
    """What a tenant may do. Capabilities are feature flags (`zoom`, `sms`, ...); limits are numbers."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    capabilities = models.JSONField(default=list, blank=True)
    limits = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name

    def allows(self, capability: str) -> bool:
        return capability in self.capabilities

    def limit(self, name: str) -> int | None:
        value = self.limits.get(name)
        return int(value) if value is not None else None


WELCOME_MAX = 2000
POLICY_MAX = 2000


class Tenant(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    address = models.CharField(max_length=300, blank=True)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="tenants")
    # A meeting is owed for confirmed seats; some businesses also want one while a booking awaits approval.
    meetings_for_pending = models.BooleanField(default=False)
    # The booking page leaves out, for video services, staff who cannot host a Zoom meeting now (no account
    # connected or mapped); a business may choose to offer them anyway (the customer's link then follows
    # once they connect).
    offer_staff_without_zoom = models.BooleanField(default=False, db_default=False)
    # Whether a staff member may have a calendar connected (Google, Microsoft): kept by the calendar
    # connection writers (rendez/calendars/busy.py `connections_changed`). Off, slots and bookings read no
    # busy blocks and appointments enqueue no calendar writes: most tenants never connect one. Not editable
    # (admin, forms): a flag set by hand would hide busy time.
    has_calendars = models.BooleanField(default=False, db_default=False, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The business profile (rendez/tenants/profile.py writes it; docs/tenancy.md, "Business profile"). Empty
    # by default in the database too: rows inserted without these columns (older code during a deploy, bulk
    # SQL) stay valid.
    sender_name = models.CharField(
        max_length=100,
        blank=True,
        db_default="",
        validators=[validate_sender_name],
        help_text="The name emails come from; the business name when empty.",
    )
    reply_to_email = models.EmailField(
        blank=True, db_default="", help_text="Where customers' replies to emails go."
    )
    welcome_text = models.TextField(blank=True, db_default="", validators=[MaxLengthValidator(WELCOME_MAX)])
    cancellation_policy = models.TextField(
        blank=True, db_default="", validators=[MaxLengthValidator(POLICY_MAX)]
    )
    brand_colour = models.CharField(
        max_length=7, blank=True, db_default="", validators=[validate_brand_colour]
    )
    # A file name under MEDIA_ROOT, content-addressed: a new logo is a new name, so its address is cacheable.
    logo = models.CharField(max_length=100, blank=True, db_default="", editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def sender(self) -> str:
        """The name on this business's emails."""
        return self.sender_name or self.name

    def has_capability(self, capability: str) -> bool:
        return self.plan is not None and self.plan.allows(capability)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Tenant admin"
        STAFF = "staff", "Staff member"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="one_membership_per_tenant")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"


API_KEY_PREFIX = "rdz_"
# Recording every use would turn each API read into a write; a minute's precision is plenty for "last used".
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw_key: str) -> str:
    # API keys are 256-bit random values, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A tenant's bearer key. Only its SHA-256 digest is stored; the key itself is shown once, at creation."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=16, help_text="The key's first characters, to recognise it in lists."
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, tenant: Tenant, name: str, raw_key: str | None = None) -> tuple[ApiKey, str]:
        """Create a key and return it with its secret value, which is not stored and cannot be shown again."""
        raw_key = raw_key or API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(tenant=tenant, name=name, prefix=raw_key[:12], digest=_digest(raw_key))
        return key, raw_key

    @classmethod
    def authenticate(cls, raw_key: str) -> ApiKey | None:
        key = cls.objects.active().select_related("tenant__plan").filter(digest=_digest(raw_key)).first()
        if key is None or not key.tenant.is_active:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            cls.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
