"""Settings → Integrations → Zoom: the tenant's meeting settings, a live preview of the templates, and the
tenant's Zoom connection (Connect through OAuth, or Server-to-Server credentials, as the operator allows).
Settings are written by `zoom.tenant_settings`, connections by `zoom.connections`; Zoom's refusal of
credentials is shown in Zoom's own words and nothing is stored. Also the card leading here from Settings.

Admins only: staff members get 404, as for every admin page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from rendez.integrations.zoom import access, conf, connections, oauth, states
from rendez.integrations.zoom import tenant_settings as zoom_settings
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomError
from rendez.integrations.zoom.models import Mode
from rendez.lib import shortcodes
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.sections import SettingsSection

# A made-up appointment for the preview: what the templates would read for a real booking.
SAMPLE_VALUES = {
    "customer_name": "Charlie Example",
    "customer_email": "charlie@example.com",
    "customer_phone": "+49 30 1234567",
    "service_name": "Consultation",
    "staff_name": "Dora Staff",
    "appointment_date": "Monday, 14 December 2026",
    "appointment_start_time": "10:00",
    "appointment_end_time": "10:30",
    "appointment_timezone": "Europe/Berlin",
    "booking_status": "Confirmed",
    "booking_manage_url": "https://rendez.example/manage/sample-token",
}


class ZoomSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Create Zoom meetings for bookings", required=False)
    topic_template = forms.CharField(
        label="Meeting topic",
        max_length=zoom_settings.TOPIC_MAX,
        help_text="The topic and description name Google Meet and Microsoft Teams meetings too: the title "
        "and description of their calendar events.",
        widget=forms.TextInput(attrs={"data-shortcode-target": "", "autocomplete": "off"}),
    )
    description_template = forms.CharField(
        label="Meeting description",
        max_length=zoom_settings.AGENDA_MAX,
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


def card_context(panel: Panel) -> dict:
    """What the Settings page's Zoom card shows."""
    return {
        "zoom_refusal": access.refusal(panel.tenant),
        "zoom_connection": connections.tenant_connection(panel.tenant),
    }


CARD = SettingsSection(key="zoom", template="zoom/panel/settings_card.html", context=card_context)


@panel_view(admin_only=True)
def settings_zoom(request: HttpRequest, panel: Panel) -> HttpResponse:
    if access.refusal(panel.tenant) is not None:
        return _page(request, panel, status=200 if request.method == "GET" else 403)
    current = zoom_settings.settings_of(panel.tenant)
    initial = {name: getattr(current, name) for name in zoom_settings.EDITABLE}
    form = ZoomSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            zoom_settings.update(panel.tenant, form.cleaned_data)
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                form.add_error(field if field in form.fields else None, " ".join(texts))
        else:
            messages.success(request, "Zoom settings saved.")
            return redirect("panel:settings_zoom")
    return _page(request, panel, form=form, status=400 if form.errors else 200)


@panel_view(admin_only=True)
@require_POST
def settings_zoom_preview(request: HttpRequest, panel: Panel) -> HttpResponse:
    topic = request.POST.get("topic_template", "")
    description = request.POST.get("description_template", "")
    values = {**SAMPLE_VALUES, "tenant_name": panel.tenant.name, "tenant_address": panel.tenant.address}
    context = {
        "errors": zoom_settings.template_errors(topic, description),
        "topic": shortcodes.render(topic, values),
        "description": shortcodes.render(description, values),
    }
    return render(request, "zoom/panel/_preview.html", context)


@panel_view(admin_only=True)
@require_POST
def settings_zoom_connect(request: HttpRequest, panel: Panel) -> HttpResponse:
    refusal = access.refusal(panel.tenant, Mode.TENANT_OAUTH)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("panel:settings_zoom")
    back = request.build_absolute_uri(reverse("panel:settings_zoom"))
    state, challenge = states.begin(
        panel.tenant, Mode.TENANT_OAUTH, return_url=back, started_by_id=request.user.pk
    )
    return redirect(oauth.authorize_url(state, challenge))


@panel_view(admin_only=True)
@require_POST
def settings_zoom_s2s(request: HttpRequest, panel: Panel) -> HttpResponse:
    refusal = access.refusal(panel.tenant, Mode.TENANT_S2S)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("panel:settings_zoom")
    s2s = S2SForm(request.POST)
    if s2s.is_valid():
        data = s2s.cleaned_data
        try:
            connections.save_s2s(panel.tenant, data["account_id"], data["client_id"], data["client_secret"])
        except OAuthGrantError as error:
            s2s.add_error(None, f"Zoom refused these credentials: {error.reason or error.error}.")
        except ZoomError as error:
            s2s.add_error(None, f"Zoom could not be reached to check these credentials ({error.message}).")
        else:
            messages.success(request, "Zoom account connected (Server-to-Server).")
            return redirect("panel:settings_zoom")
    return _page(request, panel, s2s=s2s, status=400)


@panel_view(admin_only=True)
def settings_zoom_disconnect(request: HttpRequest, panel: Panel) -> HttpResponse:
    connection = connections.tenant_connection(panel.tenant)
    if connection is None:
        messages.info(request, "No Zoom account is connected.")
        return redirect("panel:settings_zoom")
    if request.method == "POST":
        connections.disconnect(connection)
        messages.success(request, "Zoom account disconnected. Meetings already made stay on Zoom.")
        return redirect("panel:settings_zoom")
    context = {"panel": panel, "connection": connection}
    return render(request, "zoom/panel/settings_disconnect.html", context)


def _page(
    request: HttpRequest,
    panel: Panel,
    *,
    form: ZoomSettingsForm | None = None,
    s2s: S2SForm | None = None,
    status: int = 200,
) -> HttpResponse:
    not_in_plan = access.refusal(panel.tenant)
    modes = conf.enabled_modes()
    context = {
        "panel": panel,
        "not_in_plan": not_in_plan,
        "form": form,
        "s2s": s2s or S2SForm(),
        "connection": None if not_in_plan else connections.tenant_connection(panel.tenant),
        "oauth_allowed": Mode.TENANT_OAUTH in modes,
        "s2s_allowed": Mode.TENANT_S2S in modes,
        "staff_oauth_allowed": Mode.STAFF_OAUTH in modes,
        "shortcodes": sorted(zoom_settings.TEMPLATE_SHORTCODES),
    }
    if form is None and not not_in_plan:
        current = zoom_settings.settings_of(panel.tenant)
        context["form"] = ZoomSettingsForm(
            initial={name: getattr(current, name) for name in zoom_settings.EDITABLE}
        )
    return render(request, "zoom/panel/settings.html", context, status=status)


# Under /panel/settings/, in the `panel` namespace.
urlpatterns = [
    path("zoom/", settings_zoom, name="settings_zoom"),
    path("zoom/preview/", settings_zoom_preview, name="settings_zoom_preview"),
    path("zoom/connect/", settings_zoom_connect, name="settings_zoom_connect"),
    path("zoom/s2s/", settings_zoom_s2s, name="settings_zoom_s2s"),
    path("zoom/disconnect/", settings_zoom_disconnect, name="settings_zoom_disconnect"),
]
