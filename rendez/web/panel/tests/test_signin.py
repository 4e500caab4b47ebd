"""Signing in with a username or an email, the tenant picker, signing out, password reset. The sign-in limits
have their own file, test_signin_limits.py."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from rendez.tenants.models import Membership
from rendez.web.panel.tests.fixtures import PASSWORD, member, signed_in

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, identifier: str, password: str = PASSWORD):
    return client.post("/login/", {"identifier": identifier, "password": password})


def test_the_sign_in_page_labels_its_inputs(client):
    body = client.get("/login/").content.decode()
    assert '<label for="id_identifier">Email or username</label>' in body
    assert '<label for="id_password">Password</label>' in body


@pytest.mark.parametrize("identifier", ["ada", "ADA@alice.example"])
def test_an_admin_signs_in_with_username_or_email_and_lands_on_the_dashboard(client, ada, alice, identifier):
    response = _sign_in(client, identifier)
    assert response.status_code == 302
    assert client.session["panel_tenant_id"] == alice.pk
    page = client.get("/panel/", follow=True)
    assert page.redirect_chain[-1][0] == "/panel/dashboard/"
    assert "Dashboard" in page.content.decode()


def test_a_wrong_password_is_refused_in_plain_words(client, ada):
    response = _sign_in(client, "ada", "wrong")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_land_on_their_appointments(client, dora_user):
    _sign_in(client, "dora")
    page = client.get("/panel/", follow=True)
    assert page.redirect_chain[-1][0] == "/panel/appointments/"
    assert "My appointments" in page.content.decode()
    assert "Dashboard" not in page.content.decode()


def test_staff_cannot_open_the_dashboard(dora_client):
    assert dora_client.get("/panel/dashboard/").status_code == 404


def test_a_person_in_two_businesses_picks_one(client, alice, bob, django_user_model):
    user = member(alice, "sam", Membership.Role.ADMIN, django_user_model)
    Membership.objects.create(user=user, tenant=bob, role=Membership.Role.STAFF)
    _sign_in(client, "sam")
    assert "panel_tenant_id" not in client.session
    assert client.get("/panel/dashboard/")["Location"] == "/panel/switch/"
    picker = client.get("/panel/switch/").content.decode()
    assert "Alice&#x27;s Studio (Tenant admin)" in picker and "Bob&#x27;s Clinic (Staff member)" in picker
    response = client.post("/panel/switch/", {"tenant": bob.pk})
    assert response.status_code == 302
    assert client.session["panel_tenant_id"] == bob.pk
    assert client.get("/panel/dashboard/").status_code == 404  # staff in bob
    assert "Switch business" in client.get("/panel/appointments/").content.decode()


def test_the_picker_refuses_a_business_one_does_not_belong_to(ada, bob):
    client = signed_in(ada)
    response = client.post("/panel/switch/", {"tenant": bob.pk})
    assert response.status_code == 200
    assert "panel_tenant_id" not in client.session


def test_a_removed_membership_ends_access_at_once(ada_client, ada):
    Membership.objects.filter(user=ada).delete()
    assert ada_client.get("/panel/dashboard/")["Location"] == "/panel/switch/"


def test_the_panel_asks_to_sign_in(client):
    assert client.get("/panel/appointments/")["Location"] == "/login/?next=/panel/appointments/"


def test_sign_out_is_a_post(ada_client):
    assert ada_client.get("/logout/").status_code == 405
    assert ada_client.post("/logout/")["Location"] == "/login/"
    assert ada_client.get("/panel/dashboard/").status_code == 302


def test_sign_in_without_a_csrf_token_is_refused(ada):
    client = Client(enforce_csrf_checks=True)
    assert _sign_in(client, "ada").status_code == 403


def test_password_reset_by_email(client, ada, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/login/reset/", {"email": "ada@alice.example"})
    assert response["Location"] == "/login/reset/sent/"
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/login/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"}
    )
    assert done["Location"] == "/login/reset/done/"
    assert _sign_in(client, "ada", "n3w-Passw0rd!x").status_code == 302


def test_the_platform_operator_lands_on_the_operator_pages(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@rendez.example", "pw-root-operator")
    answer = client.post("/login/", {"identifier": "root", "password": "pw-root-operator"})
    assert answer.status_code == 302 and answer["Location"] == "/operator/tenants/"
    assert "does not belong" not in client.get(answer["Location"]).content.decode()
