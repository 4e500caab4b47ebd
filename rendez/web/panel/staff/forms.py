"""The staff pages' forms: a staff member's details, their week of working hours, time off, their sign-in.

Forms only parse what was typed; the rules (intervals that overlap, time off that ends before it starts) are
the catalog writer's, and its refusal is shown on the form in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from typing import Any, cast

from django import forms

from rendez.lib.phones import PhoneField
from rendez.lib.zones import zone_choices
from rendez.scheduling.catalog import StaffChanges, StaffDetails, WorkingInterval
from rendez.scheduling.models import Staff, WorkingHours
from rendez.tenants.models import Membership

# Shown apart from the rest of the details, under "Any available" bookings.
ASSIGNMENT_FIELDS = (
    "assignment_weight",
    "assignment_priority",
    "max_assignments_per_day",
    "max_assignments_per_week",
)
INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(
        label="Email",
        required=False,
        help_text="With the email of a Zoom user, the business's Zoom account maps this person on its own.",
    )
    phone = PhoneField(label="Phone", required=False)
    timezone = forms.ChoiceField(label="Time zone", choices=zone_choices, initial="UTC")
    is_active = forms.BooleanField(label="Active (can be booked)", required=False, initial=True)
    # How "any available" treats them (docs/scheduling.md).
    assignment_weight = forms.IntegerField(
        label="Weight",
        min_value=1,
        max_value=100,
        initial=1,
        required=False,
        help_text="Round robin: 2 gets twice as many as 1.",
    )
    assignment_priority = forms.IntegerField(
        label="Priority",
        min_value=-100,
        max_value=100,
        initial=0,
        required=False,
        help_text="Higher is asked first (-100 to 100).",
    )
    max_assignments_per_day = forms.IntegerField(
        label="Most sessions a day",
        min_value=0,
        max_value=1000,
        required=False,
        help_text="Empty: no limit.",
    )
    max_assignments_per_week = forms.IntegerField(
        label="Most sessions a week",
        min_value=0,
        max_value=1000,
        required=False,
        help_text="Monday to Sunday. Empty: no limit.",
    )

    def __init__(self, *args: Any, region: str | None = None, current_zone: str = "", **kwargs: Any) -> None:
        """`region`: the business's country, where a phone number typed without country code is from;
        `current_zone`: the zone saved, kept choosable if it is a legacy name the list leaves out."""
        super().__init__(*args, **kwargs)
        cast(PhoneField, self.fields["phone"]).region = region
        if current_zone:
            cast(forms.ChoiceField, self.fields["timezone"]).choices = zone_choices(current_zone)

    @classmethod
    def of(cls, staff: Staff) -> StaffForm:
        fields = (
            "name",
            "email",
            "phone",
            "timezone",
            "is_active",
            "assignment_weight",
            "assignment_priority",
            "max_assignments_per_day",
            "max_assignments_per_week",
        )
        return cls(initial={name: getattr(staff, name) for name in fields}, current_zone=staff.timezone)

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in ASSIGNMENT_FIELDS]

    def assignment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ASSIGNMENT_FIELDS]

    def details(self) -> StaffDetails:
        return StaffDetails(**self._given())

    def changes(self) -> StaffChanges:
        return StaffChanges(**self._given())

    def _given(self) -> dict[str, Any]:
        # A weight or priority left empty keeps its value (the default for someone new); an empty cap is none.
        unset = {"assignment_weight", "assignment_priority"}
        return {
            name: value for name, value in self.cleaned_data.items() if value is not None or name not in unset
        }


class HoursForm(forms.Form):
    """One text field a weekday, "09:00-12:00, 13:00-17:00": as many intervals a day as needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WorkingHours.Weekday.choices:
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": "09:00-17:00"}),
            )

    @classmethod
    def of(cls, hours: Iterable[WorkingHours]) -> HoursForm:
        days: dict[int, list[str]] = {}
        for row in sorted(hours, key=lambda row: (row.weekday, row.start_time)):
            days.setdefault(row.weekday, []).append(f"{row.start_time:%H:%M}-{row.end_time:%H:%M}")
        return cls(initial={f"day_{day}": ", ".join(spans) for day, spans in days.items()})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(f"day_{day}" in self.data for day in WorkingHours.Weekday.values):
            # A post naming no day at all is not a week off: it is not this form's.
            raise forms.ValidationError("No working hours were sent.")
        for day, label in WorkingHours.Weekday.choices:
            name = f"day_{day}"
            if name in data:
                try:
                    data[name] = _intervals(day, data[name])
                except ValueError as error:
                    self.add_error(name, f"{label}: {error}")
        return data

    def intervals(self) -> list[WorkingInterval]:
        return [
            interval
            for day, _ in WorkingHours.Weekday.choices
            for interval in self.cleaned_data[f"day_{day}"]
        ]


def _intervals(day: int, text: str) -> list[WorkingInterval]:
    found = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = INTERVAL.match(part)
        if match is None:
            raise ValueError(f"“{part}” is not an interval like 09:00-17:00.")
        start_h, start_m, end_h, end_m = map(int, match.groups())
        try:
            start, end = time(start_h, start_m), time(end_h, end_m)
        except ValueError:
            raise ValueError(f"“{part}” is not a time of day (00:00 to 23:59).") from None
        found.append(WorkingInterval(day, start, end))
    return found


class TimeOffForm(forms.Form):
    """Start and end in the viewer's zone (the panel activates it)."""

    start = forms.DateTimeField(label="Away from", widget=DATETIME_INPUT)
    end = forms.DateTimeField(label="Back at", widget=DATETIME_INPUT)
    reason = forms.CharField(label="Reason", max_length=200, required=False)


class InviteForm(forms.Form):
    """Shown beside the details form, whose fields share its names: its ids are its own."""

    email = forms.EmailField(
        label="Email", help_text="They get a link to choose a password; it works once, for 7 days."
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        help_text="Staff see their own appointments and schedule; admins run the whole business.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "role_%s")
        super().__init__(*args, **kwargs)
