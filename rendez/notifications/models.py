"""Notification workflows (what to send, when, to whom), deliveries (each message sent or tried), per-booking
calendar invitation state, and per-tenant channel credentials."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q

from rendez.jobs.models import Job
from rendez.lib import shortcodes, vault
from rendez.notifications.mail import new_message_id
from rendez.scheduling.models import Booking, Staff
from rendez.tenants.models import Tenant


class Trigger(models.TextChoices):
    BOOKING_CREATED = "booking_created", "Booking created"
    BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
    BOOKING_RESCHEDULED = "booking_rescheduled", "Booking rescheduled"
    BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
    BOOKING_STATUS_CHANGED = "booking_status_changed", "Booking status changed"
    BEFORE_START = "before_start", "Before the appointment starts"
    AFTER_END = "after_end", "After the appointment ends"


TIMED_TRIGGERS = frozenset({Trigger.BEFORE_START, Trigger.AFTER_END})
# A delivery's event besides the triggers: the video link sent after a message that went without it.
MEETING_LINK = "meeting_link"
# The meeting people were sent was replaced (new host, gone on Zoom, another Zoom user): its new link.
MEETING_LINK_CHANGED = "meeting_link_changed"
FOLLOW_UPS = frozenset({MEETING_LINK, MEETING_LINK_CHANGED})
DELIVERY_EVENTS = [
    *Trigger.choices,
    (MEETING_LINK, "Video link follow-up"),
    (MEETING_LINK_CHANGED, "New video link"),
]


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    WEBHOOK = "webhook", "Webhook"


class RecipientKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Staff member"
    ADMIN = "admin", "Tenant admin"
    FIXED = "fixed", "Fixed address"


class Workflow(models.Model):
    """One rule: on `trigger`, send a message over `channel` to the chosen recipients."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notification_workflows")
    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    # For before_start / after_end: how long before the start or after the end the message goes out.
    offset_minutes = models.PositiveIntegerField(default=0)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    to_customer = models.BooleanField(default=False)
    to_staff = models.BooleanField(default=False)
    to_admins = models.BooleanField(default=False)
    # One address per line (or comma separated): emails, E.164 phone numbers, Telegram chat ids or webhook
    # URLs.
    fixed_recipients = models.TextField(blank=True)
    subject_template = models.CharField(max_length=300, blank=True)
    body_template = models.TextField()
    # Emails only: attach the appointment as an .ics invitation (REQUEST, or CANCEL once the booking is off).
    attach_invitation = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    # Set on the workflows install_default_workflows() creates, so installing again changes nothing.
    default_key = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant", "trigger", "offset_minutes", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "default_key"],
                condition=~Q(default_key=""),
                name="one_default_workflow_per_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "trigger"], name="workflow_tenant_trigger_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_trigger_display()}, {self.get_channel_display()})"

    def clean(self) -> None:
        from rendez.notifications.validation import validate_workflow

        validate_workflow(self)

    @property
    def is_timed(self) -> bool:
        return self.trigger in TIMED_TRIGGERS

    @property
    def offset(self) -> timedelta:
        return timedelta(minutes=self.offset_minutes)

    @property
    def fixed_addresses(self) -> list[str]:
        raw = self.fixed_recipients.replace(",", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]

    @property
    def templates(self) -> list[str]:
        return [self.subject_template, self.body_template]

    @property
    def shows_meeting(self) -> bool:
        """Whether its messages show the video meeting: a meeting shortcode, or an email's invitation (whose
        LOCATION is the join link)."""
        if shortcodes.uses_any(self.templates, shortcodes.MEETING_SHORTCODES):
            return True
        return self.channel == Channel.EMAIL and self.attach_invitation


