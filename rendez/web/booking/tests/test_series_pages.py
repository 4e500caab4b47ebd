"""A recurring series on the public booking page and on /manage (Django's client; the browser journey is in
test_series_browser.py): the dates are shown free or taken before anything is booked, the visitor chooses,
and /manage cancels this date, this and the following ones, or every date still to come."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.scheduling import services
from rendez.scheduling.models import Booking, Series
from rendez.scheduling.series import Repeat
from rendez.scheduling.tests.factories import customer, make_service, make_staff, make_tenant
from rendez.web.booking.tests.test_embed import cookieless, form_token_of

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def studio(db):
    return make_tenant("lotus", name="Lotus Yoga")


@pytest.fixture
def teacher(studio):
    return make_staff(studio, "Ines")


@pytest.fixture
def coaching(studio, teacher):
    return make_service(studio, teacher, name="Private class", duration_minutes=60, series_allowed=True)


def a_monday(weeks: int = 2) -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    return datetime.combine(today + timedelta(days=7 - today.weekday(), weeks=weeks), time(10), tzinfo=BERLIN)


def details_post(service, staff, start, **extra) -> dict:
    data = {
        "name": "Charlie",
        "email": "charlie@example.com",
        "staff": str(staff.pk),
        "start": start.isoformat(),
        "tz": "Europe/Berlin",
        "repeat": "weekly:1",
        "repeat_count": "4",
    }
    data.update(extra)
    return data


def details_url(service) -> str:
    return f"/book/{service.tenant.slug}/{service.pk}/details"


def test_the_details_step_offers_repeat_only_where_the_service_allows_it(client, studio, teacher, coaching):
    single = make_service(studio, teacher, name="Assessment")
    start = a_monday()

    offered = client.get(details_url(coaching), {"staff": teacher.pk, "start": start.isoformat()})
    not_offered = client.get(details_url(single), {"staff": teacher.pk, "start": start.isoformat()})

    assert 'name="repeat"' in offered.content.decode() and "Every week" in offered.content.decode()
    assert 'name="repeat"' not in not_offered.content.decode()


def test_the_dates_are_shown_free_or_taken_and_nothing_is_booked_before_the_choice(client, coaching, teacher):
    start = a_monday()
    services.book(
        service=coaching, staff=teacher, start=start + timedelta(weeks=2), customer=customer("Erin")
    )

    response = client.post(details_url(coaching), details_post(coaching, teacher, start))

    body = response.content.decode()
    assert response.status_code == 200
    assert "3 of 4 dates are free" in body
    assert "Book the 3 free dates" in body and "Don't book any" in body
    assert Booking.objects.count() == 1 and Series.objects.count() == 0


def test_booking_the_free_ones_books_exactly_those(client, coaching, teacher):
    start = a_monday()
    services.book(
        service=coaching, staff=teacher, start=start + timedelta(weeks=2), customer=customer("Erin")
    )

    response = client.post(
        details_url(coaching), details_post(coaching, teacher, start, decision="free", seen_free="3")
    )

    assert response.status_code == 302
    series = Series.objects.get()
    starts = sorted(b.appointment.start for b in series.bookings.all())
    assert starts == [start + timedelta(weeks=n) for n in (0, 1, 3)]
    done = client.get(response["Location"]).content.decode()
    assert "Your 3 dates" in done


def test_book_all_when_a_date_was_taken_meanwhile_asks_again_and_books_nothing(client, coaching, teacher):
    start = a_monday()
    services.book(
        service=coaching, staff=teacher, start=start + timedelta(weeks=1), customer=customer("Erin")
    )

    response = client.post(details_url(coaching), details_post(coaching, teacher, start, decision="all"))

    assert response.status_code == 200
    assert "Something changed while you were choosing" in response.content.decode()
    assert Series.objects.count() == 0


def test_book_the_free_ones_when_another_was_taken_meanwhile_asks_again(client, coaching, teacher):
    start = a_monday()
    services.book(
        service=coaching, staff=teacher, start=start + timedelta(weeks=2), customer=customer("Erin")
    )
    services.book(
        service=coaching, staff=teacher, start=start + timedelta(weeks=3), customer=customer("Finn")
    )

    response = client.post(
        details_url(coaching), details_post(coaching, teacher, start, decision="free", seen_free="3")
    )

    assert response.status_code == 200
    assert "Something changed while you were choosing" in response.content.decode()
    assert "Book the 2 free dates" in response.content.decode()
    assert Series.objects.count() == 0


def test_a_rule_past_the_horizon_is_said_on_the_form(client, studio, teacher):
    near = make_service(studio, teacher, name="Near", series_allowed=True, horizon_days=20)

    response = client.post(
        details_url(near), details_post(near, teacher, a_monday(), repeat="monthly:1", repeat_count="6")
    )

    body = response.content.decode()
    assert "at most 20 days in advance" in body or "Not available" in body
    assert Series.objects.count() == 0


@pytest.fixture
def series_of_four(coaching, teacher) -> list[Booking]:
    return services.book_series(
        tenant_id=coaching.tenant_id,
        service_id=coaching.pk,
        staff_id=teacher.pk,
        start=a_monday(),
        customer=customer("Charlie"),
        repeat=Repeat("weekly", count=4),
    ).bookings


def test_manage_lists_the_series_and_offers_three_scopes(client, series_of_four):
    third = series_of_four[2]

    page = client.get(f"/manage/{third.manage_token}").content.decode()
    cancel = client.get(f"/manage/{third.manage_token}/cancel").content.decode()

    assert "Part of a series" in page and "weekly × 4" in page
    assert page.count('class="badge status-confirmed"') == 4
    assert "Only this date" in cancel
    assert "This date and the following ones" in cancel and "(2 dates)" in cancel
    assert "Every date still to come" in cancel and "(4 dates)" in cancel


@pytest.mark.parametrize(
    ("scope", "cancelled"), [("this", [2]), ("following", [2, 3]), ("all", [0, 1, 2, 3])]
)
def test_manage_cancels_per_scope_in_one_action(series_of_four, scope, cancelled):
    client = Client(enforce_csrf_checks=False)
    third = series_of_four[2]
    series_events_before = Job.objects.filter(kind="notifications.series_event").count()

    response = client.post(f"/manage/{third.manage_token}/cancel", {"scope": scope})

    assert response.status_code == 302
    statuses = [Booking.objects.get(pk=b.pk).status for b in series_of_four]
    assert [n for n, status in enumerate(statuses) if status == "cancelled"] == cancelled
    grouped = Job.objects.filter(kind="notifications.series_event").count() - series_events_before
    assert grouped == (0 if scope == "this" else 1)


def test_manage_moves_this_and_the_following_ones(client, series_of_four):
    second = series_of_four[1]
    new_start = second.appointment.start + timedelta(hours=3)

    response = client.post(
        f"/manage/{second.manage_token}/reschedule",
        {"start": new_start.isoformat(), "confirm": "yes", "scope": "following"},
    )

    assert response.status_code == 302
    hours = [Booking.objects.get(pk=b.pk).appointment.start.astimezone(BERLIN).hour for b in series_of_four]
    assert hours == [10, 13, 13, 13]


def test_a_series_asked_in_a_websites_frame_goes_back_to_the_framed_time_step(coaching, teacher):
    framed = f"/book/lotus/embed/{coaching.pk}/details"
    browser = cookieless()
    form = browser.get(f"{framed}?staff={teacher.pk}&start={quote(a_monday().isoformat())}")
    browser.cookies.clear()  # a third-party frame is not sent the CSRF cookie

    asked = browser.post(
        framed, {**details_post(coaching, teacher, a_monday()), "embed_token": form_token_of(form)}
    ).content.decode()

    assert "Book all 4 dates" in asked
    assert f'href="/book/lotus/embed/{coaching.pk}/time?' in asked
    assert not Booking.objects.exists()
