from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from rendez.scheduling.changes import REASON_MAX


class EmailForm(forms.Form):
    email = forms.EmailField(label="Your email address", help_text="The one you booked with.", max_length=254)


class DayForm(forms.Form):
    date = forms.DateField(
        label="Show free times from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def first_day(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return max(self.cleaned_data["date"], default)
        return default


class SlotForm(forms.Form):
    start = forms.CharField(max_length=40)

    def clean_start(self) -> dt.datetime:
        try:
            start = dt.datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError as error:
            raise forms.ValidationError("Pick one of the free times shown.") from error
        if timezone.is_naive(start):
            raise forms.ValidationError("Pick one of the free times shown.")
        return start


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only the business sees it, in the booking's history.",
    )

    @property
    def given(self) -> str:
        """The reason of a valid form (check `is_valid()` first: an invalid one is shown, not dropped)."""
        return self.cleaned_data.get("reason", "")
