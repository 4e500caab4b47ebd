"""The meeting record: one per appointment, the desired-vs-actual state of its video meeting.

The host's start link is never stored (it expires after two hours); it is fetched when the host clicks.
"""

from __future__ import annotations

from django.db import models

from rendez.scheduling.models import Appointment
from rendez.tenants.models import Tenant


class Meeting(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Being created"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        DELETED = "deleted", "Deleted"
        UNMANAGED = "unmanaged", "Not managed by Rendez"

    # States after which nothing more will happen without a new change to the appointment.
    SETTLED = frozenset({State.READY, State.FAILED, State.DELETED, State.UNMANAGED})

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="meetings")
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="meeting")
    provider = models.CharField(max_length=20, default="zoom")
    # Zoom meeting ids are int64; text keeps them exact everywhere (JSON, JavaScript).
    external_id = models.CharField(max_length=64, blank=True)
    join_url = models.URLField(max_length=1000, blank=True)
    password = models.CharField(max_length=32, blank=True)
    host_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Who hosts it: the vendor's id of the hosting user, and which of our connections reached them (a plain
    # id: conferencing knows no vendor's tables). Written with a create attempt, before the call.
    host_connection_id = models.BigIntegerField(null=True, blank=True)
    host_user_key = models.CharField(max_length=100, blank=True)
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
