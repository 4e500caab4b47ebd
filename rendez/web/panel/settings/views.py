"""Settings: a home page leading to the business profile and the integrations.

Business profile: written by `rendez.tenants.profile`; a refusal shows beside its field and nothing is saved.

Integrations → Zoom: the tenant's meeting settings, a live preview of the templates, and the tenant's Zoom
connection (Connect through OAuth, or Server-to-Server credentials, as the operator allows). Settings are
written by `zoom.tenant_settings`, connections by `zoom.connections`; Zoom's refusal of credentials is shown
in Zoom's own words and nothing is stored.

Admins only: staff members get 404, as for every admin page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rendez.integrations.zoom import access, conf, connections, oauth, states
from rendez.integrations.zoom import tenant_settings as zoom_settings
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomError
from rendez.integrations.zoom.models import Mode
from rendez.lib import shortcodes
from rendez.tenants import profile
from rendez.web import brand
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.settings.forms import ProfileForm, S2SForm, ZoomSettingsForm

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


# The largest logo and the form's text fields fit well within this; a bigger body is refused unread.
MAX_PROFILE_BODY = profile.LOGO_MAX_BYTES + 64 * 1024


@panel_view(admin_only=True)
def settings_home(request: HttpRequest, panel: Panel) -> HttpResponse:
    context = {
        "panel": panel,
        "zoom_refusal": access.refusal(panel.tenant),
        "zoom_connection": connections.tenant_connection(panel.tenant),
        "logo_url": brand.logo_url(panel.tenant),
    }
    return render(request, "panel/settings/home.html", context)


@panel_view(admin_only=True)
def settings_profile(request: HttpRequest, panel: Panel) -> HttpResponse:
    tenant = panel.tenant
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > MAX_PROFILE_BODY:
        form = ProfileForm(initial=ProfileForm.initial_for(tenant), current_zone=tenant.timezone)
        form.add_error("logo", f"The logo may be {profile.LOGO_MAX_MB} MB at most; nothing was saved.")
        return _profile_page(request, panel, form, status=413)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ProfileForm(data, files, initial=ProfileForm.initial_for(tenant), current_zone=tenant.timezone)
    if request.method == "POST" and form.is_valid() and _save_profile(panel, form):
        messages.success(request, "Business profile saved.")
        return redirect("panel:settings_profile")
    return _profile_page(request, panel, form, status=400 if form.errors else 200)


def _save_profile(panel: Panel, form: ProfileForm) -> bool:
    """All or nothing: a refused picture keeps the rest unsaved too, and the page shows what was typed."""
    upload = form.cleaned_data["logo"]
    logo = upload.read(profile.LOGO_MAX_BYTES + 1) if upload else None
    try:
        if logo is not None:
            logo = profile.prepared_logo(logo)  # before anything is written
        with transaction.atomic():
            profile.update_profile(panel.tenant, form.profile_values())
            if logo is not None:
                profile.set_logo(panel.tenant, logo)
            elif form.cleaned_data["remove_logo"]:
                profile.remove_logo(panel.tenant)
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, " ".join(texts))
        return False
    return True


def _profile_page(request: HttpRequest, panel: Panel, form: ProfileForm, *, status: int) -> HttpResponse:
    context = {
        "panel": panel,
        "form": form,
        "logo_url": brand.logo_url(panel.tenant),
        "booking_url": request.build_absolute_uri(reverse("booking:services", args=[panel.tenant.slug])),
    }
    return render(request, "panel/settings/profile.html", context, status=status)


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
    return render(request, "panel/settings/_zoom_preview.html", context)


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
    return render(request, "panel/settings/zoom_disconnect.html", context)


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
    return render(request, "panel/settings/zoom.html", context, status=status)
