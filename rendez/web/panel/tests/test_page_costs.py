"""The panel's pages cost what they show: their queries stay the same as a tenant's appointments grow, the
appointments list shows a page of them (with the way to the next and back, filters kept), and the markup
written in Python (`panel/markup.py`) says dates as the templates' date filter did."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from hypothesis import given
from hypothesis import strategies as st

from rendez.scheduling.tests.factories import book
from rendez.web.panel import markup
from rendez.web.panel.tests.fixtures import BERLIN, berlin, make_meeting
from rendez.web.panel.views import PAGE_SIZE


def _queries(client, path: str, **query) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _book_weekdays(
    consultation, dora, first: date, count: int, *, meetings: bool = True, skip: int = 0
) -> None:
    """`count` appointments of Dora's, half hour after half hour of 09:00-17:00 on weekdays from `first`
    (leaving out its first `skip` half hours), each with a meeting."""
    day, hour = first, skip
    for n in range(count):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = berlin(day, 9) + timedelta(minutes=30 * hour)
        booking = book(consultation, dora, start, f"Guest {n}", now=berlin(first, 6) - timedelta(days=7))
        if meetings:
            make_meeting(booking.appointment, external_id=f"8{n}")
        hour += 1
        if hour == 16:
            day, hour = day + timedelta(days=1), 0


def _events(body: str) -> int:
    return len(re.findall(r'data-appointment="\d', body))


def _rows(body: str) -> int:
    return body.count('<td><a href="/panel/appointments/')


@pytest.mark.django_db
def test_the_month_view_costs_the_same_queries_however_many_appointments(
    ada_client, consultation, dora, monday
):
    _book_weekdays(consultation, dora, monday, 1)
    one, body = _queries(ada_client, "/panel/calendar/month/", date=monday.isoformat())
    assert _events(body) == 1
    _book_weekdays(consultation, dora, monday, 40, skip=1)
    many, body = _queries(ada_client, "/panel/calendar/month/", date=monday.isoformat())
    assert _events(body) == 41
    assert many == one


@pytest.mark.django_db
def test_the_appointments_list_shows_a_page_and_the_way_to_the_next_keeping_the_filters(
    ada_client, consultation, dora, monday
):
    _book_weekdays(consultation, dora, monday, 1)
    one, body = _queries(ada_client, "/panel/appointments/", when="upcoming")
    assert _rows(body) == 1 and 'rel="next"' not in body and 'rel="prev"' not in body
    _book_weekdays(consultation, dora, monday + timedelta(days=7), PAGE_SIZE + 4)
    first, body = _queries(ada_client, "/panel/appointments/", when="upcoming")
    assert first == one
    assert _rows(body) == PAGE_SIZE and 'rel="prev"' not in body
    assert 'rel="next" href="?when=upcoming&amp;page=2"' in body
    second, body = _queries(ada_client, "/panel/appointments/", when="upcoming", page=2)
    assert _rows(body) == 5 and 'rel="next"' not in body
    assert 'rel="prev" href="?when=upcoming&amp;page=1"' in body
    assert "Page 2" in body
    assert second == one


@pytest.mark.django_db
def test_a_page_beyond_the_last_is_empty_and_a_page_that_is_no_number_is_the_first(
    ada_client, consultation, dora, monday
):
    _book_weekdays(consultation, dora, monday, 2, meetings=False)
    _, body = _queries(ada_client, "/panel/appointments/", page=5)
    assert _rows(body) == 0 and 'rel="prev" href="?page=4"' in body
    _, body = _queries(ada_client, "/panel/appointments/", page="x")
    assert _rows(body) == 2


@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_however_many_appointments(ada_client, consultation, dora):
    tomorrow = timezone.now().astimezone(BERLIN).date() + timedelta(days=1)
    _book_weekdays(consultation, dora, tomorrow, 1)
    one, body = _queries(ada_client, "/panel/dashboard/")
    shown = _rows(body)
    assert shown == 1
    _book_weekdays(consultation, dora, tomorrow, 20, skip=1)  # 21 half hours of weekdays: within 7 days
    many, body = _queries(ada_client, "/panel/dashboard/")
    assert _rows(body) == 21
    assert many == one


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_the_markup_says_dates_as_the_date_filter_does(instant: datetime):
    local = instant.astimezone(BERLIN)
    assert markup._day_and_time(local) == dateformat.format(local, "D j M, H:i")
    assert local.isoformat() == dateformat.format(local, "c")
    assert f"{local:%H:%M}" == dateformat.format(local, "H:i")
