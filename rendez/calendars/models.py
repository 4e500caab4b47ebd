"""Staff calendars: connections (tokens encrypted), per-calendar sync state, busy blocks, written events.

Every table carries its tenant, and every query filters by it (or by a row already read for that tenant).
Rows here are written by the provider's sync and writer modules and by `busy.py`'s writer only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from rendez.integrations.oauth.models import ConnectState, TokenHolder
from rendez.lib import vault
from rendez.scheduling.models import Appointment, Staff
from rendez.tenants.models import Tenant


class Provider(models.TextChoices):
    GOOGLE = "google", "Google Calendar"
    MICROSOFT = "microsoft", "Microsoft 365"


class CalendarConnection(TokenHolder):
    """One staff member's authorization to read and write their calendars at one provider. The token columns,
    `status` and `broken_*` are the OAuth kit's (integrations/oauth/models.py), so its TokenKeeper and
    Reminders work on it; a disconnected row stays for the record of the events written through it."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="calendar_connections")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    account_email = models.CharField(max_length=254, blank=True)
    scopes = models.TextField(blank=True)
    # The calendars whose events block booking times, and the one appointments are written to ("" = none).
    busy_calendar_ids = models.JSONField(default=list, blank=True)
    write_calendar_id = models.CharField(max_length=1024, blank=True)
    # Transparent ("free") events block only when the staff member says so (Cal.com #1271, #6032).
    transparent_events_block = models.BooleanField(default=False)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "provider"], name="one_calendar_connection_per_provider"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "staff"], name="calendar_conn_tenant_staff_idx")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} of staff {self.staff_id} ({self.status})"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.CONNECTED and bool(self.refresh_token_encrypted)

    def synced_calendar_ids(self) -> list[str]:
        """Calendars read by the sync: those that block time, and the one we write to (to notice changes
        people make to our events there)."""
        ids = list(dict.fromkeys(self.busy_calendar_ids))
        if self.write_calendar_id and self.write_calendar_id not in ids:
            ids.append(self.write_calendar_id)
        return ids


class CalendarConnectState(ConnectState):
    """A calendar connect in progress (the kit's ConnectState: nonce, tenant, staff, PKCE verifier,
    started_by, return_url, expiry; single-use), for providers without a table of their own: Microsoft.
    Each provider's `ConnectStates` signs with its own salt and sees only its own rows."""

    provider = models.CharField(max_length=20, choices=Provider.choices)

    def __str__(self) -> str:
        return f"{self.get_provider_display()} connect of staff {self.staff_id}"


class CalendarSync(models.Model):
    """Incremental sync state of one calendar of a connection, and its push channel if any."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="syncs")
    calendar_id = models.CharField(max_length=1024)
    sync_token = models.TextField(blank=True)
    # The calendar's time zone as the provider last said (all-day events are days in it).
    time_zone = models.CharField(max_length=64, blank=True)
    channel_id = models.CharField(max_length=64, blank=True)
    channel_resource_id = models.CharField(max_length=200, blank=True)
    # The secret the provider echoes in every notification (X-Goog-Channel-Token), encrypted at rest.
    channel_token_encrypted = models.TextField(blank=True)
    channel_expires_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    full_syncs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "calendar_id"], name="one_sync_per_calendar"),
            models.UniqueConstraint(
                fields=["channel_id"], condition=~Q(channel_id=""), name="calendar_channel_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"sync of {self.calendar_id}"

    @property
    def channel_token(self) -> str:
        return vault.decrypt(self.channel_token_encrypted)


class BusyBlock(models.Model):
    """A span a staff member's own calendar says they are busy (an event that blocks, per the rules)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+", db_index=False)
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_blocks")
    calendar_id = models.CharField(max_length=1024)
    external_event_id = models.CharField(max_length=1024)
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "calendar_id", "external_event_id"], name="one_block_per_event"
            ),
        ]
        # Slots and booking read one staff member's blocks around a window (busy.py).
        indexes = [models.Index(fields=["staff", "start", "end"], name="busyblock_staff_start_idx")]

    def __str__(self) -> str:
        return f"busy {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} (staff {self.staff_id})"


class CalendarEvent(models.Model):
    """An appointment written out to a staff member's calendar, and what became of it there."""

    class State(models.TextChoices):
        PENDING = "pending", "Being written"
        WRITTEN = "written", "On the calendar"
        DELETED = "deleted", "Deleted by Rendez"
        GONE = "gone", "Deleted in the calendar by someone"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="calendar_event")
    connection = models.ForeignKey(
        CalendarConnection, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    calendar_id = models.CharField(max_length=1024, blank=True)
    external_id = models.CharField(max_length=1024, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    provider_updated = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # What we last wrote: the times (to tell our change from someone's move) and a digest of the body.
    written_start = models.DateTimeField(null=True, blank=True)
    written_end = models.DateTimeField(null=True, blank=True)
    written_digest = models.CharField(max_length=64, blank=True)
    # A change made to the event in the calendar by a person (moved, deleted), shown to staff; never acted on.
    noticed_change = models.TextField(blank=True)
    noticed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "connection", "external_id"], name="calendarevent_external_idx")
        ]

    def __str__(self) -> str:
        return f"calendar event of appointment {self.appointment_id} ({self.state})"
