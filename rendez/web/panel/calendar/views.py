"""The calendar: day, week and month pages of appointments in the viewer's zone.

Each appointment opens the details (`panel:appointment`) in a drawer through htmx; asked by htmx, the details
view answers with the fragment only, so the drawer shows the same meeting, START MEETING, retry, reschedule
and cancel as the details page."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from rendez.scheduling.models import Staff
from rendez.web.panel import markup
from rendez.web.panel.access import Panel, panel_view, staff_for
from rendez.web.panel.calendar import queries
from rendez.web.panel.calendar.periods import KINDS, period_of


@panel_view()
def day(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _calendar(request, panel, "day")


@panel_view()
def week(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _calendar(request, panel, "week")


@panel_view()
def month(request: HttpRequest, panel: Panel) -> HttpResponse:
    return _calendar(request, panel, "month")


def _calendar(request: HttpRequest, panel: Panel, kind: str) -> HttpResponse:
    today = timezone.localdate()
    period = period_of(kind, _date_asked(request) or today)
    staff = _staff_asked(request, panel)
    days = {
        day: markup.events(items, is_admin=panel.is_admin)
        for day, items in queries.by_day(queries.appointments_in(panel, period, staff)).items()
    }
    context = {
        "panel": panel,
        "period": period,
        "kinds": KINDS,
        "today": today,
        "days": [(d, days.get(d, [])) for d in period.days],
        "weeks": [[(d, days.get(d, [])) for d in week] for week in period.weeks],
        "staff_choices": list(staff_for(panel)) if panel.is_admin else [],
        "staff": staff,
        "day_url": reverse("panel:calendar_day"),
    }
    return render(request, f"panel/calendar/{kind}.html", context)


def _date_asked(request: HttpRequest) -> date | None:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return None


def _staff_asked(request: HttpRequest, panel: Panel) -> Staff | None:
    """The admin's staff filter; another tenant's staff member answers 404 like any object of theirs."""
    asked = request.GET.get("staff", "")
    if not asked or not panel.is_admin:
        return None
    if not asked.isdigit():
        raise Http404
    return get_object_or_404(staff_for(panel), pk=int(asked))
