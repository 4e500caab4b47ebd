"""The staff page's "Calendars" card: connect Google Calendar (or reconnect it), its status, account and last
sync, which calendars block booking times and which one receives appointments (from Google's calendar list),
whether "free" events block too, disconnecting, and the changes people made in Google to Rendez's events
(shown, never obeyed).

Admins manage any staff member of their tenant; a staff member only their own, from "My schedule". Choices
are saved by the writer the API's PUT uses (calendars/choices.py); connect and disconnect go through
`connect.py` and `connections.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from rendez.calendars import choices, noticing
from rendez.calendars.models import CalendarConnection, Provider
from rendez.integrations.google import connect, connections
from rendez.integrations.google.client import CalendarClient, CalendarEntry, CalendarError
from rendez.integrations.google.tokens import ConnectionUnusable, GoogleUnavailable
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


def connection_of(member: Staff) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(
        tenant_id=member.tenant_id, staff=member, provider=Provider.GOOGLE
    ).first()


def section_context(panel: Panel, member: Staff, refused: Mapping[str, Any]) -> dict | None:
    connection = connection_of(member)
    live = connection is not None and connection.status != CalendarConnection.Status.DISCONNECTED
    calendars: dict[str, Any] = {
        "member": member,
        "mine": is_own_page(panel, member),
        "connection": connection if live else None,
        "broken": live and connection is not None and not connection.is_usable,
        "connect_url": reverse("panel:staff_google_connect", args=[member.pk]),
        "choose_url": reverse("panel:staff_google_choose", args=[member.pk]),
        "disconnect_url": reverse("panel:staff_google_disconnect", args=[member.pk]),
        "changes": noticing.noticed_for_staff(member.tenant_id, member.pk),
        "choice": None,
        "list_error": "",
    }
    if live and connection is not None and connection.is_usable:
        calendars["choice"] = refused.get("google_choice") or _choice_form(calendars, connection)
    return {"calendars": calendars}


def _choice_form(section: dict, connection: CalendarConnection) -> ChoiceForm | None:
    entries = _entries(connection, section)
    if entries is None:
        return None
    initial = {
        "busy_calendar_ids": list(connection.busy_calendar_ids),
        "write_calendar_id": connection.write_calendar_id,
        "transparent_events_block": connection.transparent_events_block,
    }
    return ChoiceForm(entries, initial=initial)


def _entries(connection: CalendarConnection, section: dict) -> list[CalendarEntry] | None:
    try:
        return CalendarClient(connection).calendar_list()
    except (CalendarError, GoogleUnavailable) as error:
        section["list_error"] = (
            f"Google's list of calendars could not be read now ({error}). Try again later."
        )
    except ConnectionUnusable:
        section["list_error"] = "Google no longer accepts the connection: reconnect it."
    return None


SECTION = StaffSection(
    key="google_calendar",
    title="Calendars",
    template="google/panel/staff_section.html",
    context=section_context,
    order=110,  # after Zoom's card
)


def _member(panel: Panel, staff_id: int) -> Staff:
    """Admins act on any staff member of their tenant; staff only on themselves."""
    if panel.is_admin or (panel.staff is not None and panel.staff.pk == staff_id):
        return member_of(panel, staff_id)
    raise Http404


@require_POST
@panel_view()
def staff_google_connect(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = _member(panel, staff_id)
    url = connect.authorize_url(
        panel.tenant, member, started_by_id=request.user.pk, return_url=page_url(panel, member)
    )
    return HttpResponseRedirect(url)


@require_POST
@panel_view()
def staff_google_choose(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = _member(panel, staff_id)
    connection = connection_of(member)
    if connection is None or not connection.is_usable:
        messages.error(request, "Connect Google Calendar first.")
        return redirect(page_url(panel, member))
    section: dict = {}
    entries = _entries(connection, section)
    if entries is None:
        messages.error(request, section["list_error"])
        return redirect(page_url(panel, member))
    form = ChoiceForm(entries, request.POST)
    if not form.is_valid():
        return page(request, panel, member, google_choice=form)
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
def staff_google_disconnect(request: HttpRequest, panel: Panel, staff_id: int) -> HttpResponse:
    member = _member(panel, staff_id)
    connection = connection_of(member)
    if connection is None or connection.status == CalendarConnection.Status.DISCONNECTED:
        messages.error(request, f"{member.name} has no Google Calendar connected.")
        return redirect(page_url(panel, member))
    connections.disconnect(connection)
    messages.success(
        request,
        f"Google Calendar {connection.account_email} was disconnected: its busy times no longer block "
        "bookings and new appointments are not written to it.",
    )
    return redirect(page_url(panel, member))


# Under /panel/staff/, in the `panel` namespace.
urlpatterns = [
    path("<int:staff_id>/calendars/google/connect/", staff_google_connect, name="staff_google_connect"),
    path("<int:staff_id>/calendars/google/choose/", staff_google_choose, name="staff_google_choose"),
    path(
        "<int:staff_id>/calendars/google/disconnect/", staff_google_disconnect, name="staff_google_disconnect"
    ),
]
