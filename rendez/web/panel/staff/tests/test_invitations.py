"""Staff sign-ins: an admin invites a staff member by email (a real SMTP server receives it), the link sets a
password once and within 7 days, then signs them in on their own calendar; inviting again kills the old link;
revoking ends access; roles are shown and changed by admins only, and a business keeps an admin. Staff and
another tenant's admin get 404 and change nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from rendez.jobs.models import Job
from rendez.scheduling.models import Staff, StaffChange
from rendez.tenants import profile
from rendez.tenants.models import Membership
from rendez.tests.integrations.zoom.fixtures import run_jobs
from rendez.web.panel.staff import invitations
from rendez.web.panel.tests.fixtures import PASSWORD, member, signed_in

pytestmark = pytest.mark.django_db

EMIL_EMAIL = "emil@alice.example"
NEW_PASSWORD = "violet-harbour-1842"
LINK = re.compile(r"http://testserver(/panel/staff/join/\S+/)")


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "http://testserver"


def _text(response) -> str:
    return unescape(response.content.decode())


def _invite(client: Client, staff: Staff, email: str = EMIL_EMAIL, role: str = "staff", *, send: bool = True):
    """Invite on the staff page; with `send`, the worker then sends what the invitation enqueued."""
    response = client.post(f"/panel/staff/{staff.pk}/invite/", {"email": email, "role": role})
    if send:
        run_jobs()
    return response


def _link(inbox, address: str = EMIL_EMAIL) -> str:
    body = inbox.to(address)[-1].get_body(preferencelist=("plain",)).get_content()
    found = LINK.search(body)
    assert found is not None, body
    return found.group(1)


def _accept(link: str, password: str = NEW_PASSWORD) -> tuple[Client, Any]:
    client = Client()
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    assert "set-password" not in link
    return client, client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_an_admin_invites_a_staff_member_by_email(ada_client, emil, alice, smtp_server):
    response = _invite(ada_client, emil)

    assert response.status_code == 302 and response["Location"] == f"/panel/staff/{emil.pk}/"
    [message] = smtp_server.to(EMIL_EMAIL)
    assert message["Subject"] == "Join Alice's Studio on Rendez"
    # From the business (its name on the platform's address); replies reach the admin who invited.
    assert message["From"] == "Alice's Studio <bookings@rendez.test>"
    assert message["Reply-To"] == "ada@alice.example"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "ada has invited you to Alice's Studio on Rendez, as a staff member" in body
    assert "works once, for 7 days" in body and LINK.search(body)
    emil.refresh_from_db()
    user = emil.user
    assert user.email == EMIL_EMAIL and not user.has_usable_password()
    assert Membership.objects.get(tenant=alice, user=user).role == Membership.Role.STAFF
    change = emil.changes.get()
    assert change.kind == StaffChange.Kind.ACCOUNT_LINKED and change.by_name == "ada"
    page = _text(ada_client.get(f"/panel/staff/{emil.pk}/"))
    assert "Invited, not accepted yet" in page and "Send the invitation again" in page
    assert "invited" in _text(ada_client.get("/panel/staff/"))


def test_the_link_sets_a_password_and_lands_on_the_staff_members_own_calendar(ada_client, emil, smtp_server):
    _invite(ada_client, emil)
    link = _link(smtp_server)
    client = Client()
    form = client.get(client.get(link)["Location"])
    assert form.status_code == 200 and "Join Alice's Studio" in _text(form) and EMIL_EMAIL in _text(form)

    weak = client.post(form.request["PATH_INFO"], {"new_password1": "1234", "new_password2": "1234"})
    assert weak.status_code == 400 and "This password is too short" in _text(weak)

    done = client.post(
        form.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/panel/calendar/"
    calendar = client.get("/panel/calendar/")
    assert calendar.status_code == 200 and "This is your calendar" in _text(calendar)
    assert "My schedule" in _text(calendar)
    mine = client.get("/panel/staff/me/")
    assert mine.status_code == 200 and "Signed in as Emil at Alice's Studio" in _text(mine)
    assert Client().login(username=EMIL_EMAIL, password=NEW_PASSWORD)


def test_the_link_works_once(ada_client, emil, smtp_server):
    _invite(ada_client, emil)
    link = _link(smtp_server)
    _, done = _accept(link)
    assert done.status_code == 302

    again = Client().get(link)
    assert again.status_code == 404 and "This invitation link no longer works" in _text(again)


def test_the_link_expires_after_seven_days(ada_client, emil, smtp_server, monkeypatch):
    _invite(ada_client, emil)
    link = _link(smtp_server)
    now = datetime.now()
    monkeypatch.setattr(invitations.tokens, "_now", lambda: now + timedelta(days=6, hours=23))
    assert Client().get(link).status_code == 302
    monkeypatch.setattr(invitations.tokens, "_now", lambda: now + timedelta(days=7, hours=1))
    assert Client().get(link).status_code == 404


def test_a_reset_token_is_not_an_invitation(ada_client, emil, smtp_server):
    from django.contrib.auth.tokens import default_token_generator

    _invite(ada_client, emil)
    link = _link(smtp_server)
    emil.refresh_from_db()
    forged = link.rsplit("/", 2)[0] + f"/{default_token_generator.make_token(emil.user)}/"
    assert Client().get(forged).status_code == 404


def test_inviting_again_kills_the_old_link(ada_client, emil, smtp_server):
    _invite(ada_client, emil)
    first = _link(smtp_server)
    again = ada_client.post(f"/panel/staff/{emil.pk}/invite-again/")
    assert again.status_code == 302
    run_jobs()
    assert len(smtp_server.to(EMIL_EMAIL)) == 2
    second = _link(smtp_server)

    assert first != second
    assert Client().get(first).status_code == 404
    _, done = _accept(second)
    assert done.status_code == 302


def test_the_email_comes_from_the_business_sender_and_reply_to(ada_client, emil, alice, smtp_server):
    profile.update_profile(
        alice, {"sender_name": "Alice at the Studio", "reply_to_email": "hi@alice.example"}
    )
    _invite(ada_client, emil)

    [message] = smtp_server.to(EMIL_EMAIL)
    assert message["From"] == "Alice at the Studio <bookings@rendez.test>"
    assert message["Reply-To"] == "hi@alice.example"


def test_the_email_is_sent_by_the_worker_and_a_refused_send_is_tried_again(ada_client, emil, smtp_server):
    response = _invite(ada_client, emil, send=False)
    assert response.status_code == 302 and not smtp_server.messages
    [job] = Job.objects.filter(kind="staff.send_invitation")
    assert job.tenant_id == emil.tenant_id and job.payload["staff_id"] == emil.pk
    assert "link" not in job.payload and "join" not in str(job.payload)  # the link is a credential

    smtp_server.refusals.append("451 4.3.0 Try again later")
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.PENDING and job.attempts == 1 and "451" in job.last_error
    assert not smtp_server.messages

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    _, done = _accept(_link(smtp_server))
    assert done.status_code == 302


def test_inviting_again_before_the_email_went_out_sends_one_with_the_newest_link(
    ada_client, emil, smtp_server
):
    _invite(ada_client, emil, send=False)
    assert ada_client.post(f"/panel/staff/{emil.pk}/invite-again/").status_code == 302
    run_jobs()

    assert len(smtp_server.to(EMIL_EMAIL)) == 1
    _, done = _accept(_link(smtp_server))
    assert done.status_code == 302


def test_an_invitation_revoked_before_its_email_went_out_sends_nothing(ada_client, emil, smtp_server):
    _invite(ada_client, emil, send=False)
    assert ada_client.post(f"/panel/staff/{emil.pk}/revoke/").status_code == 302
    run_jobs()

    assert not smtp_server.messages
    assert Job.objects.get(kind="staff.send_invitation").state == Job.State.SUCCEEDED


def test_withdrawing_an_invitation_kills_its_link(ada_client, emil, alice, smtp_server):
    _invite(ada_client, emil)
    link = _link(smtp_server)
    assert ada_client.post(f"/panel/staff/{emil.pk}/revoke/").status_code == 302

    assert Client().get(link).status_code == 404
    emil.refresh_from_db()
    assert emil.user is None and not Membership.objects.filter(tenant=alice, user__email=EMIL_EMAIL).exists()


def test_revoking_ends_a_signed_in_staff_members_access_at_once(ada_client, emil, alice, smtp_server):
    _invite(ada_client, emil)
    client, _ = _accept(_link(smtp_server))
    assert client.get("/panel/appointments/").status_code == 200

    revoked = ada_client.post(f"/panel/staff/{emil.pk}/revoke/")

    assert revoked.status_code == 302
    assert client.get("/panel/appointments/")["Location"] == "/panel/switch/"
    emil.refresh_from_db()
    assert emil.user is None and emil.is_active  # the staff row, its hours and appointments stay
    assert emil.changes.first().kind == StaffChange.Kind.ACCOUNT_UNLINKED
    assert "Send invitation" in _text(ada_client.get(f"/panel/staff/{emil.pk}/"))


def test_an_existing_account_is_reused_and_signs_in_as_before(ada_client, emil, alice, olga, smtp_server):
    olga.email = "olga@bob.example"
    olga.save()
    password_before = olga.password

    assert _invite(ada_client, emil, email="OLGA@bob.example").status_code == 302

    emil.refresh_from_db()
    olga.refresh_from_db()
    assert emil.user == olga and olga.password == password_before
    assert Membership.objects.get(tenant=alice, user=olga).role == Membership.Role.STAFF
    body = smtp_server.to("olga@bob.example")[0].get_body(preferencelist=("plain",)).get_content()
    assert "sign in as usual" in body and not LINK.search(body)
    assert get_user_model().objects.filter(email__iexact="olga@bob.example").count() == 1


def test_one_account_is_one_staff_member_of_a_business(ada_client, dora, dora_user, emil, smtp_server):
    dora_user.email = "dora@alice.example"
    dora_user.save()
    refused = _invite(ada_client, emil, email="dora@alice.example")
    assert refused.status_code == 400 and "signs in as another staff member here already" in _text(refused)
    emil.refresh_from_db()
    assert emil.user is None and not smtp_server.messages


def test_an_admin_changes_roles_and_the_business_keeps_an_admin(
    ada_client, ada, alice, dora, dora_user, emil
):
    assert ada_client.post(f"/panel/staff/{emil.pk}/this-is-me/").status_code == 302
    emil.refresh_from_db()
    assert emil.user == ada

    refused = ada_client.post(f"/panel/staff/{emil.pk}/role/", {"role": "staff"})
    assert refused.status_code == 400 and "only admin" in _text(refused)
    assert Membership.objects.get(tenant=alice, user=ada).role == Membership.Role.ADMIN

    assert ada_client.post(f"/panel/staff/{dora.pk}/role/", {"role": "admin"}).status_code == 302
    assert Membership.objects.get(tenant=alice, user=dora_user).role == Membership.Role.ADMIN
    assert "Tenant admin" in _text(ada_client.get(f"/panel/staff/{dora.pk}/"))

    demoted = ada_client.post(f"/panel/staff/{emil.pk}/role/", {"role": "staff"})
    assert demoted.status_code == 302 and demoted["Location"] == "/panel/"
    assert Membership.objects.get(tenant=alice, user=ada).role == Membership.Role.STAFF


def test_staff_and_outsiders_cannot_invite_revoke_or_change_roles(
    dora_client, olga_client, dora, dora_user, emil, alice, smtp_server
):
    attempts = [
        (dora_client, emil, "invite/"),
        (dora_client, dora, "invite-again/"),
        (dora_client, dora, "revoke/"),
        (dora_client, dora, "role/"),
        (dora_client, emil, "this-is-me/"),
        (olga_client, emil, "invite/"),
        (olga_client, dora, "revoke/"),
        (olga_client, dora, "role/"),
        (olga_client, emil, "this-is-me/"),
    ]
    for client, staff, action in attempts:
        data = {"email": "mallory@evil.example", "role": "admin"}
        assert client.post(f"/panel/staff/{staff.pk}/{action}", data).status_code == 404, action
    emil.refresh_from_db()
    dora.refresh_from_db()
    assert emil.user is None and dora.user == dora_user
    assert Membership.objects.get(tenant=alice, user=dora_user).role == Membership.Role.STAFF
    assert not smtp_server.messages and not StaffChange.objects.exists() and not Job.objects.exists()


def test_a_staff_sign_in_without_a_staff_record_is_told_what_to_do(alice, django_user_model):
    user = member(alice, "sven", Membership.Role.STAFF, django_user_model, "sven@alice.example")
    client = signed_in(user, alice)
    page = client.get("/panel/staff/me/")
    assert page.status_code == 200
    assert "ask them to invite you" in _text(page) and "sven@alice.example" in _text(page)
    assert client.login(username="sven", password=PASSWORD)
