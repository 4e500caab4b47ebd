"""A staff page card for each connectable calendar provider (Google Calendar, Microsoft 365): connect (or
reconnect), its status, account and last sync, which calendars block booking times and which one receives
appointments (from the provider's calendar list), disconnecting, and the changes people made in the calendar
to Rendez's events (shown, never obeyed).

Admins manage any staff member of their tenant; a staff member only their own, from "My schedule". Choices
are saved by the writer the API's PUT uses (calendars/choices.py); connect goes through the provider's
`Connector` (rendez/calendars/connecting.py), disconnect through its writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from rendez.calendars import choices, noticing, writing
from rendez.calendars.connecting import CalendarEntry, Connector, connector_of
from rendez.calendars.models import CalendarConnection
from rendez.scheduling.models import Staff
from rendez.web.panel.access import Panel, panel_view
from rendez.web.panel.sections import StaffSection
from rendez.web.panel.staff.views import is_own_page, member_of, page, page_url


class ChoiceForm(forms.Form):
    busy_calendar_ids = forms.MultipleChoiceField(
        label="Calendars that block booking times",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Bookings are never offered when any of these says you are busy.",
    )
    write_calendar_id = forms.ChoiceField(label="Calendar that receives appointments", required=False)
    transparent_events_block = forms.BooleanField(
        label='"Free" events block booking times too',
        required=False,
        help_text='Off: only events shown as busy block; events you marked "free" (say, a reminder) leave '
        "the time bookable. Rendez's own appointments never count.",
    )

    def __init__(self, entries: list[CalendarEntry], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        busy = self.fields["busy_calendar_ids"]
        write = self.fields["write_calendar_id"]
        assert isinstance(busy, forms.MultipleChoiceField) and isinstance(write, forms.ChoiceField)
        busy.choices = [(entry.id, _label(entry)) for entry in entries]
        write.choices = [("", "None: do not write appointments")] + [
            (entry.id, _label(entry)) for entry in entries if entry.writable
        ]


def _label(entry: CalendarEntry) -> str:
    return f"{entry.summary} (primary)" if entry.primary else entry.summary


def connection_of(member: Staff, provider: str) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(
        tenant_id=member.tenant_id, staff=member, provider=provider
    ).first()


def section_context(
    connector: Connector, panel: Panel, member: Staff, refused: Mapping[str, Any]
) -> dict | None:
    provider = connector.provider
    connection = connection_of(member, provider)
    live = connection is not None and connection.status != CalendarConnection.Status.DISCONNECTED
    calendars: dict[str, Any] = {
        "provider": provider,
        "label": connector.label,
        "company": connector.company,
        "member": member,
        "mine": is_own_page(panel, member),
        "connection": connection if live else None,
        "broken": live and connection is not None and not connection.is_usable,
        "connect_url": reverse("panel:staff_calendar_connect", args=[member.pk, provider]),
        "choose_url": reverse("panel:staff_calendar_choose", args=[member.pk, provider]),
        "disconnect_url": reverse("panel:staff_calendar_disconnect", args=[member.pk, provider]),
        "changes": [
            record
            for record in noticing.noticed_for_staff(member.tenant_id, member.pk)
            if connection is not None and record.connection_id == connection.pk
        ],
        "choice": None,
        "list_error": "",
    }
    if live and connection is not None and connection.is_usable:
        chosen = refused.get(f"{provider}_choice") or _choice_form(connector, calendars, connection)
        calendars["choice"] = chosen
    return {"calendars": calendars}


def _choice_form(connector: Connector, section: dict, connection: CalendarConnection) -> ChoiceForm | None:
    entries = _entries(connector, connection, section)
    if entries is None:
        return None
    initial = {
        "busy_calendar_ids": list(connection.busy_calendar_ids),
        "write_calendar_id": connection.write_calendar_id,
        "transparent_events_block": connection.transparent_events_block,
    }
    return ChoiceForm(entries, initial=initial)


def _entries(
    connector: Connector, connection: CalendarConnection, section: dict
) -> list[CalendarEntry] | None:
    try:
        return connector.calendar_list(connection)
    except connector.unusable:
        section["list_error"] = f"{connector.company} no longer accepts the connection: reconnect it."
    except connector.list_errors as error:
        section["list_error"] = (
            f"{connector.company}'s list of calendars could not be read now ({error}). Try again later."
        )
    return None


def section(connector: Connector, order: int) -> StaffSection:
    """The card of `connector`'s provider, for the provider's app to register."""
    return StaffSection(
        key=f"{connector.provider}_calendar",
        title=connector.label,
        template="calendars/panel/staff_section.html",
        context=partial(section_context, connector),
        order=order,
    )


def _target(panel: Panel, staff_id: int, provider: str) -> tuple[Staff, Connector]:
    """Admins act on any staff member of their tenant; staff only on themselves; a known provider only."""
    connector = connector_of(provider)
    if connector is None:
        raise Http404
    if panel.is_admin or (panel.staff is not None and panel.staff.pk == staff_id):
        return member_of(panel, staff_id), connector
    raise Http404


@require_POST
@panel_view()
def staff_calendar_connect(request: HttpRequest, panel: Panel, staff_id: int, provider: str) -> HttpResponse:
    member, connector = _target(panel, staff_id, provider)
    url = connector.authorize_url(
        panel.tenant, member, started_by_id=request.user.pk, return_url=page_url(panel, member)
    )
    return HttpResponseRedirect(url)


@require_POST
@panel_view()
def staff_calendar_choose(request: HttpRequest, panel: Panel, staff_id: int, provider: str) -> HttpResponse:
    member, connector = _target(panel, staff_id, provider)
    connection = connection_of(member, provider)
    if connection is None or not connection.is_usable:
        messages.error(request, f"Connect {connector.label} first.")
        return redirect(page_url(panel, member))
    found: dict = {}
    entries = _entries(connector, connection, found)
    if entries is None:
        messages.error(request, found["list_error"])
        return redirect(page_url(panel, member))
    form = ChoiceForm(entries, request.POST)
    if not form.is_valid():
        return page(request, panel, member, **{f"{provider}_choice": form})
    choices.choose(
        connection,
        choices.Choices(
            busy_calendar_ids=form.cleaned_data["busy_calendar_ids"],
            write_calendar_id=form.cleaned_data["write_calendar_id"],
            transparent_events_block=form.cleaned_data["transparent_events_block"],
        ),
    )
    messages.success(request, "Calendar choices saved; busy times are read again now.")
    return redirect(page_url(panel, member))


@require_POST
@panel_view()
def staff_calendar_disconnect(
    request: HttpRequest, panel: Panel, staff_id: int, provider: str
) -> HttpResponse:
    member, connector = _target(panel, staff_id, provider)
    connection = connection_of(member, provider)
    writer = writing.writer_of(provider)
    if writer is None or connection is None or connection.status == CalendarConnection.Status.DISCONNECTED:
        messages.error(request, f"{member.name} has no {connector.label} connected.")
        return redirect(page_url(panel, member))
    writer.disconnect(connection)
    messages.success(
        request,
        f"{connector.label} {connection.account_email} was disconnected: its busy times no longer block "
        "bookings and new appointments are not written to it.",
    )
    return redirect(page_url(panel, member))


# Under /panel/staff/, in the `panel` namespace.
urlpatterns = [
    path(
        "<int:staff_id>/calendars/<str:provider>/connect/",
        staff_calendar_connect,
        name="staff_calendar_connect",
    ),
    path(
        "<int:staff_id>/calendars/<str:provider>/choose/", staff_calendar_choose, name="staff_calendar_choose"
    ),
    path(
        "<int:staff_id>/calendars/<str:provider>/disconnect/",
        staff_calendar_disconnect,
        name="staff_calendar_disconnect",
    ),
]
