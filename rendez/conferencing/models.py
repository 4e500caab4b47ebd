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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        external = self.external_id or "(none yet)"
        return f"{self.provider} meeting {external} for appointment {self.appointment_id}"

    @property
    def is_settled(self) -> bool:
        return self.state in self.SETTLED
