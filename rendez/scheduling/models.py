"""The scheduling core: who works when, what can be booked, and the bookings themselves.

Rows are written by `scheduling/services.py` only (for bookings and appointments) so that capacity checks,
locks and follow-up jobs are never skipped. Times are stored in UTC.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from rendez.tenants.models import Tenant, validate_timezone


class Staff(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profiles",
    )
    is_active = models.BooleanField(default=True)
    # How "any available" shares work out (scheduling/any_staff.py; docs/scheduling.md "Round robin"): a
    # higher weight gets proportionally more assignments, a higher priority is asked first, and a cap (per
    # day or per week in the staff member's own zone) is never passed by an assignment. A person choosing
    # this staff member by name is not held to the caps.
    assignment_weight = models.PositiveIntegerField(
        default=1, db_default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    assignment_priority = models.IntegerField(
        default=0, db_default=0, validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )
    max_assignments_per_day = models.PositiveIntegerField(null=True, blank=True)
    max_assignments_per_week = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class WorkingHours(models.Model):
    """One interval of a weekday, in the staff member's own zone. A day may have several (a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.IntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="working_hours_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="time_off_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.staff} away {self.start:%Y-%m-%d %H:%M}Z to {self.end:%Y-%m-%d %H:%M}Z"


# Per-service meeting options (DESIGN.md section 9): each unset or null = the host's own default.
MEETING_OPTION_VALUES: dict[str, tuple[object, ...]] = {
    "waiting_room": (True, False),
    "join_before_host": (True, False),
    "mute_upon_entry": (True, False),
    "auto_recording": ("local", "cloud", "none"),
}


def validate_meeting_options(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Meeting options must be an object.")
    for name, chosen in value.items():
        if name not in MEETING_OPTION_VALUES:
            known = ", ".join(sorted(MEETING_OPTION_VALUES))
            raise ValidationError(f"Unknown meeting option {name!r}; known: {known}.")
        allowed = MEETING_OPTION_VALUES[name]
        if chosen is not None and (
            chosen not in allowed or isinstance(chosen, bool) != isinstance(allowed[0], bool)
        ):
            raise ValidationError(f"{name} must be one of {', '.join(map(repr, allowed))} or null.")


class Assignment(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_BUSY = "least_busy", "Least busy"
    FIRST_FREE = "first_free", "First free"


SERIES_MAX_OCCURRENCES = 52


class VideoProvider(models.TextChoices):
    """Who makes a service's video meetings. Zoom is the one implemented today; a service choosing a provider
    whose integration is not installed gets no meeting (conferencing has no such provider to ask)."""

    ZOOM = "zoom", "Zoom"
    GOOGLE_MEET = "google_meet", "Google Meet"
    TEAMS = "teams", "Microsoft Teams"


class Service(models.Model):
    class LocationType(models.TextChoices):
        VIDEO = "video", "Video meeting"
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone call"

    class InitialStatus(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed at once"
        PENDING = "pending", "Pending approval"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    buffer_before_minutes = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(24 * 60)])
    buffer_after_minutes = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(24 * 60)])
    capacity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    # Slots start every `slot_interval_minutes` from the start of each working interval; empty means the
    # duration.
    slot_interval_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    min_notice_minutes = models.PositiveIntegerField(default=0)
    horizon_days = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    location_type = models.CharField(max_length=20, choices=LocationType.choices, default=LocationType.VIDEO)
    initial_status = models.CharField(
        max_length=10, choices=InitialStatus.choices, default=InitialStatus.CONFIRMED
    )
    # None: no video meeting. The fallback makes the meeting when the chosen provider cannot (not connected,
    # failed past its retries); it differs from `video_provider` and needs one (scheduling/catalog.py).
    # NULL, not "": the API's null is the one way to say "none" (DJ001's empty string would be a second).
    video_provider = models.CharField(  # noqa: DJ001
        max_length=20, choices=VideoProvider.choices, null=True, blank=True
    )
    fallback_video_provider = models.CharField(  # noqa: DJ001
        max_length=20, choices=VideoProvider.choices, null=True, blank=True
    )
    meeting_options = models.JSONField(default=dict, blank=True, validators=[validate_meeting_options])
    staff = models.ManyToManyField(Staff, related_name="services", blank=True)
    is_active = models.BooleanField(default=True)
    # Group video sessions: each attendee is a Zoom registrant with a personal join link (DESIGN.md section
    # 5, "Group seats and series"). Off for services made before the option existed.
    per_attendee_links = models.BooleanField(default=False, db_default=False)
    # Who gets a booking made for "any available" staff member.
    assignment = models.CharField(
        max_length=12, choices=Assignment.choices, default=Assignment.ROUND_ROBIN, db_default="round_robin"
    )
    # Customers and staff may book a recurring series of this service (at most SERIES_MAX_OCCURRENCES).
    series_allowed = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def slot_interval(self) -> timedelta:
        return timedelta(minutes=self.slot_interval_minutes or self.duration_minutes)

    @property
    def zoom_enabled(self) -> bool:
        """The name before `video_provider`, kept for readers and existing API clients: Zoom makes the
        meetings. Setting it True chooses Zoom; False turns Zoom off (another provider chosen stays)."""
        return self.video_provider == VideoProvider.ZOOM

    @zoom_enabled.setter
    def zoom_enabled(self, enabled: bool) -> None:
        if enabled:
            self.video_provider = VideoProvider.ZOOM
        elif self.video_provider == VideoProvider.ZOOM:
            self.video_provider = None


