"""The checklist's own actions: "Add me as a staff member", the QR code to download, and putting the
checklist away once every step is done. Staff rows are made and linked to a login by `scheduling.catalog`, as
on the staff pages."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from rendez.scheduling import catalog
from rendez.scheduling.models import Staff
from rendez.web.models import ChecklistDismissal
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.onboarding import sharing
from rendez.web.panel.onboarding.checklist import checklist_for


@require_POST
@panel_view(admin_only=True)
def add_me(request: HttpRequest, panel: Panel) -> HttpResponse:
    """Make the signed-in admin a staff member of the business, linked to their login (once)."""
    user = _person(request)
    if panel.staff is not None or Staff.objects.filter(tenant=panel.tenant, user=user).exists():
        messages.success(request, "You are a staff member already.")
        return redirect("panel:dashboard")
    details = catalog.StaffDetails(
        name=user.get_full_name() or user.get_username(),
        email=user.email,
        timezone=panel.tenant.timezone,
    )
    try:
        with transaction.atomic():
            member = catalog.link_account(catalog.create_staff(panel.tenant, details), user, by=user)
    except catalog.CatalogError as error:
        messages.error(request, f"You could not be added: {error.message}")
        return redirect("panel:dashboard")
    messages.success(request, "You are a staff member now. Set your working hours below.")
    return redirect("panel:staff_edit", member.pk)


@require_GET
@panel_view(admin_only=True)
def qr_code(request: HttpRequest, panel: Panel) -> HttpResponse:
    response = HttpResponse(
        sharing.qr_svg_file(sharing.booking_url(panel.tenant)), content_type="image/svg+xml"
    )
    response["Content-Disposition"] = f'attachment; filename="booking-page-{panel.tenant.slug}.svg"'
    return response


@require_POST
@panel_view(admin_only=True)
def dismiss(request: HttpRequest, panel: Panel) -> HttpResponse:
    if not checklist_for(panel.tenant).complete:
        messages.error(request, "The checklist stays until every step is done.")
        return redirect("panel:dashboard")
    ChecklistDismissal.objects.get_or_create(tenant=panel.tenant, defaults={"dismissed_by": _person(request)})
    messages.success(request, "The checklist is put away; your booking page stays on the dashboard.")
    return redirect("panel:dashboard")


def _person(request: HttpRequest) -> User:
    # `panel_view` let only a signed-in person through.
    return cast(User, request.user)
