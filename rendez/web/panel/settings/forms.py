"""Settings → Integrations → Zoom: the tenant's meeting settings and the Server-to-Server credentials."""

from __future__ import annotations

from django import forms

from rendez.integrations.zoom import tenant_settings


class ZoomSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Create Zoom meetings for bookings", required=False)
    topic_template = forms.CharField(
        label="Meeting topic",
        max_length=tenant_settings.TOPIC_MAX,
        widget=forms.TextInput(attrs={"data-shortcode-target": "", "autocomplete": "off"}),
    )
    description_template = forms.CharField(
        label="Meeting description",
        max_length=tenant_settings.AGENDA_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-shortcode-target": ""}),
    )
    random_password = forms.BooleanField(
        label="Give each meeting a random password",
        required=False,
        help_text="Customers get the password with their join link.",
    )


class S2SForm(forms.Form):
    account_id = forms.CharField(label="Account ID", max_length=100)
    client_id = forms.CharField(label="Client ID", max_length=200)
    client_secret = forms.CharField(
        label="Client Secret",
        max_length=500,
        strip=True,
        # Never shown back: the field is empty on every page, even after a refused attempt.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
