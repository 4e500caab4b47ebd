"""The meeting record: one per appointment, the desired-vs-actual state of its video meeting.

The host's start link is never stored (it expires after two hours); it is fetched when the host clicks.
"""

from __future__ import annotations

from django.db import models

from rendez.conferencing.desired import PROVIDER_LABELS
from rendez.lib import vault
from rendez.scheduling.models import Appointment, Booking
from rendez.tenants.models import Tenant


class Meeting(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Being created"
        # Zoom failed in a way trying again may fix; `last_error` says why, `next_attempt_at` when.
        RETRYING = "retrying", "Retrying"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        DELETED = "deleted", "Deleted"
        # Should be deleted (nobody is owed it) but its host cannot be reached: still live on the provider.
        LEFT_ON_ZOOM = "left_on_zoom", "Left on Zoom"
        UNMANAGED = "unmanaged", "Not managed by Rendez"

    class Registration(models.TextChoices):
        OFF = "off", "Shared link"
        ON = "on", "Personal links"
        REFUSED = "refused", "Shared link (personal links refused)"

    # States after which nothing more will happen without a new change to the appointment (or a person).
    SETTLED = frozenset({State.READY, State.FAILED, State.DELETED, State.LEFT_ON_ZOOM, State.UNMANAGED})

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="meetings")
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="meeting")
    provider = models.CharField(max_length=20, default="zoom")
    # Zoom meeting ids are int64; text keeps them exact everywhere (JSON, JavaScript).
    external_id = models.CharField(max_length=64, blank=True)
    join_url = models.URLField(max_length=1000, blank=True)
    password = models.CharField(max_length=32, blank=True)
    host_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # While `retrying`: when the next attempt is due (the job's own run_after, said to people).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Who hosts it: the vendor's id of the hosting user, and which of our connections reached them (a plain
    # id: conferencing knows no vendor's tables). Written with a create attempt, before the call.
    host_connection_id = models.BigIntegerField(null=True, blank=True)
    host_user_key = models.CharField(max_length=100, blank=True)
    # The vendor account and the user's address, so a meeting can still be reached (and named to admins)
    # after the connection it was made through is gone.
    host_account_id = models.CharField(max_length=100, blank=True)
    host_email = models.CharField(max_length=254, blank=True)
    # The staff member the meeting was made for: when the appointment moves to someone else, the link people
    # hold is about to change and is no longer shown as the appointment's.
    host_staff_id = models.BigIntegerField(null=True, blank=True)
    # Set when the connection behind the host changed (reconnect, mode switch): the next sync asks the
    # provider whether the meeting still exists (one read) instead of trusting the record.
    verify_due = models.BooleanField(default=False)
    # What the provider was last told, so a sync sends only what changed (the host's daily quota is precious).
    sent_start = models.DateTimeField(null=True, blank=True)
    sent_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    sent_timezone = models.CharField(max_length=64, blank=True)
    sent_service_id = models.BigIntegerField(null=True, blank=True)
    topic = models.CharField(max_length=300, blank=True)
    # What the provider reported after its meeting was changed outside Rendez (the host moved it in Zoom).
    # Kept beside `sent_*`, which stay what we told the provider, so a sync does not move the meeting back
    # unless the appointment itself changes. The values describe the meeting `provider_external_id` only, and
    # a field counts only while our own `sent_*` is still the one the report was compared with
    # (`provider_over_*`): a later send of ours replaced the provider's value.
    provider_external_id = models.CharField(max_length=64, blank=True)
    provider_start = models.DateTimeField(null=True, blank=True)
    provider_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    provider_over_start = models.DateTimeField(null=True, blank=True)
    provider_over_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    # The provider's time of the latest change recorded: an older report arriving late is ignored.
    changed_elsewhere_at = models.DateTimeField(null=True, blank=True)
    # Set while a create is unfinished: a meeting may exist on the provider that we never heard of; a retry
    # looks for it (created after this instant) before creating another.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    # Per-attendee links (registration): asked for when the meeting was made, fixed for its life; `refused`
    # when the provider would not (a Basic Zoom user, a PMI meeting): everyone shares the meeting's link, and
    # `registration_note` says why.
    registration = models.CharField(
        max_length=8, choices=Registration.choices, default=Registration.OFF, db_default=Registration.OFF
    )
    registration_note = models.TextField(blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # A provider's event names the meeting by its id only (external.py): no tenant to narrow it by.
            models.Index(fields=["provider", "external_id"], name="meeting_external_idx"),
            # The panel's "meetings that failed" box, on every dashboard load; failed ones are few.
            models.Index(fields=["tenant"], condition=models.Q(state="failed"), name="meeting_failed_idx"),
        ]

    def __str__(self) -> str:
        external = self.external_id or "(none yet)"
        return f"{self.provider} meeting {external} for appointment {self.appointment_id}"

    @property
    def is_settled(self) -> bool:
        return self.state in self.SETTLED


