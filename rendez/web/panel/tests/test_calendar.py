"""The calendar pages: what admins, staff and an outsider see, navigation, and one query however full."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rendez.scheduling.tests.factories import book
from rendez.web.panel.calendar.periods import period_of
from rendez.web.panel.tests.fixtures import berlin, make_meeting

pytestmark = pytest.mark.django_db


def _week(client, monday: date, **query) -> str:
    response = client.get("/panel/calendar/", {"date": monday.isoformat(), **query})
    assert response.status_code == 200
    return response.content.decode()


def test_an_admin_sees_everyones_appointments_as_buttons_that_open_the_drawer(
    ada_client, doras_appointment, emils_appointment, monday
):
    body = _week(ada_client, monday)
    assert f'hx-get="/panel/appointments/{doras_appointment.pk}/"' in body
    assert f'hx-get="/panel/appointments/{emils_appointment.pk}/"' in body
    assert 'hx-target="#drawer-body"' in body and 'id="drawer"' in body
    assert "10:00–10:30" in body and "11:00–12:00" in body


def test_an_admin_filters_by_staff(ada_client, emil, doras_appointment, emils_appointment, monday):
    body = _week(ada_client, monday, staff=emil.pk)
    assert f"/panel/appointments/{emils_appointment.pk}/" in body
    assert f"/panel/appointments/{doras_appointment.pk}/" not in body
    assert f"staff={emil.pk}" in body  # navigation keeps the filter


def test_staff_see_only_their_own_appointments_and_cannot_filter(
    dora_client, emil, doras_appointment, emils_appointment, monday
):
    body = _week(dora_client, monday, staff=emil.pk)
    assert f"/panel/appointments/{doras_appointment.pk}/" in body
    assert f"/panel/appointments/{emils_appointment.pk}/" not in body
    assert "My calendar" in body and 'name="staff"' not in body


def test_another_tenants_staff_member_in_the_filter_answers_404(olga_client, dora, monday):
    assert olga_client.get("/panel/calendar/", {"staff": dora.pk}).status_code == 404


def test_an_outsider_sees_none_of_the_tenants_appointments(olga_client, doras_appointment, monday):
    for view in ("", "day/", "month/"):
        body = olga_client.get(f"/panel/calendar/{view}", {"date": monday.isoformat()}).content.decode()
        assert f"/panel/appointments/{doras_appointment.pk}/" not in body and "Consultation" not in body


def test_the_day_and_month_views_and_their_navigation(ada_client, doras_appointment, monday):
    day = ada_client.get("/panel/calendar/day/", {"date": monday.isoformat()}).content.decode()
    assert f"/panel/appointments/{doras_appointment.pk}/" in day
    assert f'href="?date={(monday - timedelta(days=1)).isoformat()}"' in day
    assert f'href="?date={(monday + timedelta(days=1)).isoformat()}"' in day
    month = ada_client.get("/panel/calendar/month/", {"date": monday.isoformat()}).content.decode()
    assert f"/panel/appointments/{doras_appointment.pk}/" in month
    next_month = period_of("month", monday).next
    assert f'href="?date={next_month.isoformat()}"' in month and 'rel="next"' in month


def test_an_unreadable_date_shows_today(ada_client):
    assert ada_client.get("/panel/calendar/month/", {"date": "2026-02-31"}).status_code == 200


def test_the_drawer_gets_the_meeting_from_the_details_fragment(ada_client, doras_appointment):
    make_meeting(doras_appointment)
    response = ada_client.get(f"/panel/appointments/{doras_appointment.pk}/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "4821" in body and "START MEETING" in body


def test_a_week_costs_the_same_queries_however_many_appointments(
    ada_client, consultation, dora, doras_appointment, monday
):
    make_meeting(doras_appointment)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _week(ada_client, monday)
        return len(queries)

    one = count()
    for day in range(1, 5):
        more = book(
            consultation,
            dora,
            berlin(monday + timedelta(days=day), 10),
            f"Guest {day}",
            now=berlin(monday, 6) - timedelta(days=7),
        )
        make_meeting(more.appointment, external_id=f"9{day}")
    assert count() == one


def test_periods_start_on_monday_and_months_move_from_the_first():
    week = period_of("week", date(2026, 12, 3))
    assert (week.first, week.last) == (date(2026, 11, 30), date(2026, 12, 6))
    month = period_of("month", date(2027, 1, 31))
    assert month.first.weekday() == 0 and month.last.weekday() == 6 and len(month.days) % 7 == 0
    assert (month.previous, month.next) == (date(2026, 12, 1), date(2027, 2, 1))
