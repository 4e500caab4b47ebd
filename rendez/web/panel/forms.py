"""The panel's forms: typed fields, a label on every input, errors in words a person understands."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate, get_user_model

from rendez.scheduling.changes import REASON_MAX
from rendez.scheduling.models import Booking, Service, Staff
from rendez.scheduling.services import TRANSITIONS

# Where a reason typed in the panel appears: the booking's history and staff's messages, not the customer's.
STAFF_REASON_HELP = (
    "For your team: kept in the booking's history and in the emails to staff. The customer does not see it."
)


class SignInForm(forms.Form):
    identifier = forms.CharField(label="Email or username", max_length=254)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.fields["identifier"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        identifier, password = data.get("identifier", ""), data.get("password", "")
        if identifier and password:
            self.user = authenticate(self.request, username=_username_for(identifier), password=password)
            if self.user is None:
                raise forms.ValidationError("That email or username and password do not match an account.")
        return data


def _username_for(identifier: str) -> str:
    """A username as typed, or the username of the one account with that email."""
    if "@" not in identifier:
        return identifier
    users = get_user_model().objects.filter(email__iexact=identifier.strip())[:2]
    return users[0].get_username() if len(users) == 1 else identifier


class TenantChoiceForm(forms.Form):
    tenant = forms.TypedChoiceField(label="Business", coerce=int)

    def __init__(self, memberships, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tenant"]).choices = [
            (m.tenant_id, f"{m.tenant.name} ({m.get_role_display()})") for m in memberships
        ]


WHEN_CHOICES = [("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]


class AppointmentFilterForm(forms.Form):
    when = forms.ChoiceField(label="When", choices=WHEN_CHOICES, required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    staff = forms.ModelChoiceField(label="Staff", queryset=Staff.objects.none(), required=False)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any")] + list(Booking.Status.choices), required=False
    )

    def __init__(self, staff, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["staff"])
        field.queryset = staff
        field.empty_label = "Anyone"


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(
        label="New start",
        help_text="In your time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    staff = forms.ModelChoiceField(label="Staff member", queryset=Staff.objects.none())
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,  # left out: the appointment keeps its service
        help_text="Another service changes the length; its video meeting follows and everyone is told.",
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=STAFF_REASON_HELP,
    )

    def __init__(self, staff, services, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = services

    @property
    def new_start(self) -> datetime:
        return self.cleaned_data["start"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Change status to")

    def __init__(self, booking: Booking, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Booking.Status.choices)
        allowed = sorted(TRANSITIONS[booking.status])
        field = cast(forms.ChoiceField, self.fields["status"])
        # No status is preselected: one click must not cancel a booking (a choice, then a confirmation).
        field.choices = [("", "Choose…"), *((status, labels[status]) for status in allowed)]
        field.error_messages["required"] = "Choose the booking's new status."
        current = booking.get_status_display().lower()
        refusal = f"A {current} booking cannot become %(value)s."
        field.error_messages["invalid_choice"] = refusal
        self.auto_id = f"id_booking{booking.pk}_%s"
