"""A staff member's sign-in, managed by admins on their staff page: invite (or invite again), revoke, change
the role, and "This is me" for an admin who is a staff member too. Everything here is admin-only; another
tenant's staff answer 404 and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rendez.scheduling import catalog
from rendez.scheduling.models import Staff
from rendez.tenants import people
from rendez.tenants.models import Membership
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.staff import invitations, views
from rendez.web.panel.staff.forms import InviteForm, RoleForm


@require_POST
@panel_view(admin_only=True)
def staff_invite(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = views.member_of(panel, staff_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return views.page(request, panel, member, invite=form)
    return _invite(request, panel, member, form.cleaned_data["email"], form.cleaned_data["role"], form)


@require_POST
@panel_view(admin_only=True)
def staff_reinvite(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = views.member_of(panel, staff_id)
    membership = _membership(panel, member)
    if member.user is None or membership is None:
        messages.error(request, f"{member.name} has no invitation to send again; invite them below.")
        return redirect("panel:staff_edit", member.pk)
    return _invite(request, panel, member, member.user.email, membership.role, None)


@require_POST
@panel_view(admin_only=True)
def staff_revoke(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = views.member_of(panel, staff_id)
    if member.user is None:
        messages.error(request, f"{member.name} has no sign-in to revoke.")
        return redirect("panel:staff_edit", member.pk)
    email = member.user.email
    try:
        invitations.revoke(member, by=views.viewer(request))
    except invitations.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{email} no longer signs in to {panel.tenant.name}. "
            f"{member.name}'s appointments and hours stay.",
        )
    return redirect("panel:staff_edit", member.pk)


@require_POST
@panel_view(admin_only=True)
def staff_role(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = views.member_of(panel, staff_id)
    form = RoleForm(request.POST)
    if member.user is None or _membership(panel, member) is None:
        messages.error(request, f"{member.name} has no sign-in here; invite them first.")
        return redirect("panel:staff_edit", member.pk)
    if not form.is_valid():
        return views.page(request, panel, member, role=form)
    try:
        people.set_role(panel.tenant.pk, member.user, form.cleaned_data["role"])
    except people.MembershipError as error:
        form.add_error("role", error.message)
        return views.page(request, panel, member, role=form)
    label = Membership.Role(form.cleaned_data["role"]).label
    messages.success(request, f"{member.name} is now: {label}.")
    if member.user_id == request.user.pk and form.cleaned_data["role"] != Membership.Role.ADMIN:
        return redirect("panel:home")
    return redirect("panel:staff_edit", member.pk)


@require_POST
@panel_view(admin_only=True)
def staff_link_me(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    """An admin who also takes appointments links their own sign-in to their staff row."""
    member = views.member_of(panel, staff_id)
    if member.user is not None:
        messages.error(request, f"{member.name} signs in as {member.user.email} already.")
        return redirect("panel:staff_edit", member.pk)
    try:
        catalog.link_account(member, views.viewer(request), by=views.viewer(request))
    except catalog.CatalogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You are {member.name} now: your appointments and calendar are theirs.")
    return redirect("panel:staff_edit", member.pk)


def _invite(
    request: HttpRequest, panel: Panel, member: Staff, email: str, role: str, form: InviteForm | None
) -> HttpResponse:
    try:
        invitation = invitations.invite(member, email, role, by=views.viewer(request))
    except invitations.InvitationError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("panel:staff_edit", member.pk)
        form.add_error("email", error.message)
        return views.page(request, panel, member, invite=form)
    if invitation.link:
        messages.success(request, f"Invitation sent to {email}. The link works once, for 7 days.")
    else:
        messages.success(
            request, f"{email} has a Rendez account already: they were told to sign in as usual and find you."
        )
    return redirect("panel:staff_edit", member.pk)


def _membership(panel: Panel, member: Staff) -> Membership | None:
    if member.user_id is None:
        return None
    return Membership.objects.filter(tenant=panel.tenant, user_id=member.user_id).first()
