"""The panel's booking form: service, staff member, a free start (from the slots fragment), a customer, and
the answers to the service's booking questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms

from rendez.lib.phones import PhoneField, region_of_zone
from rendez.scheduling.models import Customer, Service, Staff
from rendez.scheduling.questions import questions_for_booking
from rendez.tenants.models import Tenant
from rendez.web.question_fields import add_question_fields, checked_answers


class BookForm(forms.Form):
    service = forms.ModelChoiceField(label="Service", queryset=Service.objects.none())
    staff = forms.ModelChoiceField(
        label="Staff member", queryset=Staff.objects.none(), required=False, empty_label="Any available"
    )
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.CharField(
        label="Time", error_messages={"required": "Pick one of the free times."}, widget=forms.HiddenInput
    )
    party_size = forms.IntegerField(
        label="Seats",
        min_value=1,
        max_value=1000,
        initial=1,
        required=False,
        help_text="More than one for a group session that keeps places for several people.",
    )
    email = forms.EmailField(label="Customer's email", help_text="An existing customer is found by email.")
    name = forms.CharField(label="Name", max_length=200, required=False, help_text="Only for a new customer.")
    phone = PhoneField(label="Phone", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, tenant: Tenant, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        cast(PhoneField, self.fields["phone"]).region = region_of_zone(tenant.timezone)
        services = Service.objects.filter(tenant=tenant, is_active=True).order_by("name", "pk")
        staff = Staff.objects.filter(tenant=tenant, is_active=True).order_by("name", "pk")
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = services
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff
        self.customer: Customer | None = None
        # The chosen service's booking questions, asked as on the booking page.
        chosen = str((self.data if self.is_bound else self.initial).get("service") or "")
        self.questions = questions_for_booking(tenant.pk, int(chosen)) if chosen.isdigit() else []
        self.question_names = add_question_fields(self, self.questions)
        self.answers: list[dict[str, object]] = []

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def clean_party_size(self) -> int:
        return self.cleaned_data.get("party_size") or 1

    def clean_start(self) -> datetime:
        try:
            start = datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError:
            raise forms.ValidationError("Pick one of the free times.") from None
        if start.tzinfo is None:
            raise forms.ValidationError("Pick one of the free times.")
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = (data.get("email") or "").strip().lower()
        if email:
            self.customer = Customer.objects.filter(tenant=self.tenant, email=email).first()
            if self.customer is None and not data.get("name"):
                self.add_error("name", "No customer has this email yet: give the new customer's name.")
        self.answers = checked_answers(self, self.questions)
        return data


class CustomerForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="Email", help_text="Messages about their bookings go here.")
    phone = PhoneField(label="Phone", required=False)

    def __init__(self, *args: Any, region: str | None = None, **kwargs: Any) -> None:
        """`region`: the business's country, where a phone number typed without country code is from."""
        super().__init__(*args, **kwargs)
        cast(PhoneField, self.fields["phone"]).region = region