class Customer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "email"], name="one_customer_per_email")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Appointment(models.Model):
    """One staff member giving one service at one time. Owns the video meeting; a group slot has many
    bookings."""

    # Indexed by appointment_tenant_start_idx, which starts with the tenant (one index less to write).
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="appointments", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The span it keeps the staff member busy: start/end widened by the service's buffers when it was booked.
    block_start = models.DateTimeField()
    block_end = models.DateTimeField()
    # Seats held by pending and confirmed bookings; kept by services.py under the staff lock.
    seats_taken = models.PositiveIntegerField(default=0)
    capacity = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["staff", "block_start", "block_end"], name="appointment_busy_idx"),
            # Tenant lists in time order (scheduling/timeline.py, the panel): a range of one tenant's rows.
            models.Index(fields=["tenant", "start"], name="appointment_tenant_start_idx"),
        ]
        constraints = [
            # A last line of defence behind the staff lock: one live appointment per staff member and start.
            models.UniqueConstraint(
                fields=["staff", "start"],
                condition=Q(seats_taken__gt=0),
                name="one_live_appointment_per_start",
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="appointment_ordered"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity")), name="appointment_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} with {self.staff} at {self.start:%Y-%m-%d %H:%M}Z"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Series(models.Model):
    """A recurring series: its occurrences are ordinary bookings (each with its own appointment and meeting)
    carrying `series`. The rule is kept as asked, for display and for "this and following"."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="series")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="series")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="series")
    customer = models.ForeignKey("Customer", on_delete=models.PROTECT, related_name="series")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    interval = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    count = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(SERIES_MAX_OCCURRENCES)]
    )
    until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service} every {self.interval} {self.frequency} for {self.customer}"


class ServiceQuestion(models.Model):
    """A question the booking page asks for one service. Answers are kept with each booking as written then
    (`Booking.answers`), so editing or retiring a question never changes what a customer said."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        CHOICE = "choice", "Choice"
        CHECKBOX = "checkbox", "Checkbox"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    # For `choice`: the options offered, in order.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


def new_manage_token() -> str:
    return secrets.token_urlsafe(24)


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    SEAT_HOLDING = frozenset({Status.PENDING, Status.CONFIRMED})

    # Indexed by booking_tenant_status_idx, which starts with the tenant.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="bookings", db_index=False)
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="bookings")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bookings")
    party_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    manage_token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    notes = models.TextField(blank=True)
    # Answers to the service's questions as asked then: [{"question_id", "label", "answer"}].
    answers = models.JSONField(default=list, blank=True, db_default=[])
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    # The policy that chose the staff member for "any available" ('' when a person chose them); round robin
    # and least busy count these.
    assigned_by = models.CharField(max_length=12, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status"], name="booking_tenant_status_idx")]

    def __str__(self) -> str:
        return f"{self.customer} — {self.appointment} ({self.status})"

    @property
    def holds_seats(self) -> bool:
        return self.status in self.SEAT_HOLDING


class StaffChange(models.Model):
    """One change to a staff member's schedule or account, written by `scheduling/catalog.py` beside the
    change itself, so admins see who changed what and when (staff edit their own hours and time off)."""

    class Kind(models.TextChoices):
        WORKING_HOURS = "working_hours", "Working hours"
        TIME_OFF_ADDED = "time_off_added", "Time off added"
        TIME_OFF_REMOVED = "time_off_removed", "Time off removed"
        ACCOUNT_LINKED = "account_linked", "Sign-in linked"
        ACCOUNT_UNLINKED = "account_unlinked", "Sign-in removed"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=500)
    # Who made it: kept by name too, so the list still says who after their account is gone. No user: the
    # API (a tenant's key) or a script.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["staff", "-at"], name="staff_change_recent_idx")]

    def __str__(self) -> str:
        return f"{self.staff}: {self.summary}"


class BookingChange(models.Model):
    """One change to a booking as people see it (moved, service changed, cancelled, status set), with the
    reason given in the confirm step. Written by `scheduling/services.py` in the change's own transaction."""

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", "Rescheduled"
        SERVICE_CHANGED = "service_changed", "Service changed"
        CANCELLED = "cancelled", "Cancelled"
        STATUS_CHANGED = "status_changed", "Status changed"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=500)
    reason = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    # Who: a signed-in person, the customer (from /manage or /my), or neither (the API or a script).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_customer = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.summary}"
