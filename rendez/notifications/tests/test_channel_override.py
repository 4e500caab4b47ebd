"""The installation's Twilio and Telegram credentials only ever go to the host the operator configured for
them. A tenant whose channel the operator points at another base URL (their own gateway, or a typo) sends
with that tenant's own credentials, or not at all, saying why; a real HTTP server stands in for that other
host and records what reached it."""

from __future__ import annotations

import pytest

from rendez.jobs.models import Job
from rendez.notifications.models import Channel, ChannelConfig, Delivery
from rendez.notifications.tests.fixtures import book, job_of, run_jobs, workflow

INSTALLATION_SID = "AC" + "1" * 32
INSTALLATION_TOKEN = "installation-twilio-token"
INSTALLATION_BOT = "111111:installation-bot-token"
TENANT_SID = "AC" + "2" * 32
TENANT_TOKEN = "tenants-own-twilio-token"
TENANT_BOT = "222222:tenants-own-bot-token"


@pytest.fixture
def installation(settings):
    """The operator's accounts, at the vendors' real hosts (never called in these tests)."""
    settings.TWILIO_API_BASE_URL = "https://api.twilio.com"
    settings.TWILIO_ACCOUNT_SID = INSTALLATION_SID
    settings.TWILIO_AUTH_TOKEN = INSTALLATION_TOKEN
    settings.TWILIO_SMS_FROM = "+15005550006"
    settings.TELEGRAM_API_BASE_URL = "https://api.telegram.org"
    settings.TELEGRAM_BOT_TOKEN = INSTALLATION_BOT


def overridden(tenant, channel: str, base_url: str, **fields) -> ChannelConfig:
    secret = fields.pop("secret", "")
    config = ChannelConfig(tenant=tenant, channel=channel, base_url=base_url, **fields)
    config.secret = secret
    config.save()
    return config


def send_sms(tenant, service) -> Delivery:
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="See you, {customer_name}")
    book(service)
    run_jobs()
    return Delivery.objects.get()


def send_telegram(tenant, service) -> Delivery:
    workflow(
        tenant,
        channel=Channel.TELEGRAM,
        to_customer=False,
        fixed_recipients="-1001234",
        subject_template="",
        body_template="New booking: {customer_name}",
    )
    book(service)
    run_jobs()
    return Delivery.objects.get()


def everything_received(vendor) -> str:
    return "\n".join(f"{r.path} {r.headers} {r.body!r} {r.authorization}" for r in vendor.requests)


def test_an_overridden_twilio_without_its_own_token_sends_nothing_and_says_why(
    installation, tenant, service, fake_vendor
):
    overridden(tenant, Channel.SMS, fake_vendor.url, account_sid=TENANT_SID, sender="+15005550007")

    delivery = send_sms(tenant, service)

    assert fake_vendor.requests == []
    assert delivery.state == Delivery.State.FAILED
    assert delivery.last_error == (
        f"this business's SMS settings send to {fake_vendor.url} instead of the installation's "
        "https://api.twilio.com but have no Twilio auth token of their own; "
        "the installation's is never sent to another host"
    )
    assert job_of(delivery).state == Job.State.DEAD  # retrying cannot help; the operator must act


def test_an_overridden_twilio_sends_with_the_tenants_own_account_only(
    installation, tenant, service, fake_vendor
):
    overridden(
        tenant,
        Channel.SMS,
        fake_vendor.url,
        account_sid=TENANT_SID,
        secret=TENANT_TOKEN,
        sender="+15005550007",
    )
    fake_vendor.default = (201, {"sid": "SM" + "e" * 32})

    delivery = send_sms(tenant, service)

    [request] = fake_vendor.requests
    assert request.path == f"/2010-04-01/Accounts/{TENANT_SID}/Messages.json"
    assert request.authorization == (TENANT_SID, TENANT_TOKEN)
    assert request.form["From"] == "+15005550007"
    received = everything_received(fake_vendor)
    assert INSTALLATION_TOKEN not in received and INSTALLATION_SID not in received
    assert delivery.state == Delivery.State.SENT


def test_an_overridden_twilio_never_borrows_the_installations_account_or_sender(
    installation, tenant, service, fake_vendor
):
    """Only a token of its own: the installation's account SID and number are not filled in either."""
    overridden(tenant, Channel.SMS, fake_vendor.url, secret=TENANT_TOKEN)

    delivery = send_sms(tenant, service)

    assert fake_vendor.requests == []
    assert delivery.state == Delivery.State.FAILED
    assert "not configured" in delivery.last_error


def test_an_overridden_telegram_without_its_own_bot_token_sends_nothing(
    installation, tenant, service, fake_vendor
):
    overridden(tenant, Channel.TELEGRAM, fake_vendor.url)

    delivery = send_telegram(tenant, service)

    assert fake_vendor.requests == []
    assert delivery.state == Delivery.State.FAILED
    assert "no Telegram bot token of their own" in delivery.last_error
    assert INSTALLATION_BOT not in delivery.last_error


def test_an_overridden_telegram_sends_with_the_tenants_bot(installation, tenant, service, fake_vendor):
    overridden(tenant, Channel.TELEGRAM, fake_vendor.url, secret=TENANT_BOT)
    fake_vendor.default = (200, {"ok": True, "result": {"message_id": 7}})

    delivery = send_telegram(tenant, service)

    [request] = fake_vendor.requests
    assert request.path == f"/bot{TENANT_BOT}/sendMessage"
    assert INSTALLATION_BOT not in everything_received(fake_vendor)
    assert delivery.state == Delivery.State.SENT


def test_a_config_at_the_installations_own_host_still_borrows_its_token(
    settings, tenant, service, fake_vendor
):
    """Same origin as the operator configured: nothing goes anywhere new, so blanks are filled as before."""
    settings.TELEGRAM_API_BASE_URL = fake_vendor.url
    settings.TELEGRAM_BOT_TOKEN = INSTALLATION_BOT
    overridden(tenant, Channel.TELEGRAM, f"{fake_vendor.url}/")
    fake_vendor.default = (200, {"ok": True, "result": {"message_id": 8}})

    delivery = send_telegram(tenant, service)

    [request] = fake_vendor.requests
    assert request.path == f"/bot{INSTALLATION_BOT}/sendMessage"
    assert delivery.state == Delivery.State.SENT


def test_a_config_without_a_base_url_borrows_the_installations_host_and_token(
    settings, tenant, service, fake_vendor
):
    """A tenant's own sender on the installation's account, at the installation's host."""
    settings.TWILIO_API_BASE_URL = fake_vendor.url
    settings.TWILIO_ACCOUNT_SID = INSTALLATION_SID
    settings.TWILIO_AUTH_TOKEN = INSTALLATION_TOKEN
    overridden(tenant, Channel.SMS, "", sender="+15005550008")
    fake_vendor.default = (201, {"sid": "SM" + "d" * 32})

    delivery = send_sms(tenant, service)

    [request] = fake_vendor.requests
    assert request.authorization == (INSTALLATION_SID, INSTALLATION_TOKEN)
    assert request.form["From"] == "+15005550008"
    assert delivery.state == Delivery.State.SENT
