from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from rendez.jobs.worker import Worker
from rendez.web.customer import magic
from rendez.web.customer.tests.bookings import book, next_monday
from rendez.web.link_limits import SIGN_IN_LINK
from rendez.web.models import AttemptCounter

pytestmark = pytest.mark.django_db
SENT = "a sign-in link is on its way there"


def ask_for_link(client: Client, email: str, slug: str = "alice"):
    """Ask on the page; the worker beside the server then sends what was asked for."""
    response = client.post(f"/my/{slug}/", {"email": email})
    Worker(queues={"notifications"}).run_once()
    return response


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/my/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def sign_in(client: Client, mailoutbox, email: str = "charlie@example.com", slug: str = "alice") -> str:
    ask_for_link(client, email, slug)
    path = link_in(mailoutbox[-1])
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    return path


def test_a_known_email_gets_a_sign_in_link_by_email(client, booking, mailoutbox):
    response = ask_for_link(client, "Charlie@Example.com")

    assert response.status_code == 200
    assert SENT in response.content.decode()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["charlie@example.com"]  # the address the customer booked with
    assert "Alice's Studio" in message.subject
    assert link_in(message).startswith("/my/alice/sign-in/")


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, booking, mailoutbox):
    known = ask_for_link(client, "charlie@example.com")
    unknown = ask_for_link(client, "nobody@example.com")

    assert len(mailoutbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert comparable(unknown, "nobody@example.com") == comparable(known, "charlie@example.com")


def comparable(response, email: str) -> str:
    """The page with the echoed email and the per-request CSRF token and script nonce taken out."""
    body = response.content.decode().replace(email, "EMAIL")
    body = re.sub(r'nonce="[^"]+"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


def test_the_link_lists_upcoming_and_past_bookings_each_linking_its_manage_page(
    client, booking, consultation, dora, mailoutbox
):
    past = book(consultation, dora, next_monday(12), who="Charlie")
    appointment = past.appointment
    appointment.start = timezone.now() - timedelta(days=10)
    appointment.end = appointment.start + timedelta(minutes=30)
    appointment.save(update_fields=["start", "end"])
    sign_in(client, mailoutbox)

    body = client.get("/my/alice/").content.decode()

    assert "Signed in as charlie@example.com" in body
    upcoming, _, earlier = body.partition("<h2>Past</h2>")
    assert f"/manage/{booking.manage_token}" in upcoming
    assert f"/manage/{past.manage_token}" in earlier


def test_the_link_works_once(client, booking, mailoutbox):
    path = sign_in(client, mailoutbox)

    again = Client()
    assert again.post(path).status_code == 410
    assert "Signed in as" not in again.get("/my/alice/").content.decode()


def test_an_expired_link_is_refused(client, booking, mailoutbox, monkeypatch):
    ask_for_link(client, "charlie@example.com")
    path = link_in(mailoutbox[-1])
    monkeypatch.setattr(magic, "LIFETIME", timedelta(seconds=-1))

    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410
    assert "Signed in as" not in client.get("/my/alice/").content.decode()


def test_a_forged_link_is_refused(client, booking):
    assert client.post("/my/alice/sign-in/charlie@example.com:1:abc").status_code == 410


def test_another_tenants_bookings_are_never_listed(client, booking, bobs_booking, mailoutbox):
    sign_in(client, mailoutbox)

    body = client.get("/my/alice/").content.decode()
    assert f"/manage/{booking.manage_token}" in body
    assert bobs_booking.manage_token not in body and "Haircut" not in body
    # Alice's link signs in at Alice's only: Bob's page still asks for an email.
    assert "Signed in as" not in client.get("/my/bob/").content.decode()


def test_a_link_for_one_tenant_does_not_open_another(client, booking, bobs_booking, mailoutbox):
    ask_for_link(client, "charlie@example.com")
    token = link_in(mailoutbox[-1]).rsplit("/", 1)[1]

    assert client.post(f"/my/bob/sign-in/{token}").status_code == 410
    assert "Signed in as" not in client.get("/my/bob/").content.decode()


def test_a_third_link_within_15_minutes_is_not_sent_and_the_answer_is_the_same(client, booking, mailoutbox):
    answers = [ask_for_link(client, "charlie@example.com") for _ in range(SIGN_IN_LINK.per_email + 1)]

    assert len(mailoutbox) == SIGN_IN_LINK.per_email
    assert {answer.status_code for answer in answers} == {200}
    pages = {comparable(answer, "charlie@example.com") for answer in answers}
    assert len(pages) == 1 and SENT in pages.pop()


def test_the_link_limit_counts_the_mailbox_from_any_address_and_for_any_business(
    booking, bobs_booking, mailoutbox
):
    ask_for_link(Client(REMOTE_ADDR="198.51.100.1"), "charlie@example.com")
    ask_for_link(Client(REMOTE_ADDR="198.51.100.2"), "charlie@example.com", slug="bob")
    ask_for_link(Client(REMOTE_ADDR="198.51.100.3"), "charlie@example.com")

    assert len(mailoutbox) == 2


def test_one_address_asking_for_many_emails_is_limited(client, booking, mailoutbox):
    for number in range(SIGN_IN_LINK.per_address):
        ask_for_link(client, f"someone-{number}@example.com")

    answer = ask_for_link(client, "charlie@example.com")

    assert SENT in answer.content.decode()
    assert mailoutbox == []
    ask_for_link(Client(REMOTE_ADDR="198.51.100.7"), "charlie@example.com")
    assert len(mailoutbox) == 1


def test_the_link_limit_ends_with_its_window(client, booking, mailoutbox):
    for _ in range(SIGN_IN_LINK.per_email + 1):
        ask_for_link(client, "charlie@example.com")
    AttemptCounter.objects.update(expires_at=F("expires_at") - SIGN_IN_LINK.window)

    ask_for_link(client, "charlie@example.com")

    assert len(mailoutbox) == SIGN_IN_LINK.per_email + 1


def test_signing_out_forgets_the_email(client, booking, mailoutbox):
    sign_in(client, mailoutbox)

    client.post("/my/alice/sign-out")

    assert "Signed in as" not in client.get("/my/alice/").content.decode()


def test_an_unknown_tenant_answers_404(client):
    assert client.get("/my/nobody/").status_code == 404


def test_my_lists_the_businesses_to_sign_in_at(client, booking, bob):
    body = client.get("/my/").content.decode()

    assert 'href="/my/alice/"' in body and 'href="/my/bob/"' in body
