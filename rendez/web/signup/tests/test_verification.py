"""The owner's email: a signed link confirms it (a click on the page it opens, never the fetch alone); until
then the booking page is closed. Links expire, forged ones and those for an old address do nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.jobs.worker import Worker
from rendez.web.models import SignUp
from rendez.web.signup import verification
from rendez.web.signup.tests.nora import form
from rendez.web.tests.emails import sent

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    found = re.search(r"http://[^/\s]+(/signup/verify/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


@pytest.fixture
def nora(client, mailoutbox) -> Client:
    """Nora, signed up and signed in; her link is the last email."""
    client.post("/signup/", form())
    return client


def test_opening_the_link_asks_and_confirming_opens_the_booking_page(nora, mailoutbox):
    link = link_in(sent(mailoutbox)[-1])
    assert Client().get("/book/noras-studio/").status_code == 404

    page = Client().get(link)
    assert page.status_code == 200 and "Confirm my email" in page.content.decode()
    assert SignUp.objects.get().verified_at is None

    done = Client().post(link)
    assert done.status_code == 200 and "Email confirmed" in done.content.decode()
    assert SignUp.objects.get().verified_at is not None
    assert Client().get("/book/noras-studio/").status_code == 200
    assert "Confirm your email" not in nora.get("/panel/dashboard/").content.decode()


def test_the_landing_page_lists_a_business_only_once_its_page_is_open(nora, mailoutbox):
    assert 'href="/book/noras-studio/"' not in Client().get("/").content.decode()

    Client().post(link_in(sent(mailoutbox)[-1]))

    assert 'href="/book/noras-studio/"' in Client().get("/").content.decode()


def test_an_expired_link_confirms_nothing(nora, mailoutbox, monkeypatch):
    link = link_in(sent(mailoutbox)[-1])
    monkeypatch.setattr(verification, "VALID_FOR", timedelta(seconds=-1))

    response = Client().post(link)

    assert response.status_code == 410 and "no longer works" in response.content.decode()
    assert SignUp.objects.get().verified_at is None


def test_a_forged_link_confirms_nothing(nora, mailoutbox):
    link = link_in(sent(mailoutbox)[-1])
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    assert Client().post(forged).status_code == 410
    assert Client().post("/signup/verify/not-a-token/").status_code == 410
    assert SignUp.objects.get().verified_at is None


def test_a_link_sent_to_an_address_the_owner_no_longer_has_confirms_nothing(nora, mailoutbox):
    link = link_in(sent(mailoutbox)[-1])
    SignUp.objects.update(email="nora.new@studio.example")

    assert Client().post(link).status_code == 410
    assert SignUp.objects.get().verified_at is None


def test_the_owner_asks_for_the_link_again_within_a_limit(nora, mailoutbox):
    sent(mailoutbox)
    for _ in range(3):
        nora.post("/signup/verify/resend/")
        sent(mailoutbox)
    refused = nora.post("/signup/verify/resend/", follow=True)

    assert len(sent(mailoutbox)) == 4  # the first and three more
    assert "Please wait a while" in refused.content.decode()


def test_asking_again_before_the_email_went_out_sends_one(nora, mailoutbox):
    nora.post("/signup/verify/resend/")
    nora.post("/signup/verify/resend/")

    assert len(sent(mailoutbox)) == 1


def test_an_outsider_asking_for_a_link_sends_nothing_about_another_business(nora, olga_client, mailoutbox):
    response = olga_client.post("/signup/verify/resend/", follow=True)

    assert len(sent(mailoutbox)) == 1
    assert "confirmed already" in response.content.decode()


def test_a_refusing_mail_server_neither_undoes_the_sign_up_nor_loses_the_email(client, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard

    response = client.post("/signup/", form(), follow=True)

    assert SignUp.objects.filter(verified_at__isnull=True).count() == 1
    assert "We are sending a link to nora@studio.example" in response.content.decode()
    Worker(queues={"notifications"}).run_once()
    job = Job.objects.get(kind=verification.SEND_VERIFICATION)
    assert (job.state, job.attempts) == (Job.State.PENDING, 1)  # to be tried again

    # The server is back: the retry sends the link.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    link = link_in(sent(mailoutbox)[-1])
    assert Client().post(link).status_code == 200
    assert SignUp.objects.get().verified_at is not None