class RetiredMeeting(models.Model):
    """A meeting people no longer hold, which must go from the provider: replaced by a new one (new host,
    another user) or no longer owed. Written before the record forgets it, so a crash between the new
    meeting and the delete of the old one cannot strand it; kept as `left` with the reason when its host
    cannot be reached, which the panel lists for admins ("left on which Zoom user")."""

    class State(models.TextChoices):
        RETIRING = "retiring", "Being deleted"
        DELETED = "deleted", "Deleted"
        LEFT = "left", "Left on Zoom"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="retired_meetings")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="retired_meetings")
    provider = models.CharField(max_length=20, default="zoom")
    external_id = models.CharField(max_length=64)
    host_connection_id = models.BigIntegerField(null=True, blank=True)
    host_user_key = models.CharField(max_length=100, blank=True)
    host_account_id = models.CharField(max_length=100, blank=True)
    host_email = models.CharField(max_length=254, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RETIRING)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="retired_meeting_once"),
        ]
        indexes = [
            # The panel's "meetings left on Zoom" box; left ones are few.
            models.Index(fields=["tenant"], condition=models.Q(state="left"), name="retired_left_idx"),
            models.Index(
                fields=["appointment"], condition=~models.Q(state="deleted"), name="retired_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.provider} meeting {self.external_id} ({self.state}) of appointment {self.appointment_id}"
        )

    @property
    def provider_label(self) -> str:
        return PROVIDER_LABELS.get(self.provider, self.provider)

    @property
    def state_label(self) -> str:
        """The state in words, naming the provider a meeting is left on ("Left on Google Meet")."""
        if self.state == self.State.LEFT:
            return f"Left on {self.provider_label}"
        return self.get_state_display()


class Registrant(models.Model):
    """One booking's registration on one meeting with per-attendee links: its own join link.

    One row per booking and provider meeting: a booking moved to another slot, or a meeting replaced, gets a
    new row, and the old one is cancelled (or just closed when its meeting went). An add is recorded
    (`attempt_started_at`) before the call, so a retry looks the person up instead of adding them again:
    Zoom takes 3 adds of one registrant a day. The personal link is a secret of that person, stored
    encrypted like tokens."""

    class State(models.TextChoices):
        PENDING = "pending", "Being registered"
        REGISTERED = "registered", "Registered"
        CANCELLING = "cancelling", "Being cancelled"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    # States with a registration that may exist on the provider.
    OPEN = frozenset({State.PENDING, State.REGISTERED, State.CANCELLING, State.FAILED})

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="registrants")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrants")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="registrants")
    external_meeting_id = models.CharField(max_length=64)
    email = models.CharField(max_length=254)
    registrant_id = models.CharField(max_length=100, blank=True)
    join_url_encrypted = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    last_error = models.TextField(blank=True)
    # While `pending`/`failed`: when a retryable failure is tried again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "external_meeting_id"], name="registrant_once_per_meeting"
            ),
        ]
        indexes = [models.Index(fields=["meeting", "state"], name="registrant_meeting_state_idx")]

    def __str__(self) -> str:
        return f"registrant of booking {self.booking_id} on meeting {self.external_meeting_id} ({self.state})"

    @property
    def join_url(self) -> str:
        return vault.decrypt(self.join_url_encrypted)

    @join_url.setter
    def join_url(self, value: str) -> None:
        self.join_url_encrypted = vault.encrypt(value)
