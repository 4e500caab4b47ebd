"""Signing a business up on /signup/: what is made, what each field refuses, what the operator can turn off,
and the limit per client address. A refused sign-up saves nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from rendez.tenants import operations
from rendez.tenants.models import Membership, Plan, Tenant
from rendez.web.models import SignUp
from rendez.web.signup import views
from rendez.web.signup.tests.nora import NORA, form
from rendez.web.tests.emails import sent

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    user_model = get_user_model()
    return (
        Tenant.objects.count(),
        user_model.objects.count(),
        Membership.objects.count(),
        SignUp.objects.count(),
    )


def errors_of(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_a_new_owner_signs_up_and_lands_on_the_dashboard_of_their_business(client, mailoutbox):
    pro = Plan.objects.create(slug="pro", name="Pro", capabilities=["zoom"])

    response = client.post("/signup/", form())

    assert response.status_code == 302 and response["Location"] == "/panel/dashboard/"
    tenant = Tenant.objects.get(slug="noras-studio")
    assert (tenant.name, tenant.timezone, tenant.plan) == ("Nora's Studio", "America/New_York", pro)
    owner = get_user_model().objects.get(email="nora@studio.example")
    assert owner.first_name == "Nora Lind" and owner.check_password(NORA["password"])
    assert Membership.objects.get(user=owner).tenant == tenant
    assert Membership.objects.get(user=owner).role == Membership.Role.ADMIN
    assert SignUp.objects.get(tenant=tenant).verified_at is None
    [email] = sent(mailoutbox)
    assert email.to == ["nora@studio.example"]
    assert re.search(r"http://\S+/signup/verify/\S+/", email.body)
    dashboard = client.get("/panel/dashboard/").content.decode()
    assert "Confirm your email" in dashboard and "nora@studio.example" in dashboard


def test_the_owner_signs_in_with_the_email_and_password_afterwards(client):
    client.post("/signup/", form())
    client.post("/logout/")

    response = client.post("/login/", {"identifier": "Nora@Studio.example", "password": NORA["password"]})

    assert response.status_code == 302
    assert client.get("/panel/dashboard/").status_code == 200


def test_the_tenant_is_born_through_create_tenant(client, monkeypatch):
    calls = []
    real = operations.create_tenant

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(operations, "create_tenant", spy)

    client.post("/signup/", form())

    assert calls == [
        {"slug": "noras-studio", "name": "Nora's Studio", "timezone": "America/New_York", "plan": None}
    ]


def test_a_refusal_of_create_tenant_saves_nothing_and_shows_on_its_field(client, monkeypatch, mailoutbox):
    def refuse(**kwargs):
        raise operations.TenantError("That address is reserved.", field="slug")

    monkeypatch.setattr(operations, "create_tenant", refuse)

    response = client.post("/signup/", form())

    assert response.status_code == 400
    assert errors_of(response) == {"slug": ["That address is reserved."]}
    assert counts() == (0, 0, 0, 0) and sent(mailoutbox) == []


def test_every_field_says_what_is_missing_and_nothing_is_saved(client, mailoutbox):
    response = client.post("/signup/", {})

    assert response.status_code == 400
    assert set(errors_of(response)) == {"name", "timezone", "owner_name", "email", "password"}
    assert counts() == (0, 0, 0, 0) and sent(mailoutbox) == []
    body = response.content.decode()
    assert body.count('role="alert"') >= 5


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "Use at least 3 characters."),
        ("Nora Studio!", "Use lowercase letters, digits and hyphens only"),
        ("-nora", "Use lowercase letters, digits and hyphens only"),
        ("x" * 51, "Ensure this value has at most 50 characters"),
    ],
)
def test_an_address_that_is_not_a_slug_is_refused(client, slug, message):
    response = client.post("/signup/", form(slug=slug))

    assert response.status_code == 400
    assert message in errors_of(response)["slug"][0]
    assert counts() == (0, 0, 0, 0)


def test_a_taken_address_is_refused_with_a_free_one_suggested(client, bob):
    Tenant.objects.create(slug="noras-studio", name="Another Nora")

    response = client.post("/signup/", form())

    assert errors_of(response) == {"slug": ["/book/noras-studio/ is taken. Try noras-studio-2."]}
    assert Tenant.objects.count() == 2


def test_an_empty_address_is_suggested_from_the_name(client):
    client.post("/signup/", form(slug="", name="Café Zoë & Co."))

    assert Tenant.objects.get().slug == "cafe-zoe-co"


def test_an_email_that_has_an_account_is_sent_to_sign_in(client, olga):
    response = client.post("/signup/", form(email=olga.email.upper()))

    assert "sign in instead" in errors_of(response)["email"][0]
    assert not Tenant.objects.filter(slug="noras-studio").exists()


def test_the_password_goes_through_djangos_validators(client, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]

    short = client.post("/signup/", form(password="short"))
    similar = client.post("/signup/", form(password="nora@studio.example"))
    numeric = client.post("/signup/", form(password="12345678901"))

    assert "too short" in errors_of(short)["password"][0]
    assert "too similar" in errors_of(similar)["password"][0]
    assert "entirely numeric" in errors_of(numeric)["password"][0]
    assert counts() == (0, 0, 0, 0)


def test_the_time_zones_offered_are_places_and_anything_else_is_refused(client):
    body = client.get("/signup/").content.decode()

    assert '<option value="America/New_York">America/New York</option>' in body
    for junk in ("localtime", "Factory", "posixrules", "US/Pacific", "Etc/GMT+5"):
        assert f'value="{junk}"' not in body
    response = client.post("/signup/", form(timezone="localtime"))
    assert "Select a valid choice" in errors_of(response)["timezone"][0]


def test_the_browser_picks_the_zone_with_a_script_the_policy_allows(client):
    response = client.get("/signup/")

    assert '<script src="/static/web/signup.js" defer></script>' in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_with_one_plan_the_business_gets_it_without_being_asked(client):
    basic = Plan.objects.create(slug="basic", name="Basic")

    assert 'name="plan"' not in client.get("/signup/").content.decode()
    client.post("/signup/", form())

    assert Tenant.objects.get().plan == basic


def test_with_several_plans_the_owner_chooses_one(client):
    Plan.objects.create(slug="basic", name="Basic")
    pro = Plan.objects.create(slug="pro", name="Pro", capabilities=["zoom"])

    body = client.get("/signup/").content.decode()
    assert 'value="basic"' in body and 'value="pro"' in body
    refused = client.post("/signup/", form(plan="enterprise"))
    client.post("/signup/", form(plan="pro"))

    assert "Select a valid choice" in errors_of(refused)["plan"][0]
    assert Tenant.objects.get().plan == pro


def test_the_operator_chooses_which_plans_sign_up_offers(client, settings):
    Plan.objects.create(slug="internal", name="Internal")
    starter = Plan.objects.create(slug="starter", name="Starter")
    settings.SIGNUP_PLANS = ["starter"]

    body = client.get("/signup/").content.decode()
    client.post("/signup/", form(plan="internal"))

    assert 'name="plan"' not in body
    assert Tenant.objects.get().plan == starter


def test_sign_up_turned_off_answers_404_and_saves_nothing(client, settings):
    settings.SIGNUP_ENABLED = False

    assert client.get("/signup/").status_code == 404
    assert client.post("/signup/", form()).status_code == 404
    assert counts() == (0, 0, 0, 0)


def test_a_form_without_its_csrf_token_is_refused(mailoutbox):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/signup/", form())

    assert response.status_code == 403
    assert counts() == (0, 0, 0, 0) and sent(mailoutbox) == []


def test_sign_ups_from_one_address_are_limited_and_the_refusal_saves_nothing(monkeypatch, mailoutbox):
    monkeypatch.setattr(views, "SIGNUPS_PER_ADDRESS", 2)
    here, elsewhere = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.9")
    for number in (1, 2):
        here.post("/signup/", form(slug=f"studio-{number}", email=f"owner{number}@studio.example"))
    saved = counts()

    refused = here.post("/signup/", form(slug="studio-3", email="owner3@studio.example"))
    other = elsewhere.post("/signup/", form(slug="studio-4", email="owner4@studio.example"))

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many businesses were signed up from your network" in refused.content.decode()
    assert other.status_code == 302
    assert counts()[0] == saved[0] + 1 and not Tenant.objects.filter(slug="studio-3").exists()
    assert len(sent(mailoutbox)) == 3


def test_a_form_with_mistakes_costs_no_sign_up(monkeypatch):
    monkeypatch.setattr(views, "SIGNUPS_PER_ADDRESS", 1)
    for _ in range(3):
        assert client_post_with_typo().status_code == 400

    assert Client(REMOTE_ADDR="203.0.113.7").post("/signup/", form()).status_code == 302


def client_post_with_typo():
    return Client(REMOTE_ADDR="203.0.113.7").post("/signup/", form(email="not-an-email"))
