"""Settings: a home page leading to the business profile and the integrations.

Business profile: written by `rendez.tenants.profile`; a refusal shows beside its field and nothing is saved.

Integrations: one card per integration, each registered by its integration (`web/panel/sections.py`) and
leading to that integration's own settings pages (Zoom's: `integrations/zoom/panel/settings.py`).

Admins only: staff members get 404, as for every admin page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from rendez.tenants import profile
from rendez.web import brand
from rendez.web.panel import sections
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.settings.forms import ProfileForm

# The largest logo and the form's text fields fit well within this; a bigger body is refused unread.
MAX_PROFILE_BODY = profile.LOGO_MAX_BYTES + 64 * 1024


@panel_view(admin_only=True)
def settings_home(request: HttpRequest, panel: Panel) -> HttpResponse:
    context = {
        "panel": panel,
        "integrations": [(card.template, card.context(panel)) for card in sections.settings_sections()],
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
