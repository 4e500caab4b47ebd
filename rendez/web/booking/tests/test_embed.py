"""The booking page in a business's website (`/book/<slug>/embed/`, docs/embed.md): only it may be framed, its
steps stay framed, and its booking POST needs no cookie but a valid signed form token. Alice's Studio is the
business; Bob's Clinic, another business, is where a token of the wrong tenant comes from."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rendez.lib import csp
from rendez.scheduling.models import Booking, Customer
from rendez.scheduling.tests.factories import book, make_service, make_staff
from rendez.web.booking import embed
from rendez.web.panel.tests.fixtures import signed_in

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
EMBED = "/book/alice/embed"
FRAMEABLE = f"frame-ancestors {csp.EMBED_FRAME_ANCESTORS}"


def a_monday(hour: int = 10) -> datetime:
    today = timezone.now().astimezone(BERLIN).date()
    return datetime.combine(today + timedelta(days=14 - today.weekday()), time(hour), tzinfo=BERLIN)


def details(start: datetime, staff: object = "any", **fields: str) -> dict[str, str]:
    data = {"staff": str(staff), "start": start.isoformat(), "tz": "Europe/Berlin"}
    data.update({"name": "Charlie Day", "email": "charlie@example.com", "phone": "", "website": ""})
    data.update(fields)
    return data


def framing(response) -> str:
    """The response's frame-ancestors directive as the browser enforces it."""
    found = re.search(r"frame-ancestors[^;]*", response.get(csp.ENFORCING, ""))
    assert found, response.get(csp.ENFORCING)
    return found.group(0)


def form_token_of(response) -> str:
    found = re.search(r'name="embed_token" value="([^"]+)"', response.content.decode())
    assert found, "the framed details form carries no token"
    return found.group(1)


def cookieless() -> Client:
    """A browser in another site's frame: it is sent no cookie of Rendez; CSRF is checked as in production."""
    return Client(enforce_csrf_checks=True)


# --- who may frame what -----------------------------------------------------------------------------------


def test_every_step_of_the_embed_may_be_framed_by_https_sites_and_localhost(client, consultation, dora):  # noqa: F811
    booking = book(consultation, dora, a_monday(), now=timezone.now())
    steps = [
        f"{EMBED}/",
        f"{EMBED}/{consultation.pk}/",
        f"{EMBED}/{consultation.pk}/time?staff=any",
        f"{EMBED}/{consultation.pk}/slots?staff=any",
        f"{EMBED}/{consultation.pk}/details?staff=any&start={quote(a_monday(11).isoformat())}",
        f"{EMBED}/done/{booking.manage_token}",
        f"{EMBED}/done/{booking.manage_token}/meeting",
    ]
    for step in steps:
        response = client.get(step)

        assert response.status_code == 200, step
        assert framing(response) == FRAMEABLE, step
        assert "X-Frame-Options" not in response, step
        # The rest of the policy is the site's: scripts from Rendez or with this response's nonce only.
        assert "script-src 'self' 'nonce-" in response[csp.ENFORCING], step


def test_a_framed_page_that_is_not_there_says_so_in_the_frame(client, consultation, alice):  # noqa: F811
    consultation.is_active = False
    consultation.save()

    response = client.get(f"{EMBED}/{consultation.pk}/")

    assert response.status_code == 404
    assert framing(response) == FRAMEABLE and "X-Frame-Options" not in response


def test_every_other_page_can_never_be_framed(client, consultation, dora, ada, alice):  # noqa: F811
    booking = book(consultation, dora, a_monday(), now=timezone.now())
    pages = {
        "booking page": (client, "/book/alice/"),
        "its details step": (
            client,
            f"/book/alice/{consultation.pk}/details?start={quote(a_monday().isoformat())}",
        ),
        "its confirmation": (client, f"/book/alice/done/{booking.manage_token}"),
        "the customer's page": (client, f"/manage/{booking.manage_token}"),
        "customers' sign-in": (client, "/my/alice/"),
        "the panel": (signed_in(ada, alice), "/panel/dashboard/"),
        "sign-in": (client, "/login/"),
    }
    for name, (browser, url) in pages.items():
        response = browser.get(url)

        assert response.status_code == 200, name
        assert framing(response) == "frame-ancestors 'none'", name
        assert response["X-Frame-Options"] == "DENY", name


def test_the_operator_chooses_who_may_frame_the_embed(client, settings, consultation):  # noqa: F811
    settings.EMBED_FRAME_ANCESTORS = "https://alice.example"

    assert framing(client.get(f"{EMBED}/")) == "frame-ancestors https://alice.example"
    assert framing(client.get("/book/alice/")) == "frame-ancestors 'none'"


def test_who_may_frame_is_enforced_even_with_the_policy_off_or_only_reported(client, settings, consultation):  # noqa: F811
    settings.CONTENT_SECURITY_POLICY = ""
    response = client.get(f"{EMBED}/")
    assert response[csp.ENFORCING] == FRAMEABLE and "X-Frame-Options" not in response

    settings.CONTENT_SECURITY_POLICY = csp.DEFAULT_POLICY
    settings.CSP_REPORT_ONLY = True
    response = client.get(f"{EMBED}/")
    # Browsers ignore frame-ancestors in a report-only policy: it is enforced on its own.
    assert response[csp.ENFORCING] == FRAMEABLE
    assert FRAMEABLE in response[csp.REPORTING] and "frame-ancestors 'none'" not in response[csp.REPORTING]


def test_a_directive_is_replaced_or_added():
    assert csp.with_directive("default-src 'self'; frame-ancestors 'none'", "frame-ancestors https:") == (
        "default-src 'self'; frame-ancestors https:"
    )
    assert csp.with_directive("default-src 'self';", "frame-ancestors https:") == (
        "default-src 'self'; frame-ancestors https:"
    )


