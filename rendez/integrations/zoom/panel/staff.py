"""The staff page's Zoom card: the member's Zoom host (their own connection, or the Zoom user of the
business's account they are mapped to), connecting and disconnecting it, and the mapping; also the staff
list's Zoom column. Admins act on any staff member of their tenant; a staff member only on their own
personal connection, from "My schedule". Connections and mappings change only through `zoom.connections`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from rendez.integrations.zoom import access as zoom_access
from rendez.integrations.zoom import connections, oauth, states
from rendez.integrations.zoom.errors import ZoomError
from rendez.integrations.zoom.hosts import Host, host_for, host_relations
from rendez.integrations.zoom.models import Connection, Mode
from rendez.integrations.zoom.schemas import ZoomUser
from rendez.scheduling.models import Staff
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.sections import StaffSection
from rendez.web.panel.staff.views import member_of, own, page, page_url


class MappingForm(forms.Form):
    zoom_user_id = forms.ChoiceField(label="Zoom user", required=False)

    def __init__(self, users: Sequence[ZoomUser], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not mapped: no Zoom meetings")]
        choices += [(user.id or "", _user_label(user)) for user in users if user.id]
        cast(forms.ChoiceField, self.fields["zoom_user_id"]).choices = choices


def _user_label(user: ZoomUser) -> str:
    return (
        f"{user.name} <{user.email}>" if user.email and user.name != user.email else user.name or str(user.id)
    )


def section_context(panel: Panel, member: Staff, refused: Mapping[str, Any]) -> dict:
    return {"zoom": _zoom_section(panel, member, refused.get("mapping"))}


def cell_context(member: Staff) -> dict:
    return {"host": host_for(member)}


SECTION = StaffSection(
    key="zoom",
    title="Zoom",
    template="zoom/panel/staff_section.html",
    context=section_context,
    cell_template="zoom/panel/staff_cell.html",
    cell_context=cell_context,
    relations=host_relations(),
)


def _zoom_section(panel: Panel, member: Staff, mapping: MappingForm | None = None) -> dict:
    """What the staff page's Zoom card (`zoom/panel/staff_section.html`) reads as `zoom`."""
    host = host_for(member)
    personal = host is not None and host.mode == Mode.STAFF_OAUTH
    refusal = zoom_access.refusal(panel.tenant)
    section: dict = {
        "member": member,
        "host": host,
        "personal": personal,
        "broken": host is not None and not host.usable,
        "refusal": refusal,
        "can_connect": refusal is None and zoom_access.refusal(panel.tenant, Mode.STAFF_OAUTH) is None,
        "mine": not panel.is_admin,
        "users_error": "",
        "mapping": None,
    }
    if panel.is_admin:
        section["connect_url"] = reverse("panel:staff_zoom_connect", args=[member.pk])
        section["disconnect_url"] = reverse("panel:staff_zoom_disconnect", args=[member.pk])
        section["map_url"] = reverse("panel:staff_zoom_map", args=[member.pk])
    else:
        section["connect_url"] = reverse("panel:staff_me_connect")
        section["disconnect_url"] = reverse("panel:staff_me_disconnect")
    tenant = connections.tenant_connection(panel.tenant) if refusal is None else None
    if panel.is_admin and tenant is not None and not personal:
        section["tenant_connection"] = tenant
        section["mapping"] = mapping or _mapping_form(section, tenant, host)
    return section


def _mapping_form(section: dict, tenant: Connection, host: Host | None) -> MappingForm:
    try:
        users = connections.account_users(tenant)
    except ZoomError as error:
        section["users_error"] = f"The Zoom account's users could not be listed ({error.message})."
        users = []
    return MappingForm(users, initial={"zoom_user_id": host.zoom_user_id if host else ""})


def _connect(request: HttpRequest, panel: Panel, member: Staff) -> HttpResponse:
    back = page_url(panel, member)
    refusal = zoom_access.refusal(panel.tenant, Mode.STAFF_OAUTH)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect(back)
    state, challenge = states.begin(
        panel.tenant, Mode.STAFF_OAUTH, member, return_url=back, started_by_id=request.user.pk
    )
    return HttpResponseRedirect(oauth.authorize_url(state, challenge))


def _disconnect(request: HttpRequest, panel: Panel, member: Staff) -> HttpResponse:
    """GET asks for confirmation; POST disconnects. Staff may end only their own personal connection."""
    back = page_url(panel, member)
    host = host_for(member)
    if host is None or (not panel.is_admin and host.mode != Mode.STAFF_OAUTH):
        messages.error(request, f"{member.name} has no Zoom connection to disconnect.")
        return redirect(back)
    if request.method != "POST":
        context = {"panel": panel, "member": member, "host": host, "back": back}
        return render(request, "zoom/panel/staff_disconnect.html", context)
    connections.disconnect_staff(member)
    if host.mode == Mode.STAFF_OAUTH:
        done = f"{member.name}'s Zoom account {host.email} was disconnected."
    else:
        done = f"{member.name} is no longer mapped to the Zoom user {host.email}."
    messages.success(request, done + " New bookings get no Zoom meeting until Zoom is connected again.")
    return redirect(back)


@require_POST
@panel_view(admin_only=True)
def staff_zoom_connect(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    return _connect(request, panel, member_of(panel, staff_id))


@panel_view(admin_only=True)
def staff_zoom_disconnect(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    return _disconnect(request, panel, member_of(panel, staff_id))


@require_POST
@panel_view(admin_only=True)
def staff_zoom_map(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = member_of(panel, staff_id)
    tenant = connections.tenant_connection(panel.tenant)
    if tenant is None or zoom_access.refusal(panel.tenant) is not None:
        messages.error(
            request, "Connect the business's Zoom account first, in Settings → Integrations → Zoom."
        )
        return redirect("panel:staff_edit", member.pk)
    try:
        users = connections.account_users(tenant)
    except ZoomError as error:
        messages.error(request, f"The Zoom account's users could not be listed ({error.message}). Try again.")
        return redirect("panel:staff_edit", member.pk)
    form = MappingForm(users, request.POST)
    if form.is_valid():
        chosen = form.cleaned_data["zoom_user_id"] or None
        try:
            mapping = connections.map_staff(member, chosen)
        except connections.ConnectionRuleError as error:
            form.add_error("zoom_user_id", error.message)
        except ZoomError as error:
            form.add_error("zoom_user_id", f"Zoom could not be reached ({error.message}). Try again.")
        else:
            if mapping is None:
                messages.success(request, f"{member.name} is no longer mapped to a Zoom user.")
            else:
                messages.success(request, f"{member.name} now hosts meetings as {mapping.email} on Zoom.")
            return redirect("panel:staff_edit", member.pk)
    return page(request, panel, member, mapping=form)


@require_POST
@panel_view()
def staff_me_connect(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _connect(request, panel, own(panel))


@panel_view()
def staff_me_disconnect(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _disconnect(request, panel, own(panel))


# Under /panel/staff/, in the `panel` namespace.
urlpatterns = [
    path("me/zoom/connect/", staff_me_connect, name="staff_me_connect"),
    path("me/zoom/disconnect/", staff_me_disconnect, name="staff_me_disconnect"),
    path("<int:staff_id>/zoom/connect/", staff_zoom_connect, name="staff_zoom_connect"),
    path("<int:staff_id>/zoom/disconnect/", staff_zoom_disconnect, name="staff_zoom_disconnect"),
    path("<int:staff_id>/zoom/map/", staff_zoom_map, name="staff_zoom_map"),
]