class Delivery(models.Model):
    """One message to one recipient, sent by a `notifications.deliver` job: its content, state and history."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    # Indexed by delivery_tenant_id_idx below, which starts with the tenant.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="notification_deliveries", db_index=False
    )
    workflow = models.ForeignKey(
        Workflow, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notification_deliveries")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=30, choices=DELIVERY_EVENTS)
    # The booking as of the event this message is about (None for reminders and follow-ups, which show the
    # booking as it is when they go out).
    snapshot = models.ForeignKey(
        "EventSnapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    recipient = models.CharField(max_length=500, blank=True)
    # Zone the recipient sees dates in (customer's or tenant's; staff's own for staff).
    recipient_timezone = models.CharField(max_length=64, default="UTC")
    # The staff member the booking was taken from (a reassignment): told, with a cancelled invitation.
    former_staff = models.BooleanField(default=False)
    # What makes this delivery unique (source event or reminder + workflow + recipient): jobs run at least
    # once,
    # and a second run must find the delivery it made instead of making another.
    dedupe_key = models.CharField(max_length=300, unique=True)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Why it went out the way it did ("meeting failed: sent without a link"), or why it was skipped.
    note = models.CharField(max_length=300, blank=True)
    # Went out without the meeting link it would have shown, saying that the link follows: a follow-up with
    # the link is owed once the meeting is ready (cleared when that follow-up is made).
    link_follows = models.BooleanField(default=False)
    # The meeting link the message carried (in its text or its invitation), blank when none: a person whose
    # last link is not the live meeting's is sent the new one (`followups`).
    meeting_link = models.CharField(max_length=1000, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    # The email's Message-ID (with its angle brackets), made with the row so that every attempt, including one
    # after a crashed worker, sends the same and a receiver can drop the duplicate. Other channels ignore it.
    message_id = models.CharField(max_length=250, default=new_message_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The panel's deliveries, newest first a page at a time, all or in one state: a range of the
            # tenant's rows read in order, whatever the other tenants have sent.
            models.Index(fields=["tenant", "id"], name="delivery_tenant_id_idx"),
            models.Index(fields=["tenant", "state", "id"], name="delivery_tenant_state_id_idx"),
            models.Index(fields=["booking", "created_at"], name="delivery_booking_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient or self.recipient_kind} ({self.state})"


class EventSnapshot(models.Model):
    """What was true of a booking at one of its events: the messages about that event show this, not the
    booking as it is when they go out (a confirmation sent after two moves still names the first slot).

    Made once per event job (`source`), in the order the booking's events happened; `previous_*` is the
    snapshot before it, so a reassignment knows whom the booking was taken from."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="event_snapshots")
    source = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=30)
    status = models.CharField(max_length=20, choices=Booking.Status.choices)
    appointment_id = models.BigIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    staff = models.ForeignKey(Staff, null=True, on_delete=models.SET_NULL, related_name="+")
    staff_name = models.CharField(max_length=200)
    previous_staff = models.ForeignKey(Staff, null=True, on_delete=models.SET_NULL, related_name="+")
    previous_start = models.DateTimeField(null=True)
    previous_end = models.DateTimeField(null=True)
    # The invitation's SEQUENCE as of this event.
    sequence = models.PositiveIntegerField(default=0)
    # Why the booking changed and who changed it, as said in the confirm step (`{change_reason}`,
    # `{changed_by}`): empty for events without a change note (a new booking).
    change_reason = models.TextField(blank=True, default="", db_default="")
    changed_by = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["booking", "id"], name="event_snapshot_booking_idx")]

    def __str__(self) -> str:
        return f"booking {self.booking_id} at {self.event} ({self.start:%Y-%m-%d %H:%M})"

    @property
    def reassigned(self) -> bool:
        return self.previous_staff_id is not None and self.previous_staff_id != self.staff_id


class Invitation(models.Model):
    """Calendar invitation state of a booking: its UID never changes, SEQUENCE grows with every reschedule."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, primary_key=True, related_name="invitation"
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"invitation of booking {self.booking_id} (sequence {self.sequence})"


class ChannelConfig(models.Model):
    """A tenant's own vendor account for a channel. Without one, the installation's settings apply.

    sms / whatsapp: Twilio `account_sid`, auth token as secret, sender number. telegram: bot token as secret.
    webhook: signing secret. `base_url` empty means the settings default (TWILIO_API_BASE_URL, ...).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notification_channels")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    base_url = models.URLField(blank=True)
    account_sid = models.CharField(max_length=100, blank=True)
    sender = models.CharField(max_length=100, blank=True)
    secret_encrypted = models.TextField(blank=True)
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "channel"], name="one_channel_config_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} settings of {self.tenant}"

    @property
    def secret(self) -> str:
        return vault.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = vault.encrypt(value)