# --- the frame keeps to itself ----------------------------------------------------------------------------


def test_the_framed_steps_link_to_framed_steps_without_the_sites_header(client, consultation, dora):  # noqa: F811
    services = client.get(f"{EMBED}/").content.decode()
    staff = client.get(f"{EMBED}/{consultation.pk}/").content.decode()
    times = client.get(f"{EMBED}/{consultation.pk}/time?staff=any&tz=Europe/Berlin").content.decode()

    assert f'href="{EMBED}/{consultation.pk}/"' in services
    assert f'href="{EMBED}/{consultation.pk}/time?staff={dora.pk}"' in staff
    assert f"{EMBED}/{consultation.pk}/details?staff=any&amp;start=" in times
    assert f'hx-get="{EMBED}/{consultation.pk}/slots"' in times
    for page in (services, staff, times):
        assert 'class="topbar"' not in page
        assert "/static/web/embed-frame.js" in page
    # The page itself is unchanged: its header, its own links, no frame script.
    page = client.get("/book/alice/").content.decode()
    assert 'class="topbar"' in page and "embed-frame.js" not in page
    assert f'href="/book/alice/{consultation.pk}/"' in page


def test_a_details_step_without_a_time_goes_back_to_the_framed_time_step(client, consultation):  # noqa: F811
    response = client.get(f"{EMBED}/{consultation.pk}/details?staff=any")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{EMBED}/{consultation.pk}/time?")


def test_the_booking_page_itself_carries_no_form_token(client, consultation):  # noqa: F811
    body = client.get(
        f"/book/alice/{consultation.pk}/details?start={quote(a_monday().isoformat())}"
    ).content.decode()

    assert "embed_token" not in body


# --- booking without cookies ------------------------------------------------------------------------------


def test_a_framed_booking_goes_through_without_any_cookie(consultation, dora):  # noqa: F811
    browser = cookieless()
    form = browser.get(f"{EMBED}/{consultation.pk}/details?staff=any&start={quote(a_monday().isoformat())}")
    browser.cookies.clear()  # a third-party frame is not sent the CSRF cookie the page just set

    response = browser.post(
        f"{EMBED}/{consultation.pk}/details",
        {**details(a_monday(), staff=dora.pk), "embed_token": form_token_of(form)},
    )

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"{EMBED}/done/{booking.manage_token}?")
    assert booking.appointment.start == a_monday() and booking.customer.name == "Charlie Day"
    done = browser.get(response["Location"])
    body = done.content.decode()
    assert framing(done) == FRAMEABLE
    # Managing the booking happens on its own page, in a tab of its own, never inside the website.
    assert f'href="/manage/{booking.manage_token}" target="_blank" rel="noopener"' in body
    # The meeting link is polled for inside the frame.
    assert f"{EMBED}/done/{booking.manage_token}/meeting?n=1" in body


def test_the_booking_page_itself_still_needs_its_csrf_cookie(consultation, dora):  # noqa: F811
    browser = cookieless()
    form = browser.get(f"{EMBED}/{consultation.pk}/details?start={quote(a_monday().isoformat())}")

    response = browser.post(
        f"/book/alice/{consultation.pk}/details", {**details(a_monday()), "embed_token": form_token_of(form)}
    )

    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_framed_form_with_mistakes_comes_back_with_a_fresh_token(consultation):  # noqa: F811
    browser = cookieless()
    token = embed.form_token(consultation.tenant, consultation)

    response = browser.post(
        f"{EMBED}/{consultation.pk}/details", {**details(a_monday(), email="nope"), "embed_token": token}
    )

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert form_token_of(response) and framing(response) == FRAMEABLE
    assert not Booking.objects.exists()


def forged(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    ("token_for", "message"),
    [
        ("missing", embed.UNVERIFIED),
        ("forged", embed.UNVERIFIED),
        ("expired", embed.EXPIRED),
        ("another_tenant", embed.UNVERIFIED),
        ("another_service", embed.UNVERIFIED),
    ],
)
def test_a_framed_booking_without_a_valid_token_is_refused_and_books_nothing(
    consultation,  # noqa: F811
    bob,  # noqa: F811
    token_for,
    message,
):
    alices = consultation.tenant
    bobs_service = make_service(bob, make_staff(bob, "Bea"), name="Consultation")
    tokens = {
        "missing": "",
        "forged": forged(embed.form_token(alices, consultation)),
        "expired": embed.form_token(alices, consultation, now=timezone.now() - timedelta(hours=2, minutes=1)),
        "another_tenant": embed.form_token(bob, bobs_service),
        "another_service": embed.form_token(alices, make_service(alices, name="Yoga")),
    }

    response = cookieless().post(
        f"{EMBED}/{consultation.pk}/details", {**details(a_monday()), "embed_token": tokens[token_for]}
    )

    body = response.content.decode()
    assert response.status_code == 403
    assert message.replace("'", "&#x27;") in body
    assert f'href="{EMBED}/{consultation.pk}/time?staff=any&amp;tz=Europe%2FBerlin"' in body
    assert framing(response) == FRAMEABLE  # the refusal shows in the frame, not as a blocked page
    assert not Booking.objects.exists() and not Customer.objects.exists()


def test_a_token_is_good_for_two_hours(consultation):  # noqa: F811
    tenant = consultation.tenant
    issued = timezone.now()
    token = embed.form_token(tenant, consultation, now=issued)

    assert embed.form_token_refusal(token, tenant, consultation.pk, now=issued + timedelta(hours=2)) == ""
    assert (
        embed.form_token_refusal(token, tenant, consultation.pk, now=issued + timedelta(hours=2, seconds=1))
        == embed.EXPIRED
    )
