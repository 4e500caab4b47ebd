"""Settings: the business profile (each integration's settings forms are its own)."""

from __future__ import annotations

from django import forms

from rendez.lib.zones import zone_choices
from rendez.tenants import profile
from rendez.tenants.models import POLICY_MAX, WELCOME_MAX, Tenant


class ProfileForm(forms.Form):
    """What `profile.update_profile` takes, plus the logo; the model's validators decide what is refused."""

    name = forms.CharField(label="Business name", max_length=200)
    address = forms.CharField(
        label="Address",
        max_length=300,
        required=False,
        help_text="Where in-person appointments take place; shown in emails and invitations.",
    )
    timezone = forms.ChoiceField(
        label="Time zone", help_text="The zone the booking page and the panel show times in by default."
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=f"PNG, JPEG or WebP, up to {profile.LOGO_MAX_MB} MB. It is shrunk to fit "
        f"{profile.LOGO_BOX[0]} × {profile.LOGO_BOX[1]} pixels and kept as PNG, without the file's metadata.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    sender_name = forms.CharField(
        label="Sender name",
        max_length=100,
        required=False,
        help_text="The name emails to customers come from. Empty: the business name.",
    )
    reply_to_email = forms.CharField(
        label="Reply-to email",
        max_length=254,
        required=False,
        help_text="Where customers' replies go. Empty: replies go to the platform's sending address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    welcome_text = forms.CharField(
        label="Booking page welcome",
        max_length=WELCOME_MAX,
        required=False,
        help_text="Shown above the services on your booking page.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cancellation_policy = forms.CharField(
        label="Cancellation policy",
        max_length=POLICY_MAX,
        required=False,
        help_text="Shown before a customer books, and when they manage or cancel a booking.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    brand_colour = forms.CharField(
        label="Brand colour",
        max_length=7,
        required=False,
        help_text="As #rrggbb, e.g. #1f4fc9: links and buttons of your booking and customer pages.",
        widget=forms.TextInput(
            attrs={"placeholder": "#1f4fc9", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    offer_staff_without_zoom = forms.BooleanField(
        label="Offer staff who cannot host Zoom meetings yet",
        required=False,
        help_text=(
            "For video services the booking page leaves out staff without a working Zoom account; tick to "
            "offer them anyway: their customers get the link by email once they connect Zoom."
        ),
    )

    def __init__(self, *args, current_zone: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = zone_choices(current_zone)  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, tenant: Tenant) -> dict[str, str]:
        return {name: getattr(tenant, name) for name in profile.FIELDS}

    def profile_values(self) -> dict[str, str | bool]:
        return {name: self.cleaned_data[name] for name in profile.FIELDS}
