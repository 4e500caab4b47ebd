"""The panel's staff pages: the list with each one's sign-in and a column per integration (Zoom's status); a
staff member's page with details, sign-in (invitation, role), working hours, time off, recent changes and the
integrations' sections (`web/panel/sections.py`: Zoom's is `integrations/zoom/panel/staff.py`); and "My
schedule", where a staff member keeps their own hours and time off and connects their own accounts.

Admins reach every staff member of their tenant by id; anyone else gets 404 there and has only `/me/`, which
is always their own row (schedule.py and account.py hold those forms' views). Catalog rows change only
through `scheduling.catalog`; refusals are shown on the form they came from, in their words.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from rendez.lib.phones import region_of_zone
from rendez.scheduling import catalog
from rendez.scheduling.models import Staff
from rendez.tenants.models import Membership
from rendez.web.panel import sections
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.staff.forms import HoursForm, InviteForm, RoleForm, StaffForm, TimeOffForm
from rendez.web.panel.staff.invitations import has_accepted

CHANGES_SHOWN = 20


def _members(panel: Panel):
    return (
        Staff.objects.filter(tenant=panel.tenant).select_related(*sections.staff_relations()).order_by("name")
    )


def member_of(panel: Panel, staff_id: int) -> Staff:
    return get_object_or_404(_members(panel), pk=staff_id)


def viewer(request: HttpRequest) -> User:
    """The signed-in person (every panel view is behind a sign-in)."""
    return cast(User, request.user)


def own(panel: Panel) -> Staff:
    """The viewer's own staff row; a viewer without one has no schedule to edit."""
    if panel.staff is None:
        raise Http404
    return member_of(panel, panel.staff.pk)


def is_own_page(panel: Panel, member: Staff) -> bool:
    """Whether `member`'s page for this viewer is "My schedule" (staff) rather than the admin's staff page."""
    return panel.staff is not None and panel.staff.pk == member.pk and not panel.is_admin


def page_url(panel: Panel, member: Staff) -> str:
    """Where a staff member's page lives for this viewer."""
    if is_own_page(panel, member):
        return reverse("panel:staff_me")
    return reverse("panel:staff_edit", args=[member.pk])


# --- the list, creating, details ----------------------------------------------------------------------------


@panel_view(admin_only=True)
def staff_list(request: HttpRequest, panel: Panel) -> HttpResponse:
    members = list(_members(panel).select_related("user"))
    roles = _roles(panel, members)
    columns = [section for section in sections.staff_sections() if section.cell_context is not None]
    rows = [(member, _cells(columns, member), roles.get(member.user_id)) for member in members]
    return render(request, "panel/staff/list.html", {"panel": panel, "rows": rows, "columns": columns})


def _cells(columns: list[sections.StaffSection], member: Staff) -> list[tuple[sections.StaffSection, dict]]:
    return [(column, column.cell_context(member)) for column in columns if column.cell_context is not None]


def _roles(panel: Panel, members: list[Staff]) -> dict[int | None, str]:
    """Each linked account's role here; an account linked without a membership (revoked) has none."""
    users = [member.user_id for member in members if member.user_id]
    memberships = Membership.objects.filter(tenant=panel.tenant, user_id__in=users)
    return dict(memberships.values_list("user_id", "role"))


def sign_in_section(
    panel: Panel,
    member: Staff,
    viewer_id: int | None,
    invite: InviteForm | None = None,
    role: RoleForm | None = None,
) -> dict:
    """What the admin's "Sign-in" card shows: the invitation form, or the linked account with its role."""
    user = member.user
    membership = (
        Membership.objects.filter(tenant=panel.tenant, user_id=user.pk).first() if user is not None else None
    )
    section: dict = {"user": user, "membership": membership}
    if user is None or membership is None:
        initial = {"email": member.email, "role": Membership.Role.STAFF}
        section["invite"] = invite or InviteForm(initial=initial)
        section["can_link_me"] = panel.staff is None and user is None
    else:
        section["accepted"] = has_accepted(user)
        section["is_me"] = user.pk == viewer_id
        section["role"] = role or RoleForm(initial={"role": membership.role})
    return section


@panel_view(admin_only=True)
def staff_new(request: HttpRequest, panel: Panel) -> HttpResponse:
    region = region_of_zone(panel.tenant.timezone)
    form = StaffForm(request.POST or None, initial={"timezone": panel.tenant.timezone}, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            member = catalog.create_staff(panel.tenant, form.details())
        except catalog.CatalogError as error:
            show(form, error)
        else:
            messages.success(request, f"{member.name} was added. Set their hours and connect Zoom below.")
            return redirect("panel:staff_edit", member.pk)
    status = 400 if form.errors else 200
    return render(request, "panel/staff/new.html", {"panel": panel, "form": form}, status=status)


@panel_view(admin_only=True)
def staff_edit(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = member_of(panel, staff_id)
    if request.method != "POST":
        return page(request, panel, member)
    form = StaffForm(request.POST, region=region_of_zone(panel.tenant.timezone), current_zone=member.timezone)
    if form.is_valid():
        try:
            member = catalog.update_staff(member, form.changes())
        except catalog.CatalogError as error:
            show(form, error)
        else:
            messages.success(request, f"{member.name}'s details were saved.")
            return redirect("panel:staff_edit", member.pk)
    return page(request, panel, member, details=form)


def show(form, error: catalog.CatalogError) -> None:
    if not error.fields:
        form.add_error(None, error.message)
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)


def page(request: HttpRequest, panel: Panel, member: Staff, **forms) -> HttpResponse:
    """The staff member's page: an admin's (details, sign-in, schedule, changes, integrations) or, for the
    staff member themselves, "My schedule". `forms` are forms refused on this request, shown with their
    errors (an integration's too: its section reads its own by name)."""
    own_page = is_own_page(panel, member)
    context = {
        "panel": panel,
        "member": member,
        "own": own_page,
        "hours": forms.get("hours") or HoursForm.of(member.working_hours.all()),
        "time_off": forms.get("time_off") or TimeOffForm(),
        "time_off_rows": member.time_off.filter(end__gt=timezone.now()).order_by("start"),
        "sections": [
            (section.template, values)
            for section in sections.staff_sections()
            if (values := section.context(panel, member, forms)) is not None
        ],
    }
    if not own_page:
        context["details"] = forms.get("details") or StaffForm.of(member)
        context["sign_in"] = sign_in_section(
            panel, member, request.user.pk, forms.get("invite"), forms.get("role")
        )
        context["changes"] = member.changes.select_related("by")[:CHANGES_SHOWN]
    template = "panel/staff/me.html" if own_page else "panel/staff/edit.html"
    return render(request, template, context, status=400 if forms else 200)


# --- My schedule --------------------------------------------------------------------------------------------


@panel_view()
def staff_me(request: HttpRequest, panel: Panel) -> HttpResponse:
    """A staff member's own page; an admin's own row is their staff page. A sign-in linked to no staff row
    is told how to get one, instead of a bare 404."""
    if panel.staff is None:
        return render(request, "panel/staff/me_unlinked.html", {"panel": panel})
    if panel.is_admin:
        return redirect("panel:staff_edit", panel.staff.pk)
    return page(request, panel, own(panel))
