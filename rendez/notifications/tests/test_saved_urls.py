"""A URL a tenant (or the operator for a tenant) types in that sending would refuse whatever DNS says is
refused when it is saved, with the reason sending gives: a webhook workflow's address, a channel's base URL.
Saving asks no DNS server (a slow one must not hang a form); names are resolved and checked when sending."""

from __future__ import annotations

import socket

import httpx2
import pytest
from django.core.exceptions import ValidationError

from rendez.lib import http
from rendez.notifications.models import Channel, ChannelConfig, Delivery, Trigger, Workflow
from rendez.notifications.tests.fixtures import book, run_jobs, workflow
from rendez.notifications.validation import tenant_url_problem

REFUSED = "only public addresses may be called"
RESERVED = f"the name is reserved for this machine or private networks; {REFUSED}"

NOT_PUBLIC = [
    ("http://127.0.0.1:9000/hook", f"refusing the non-public address 127.0.0.1: {REFUSED}"),
    ("http://[::1]/hook", f"refusing the non-public address ::1: {REFUSED}"),
    ("http://10.20.30.40/hook", f"refusing the non-public address 10.20.30.40: {REFUSED}"),
    (
        "http://169.254.169.254/latest/meta-data/",
        f"refusing the non-public address 169.254.169.254: {REFUSED}",
    ),
    ("http://[::ffff:192.168.1.20]/", f"refusing the non-public address ::ffff:192.168.1.20: {REFUSED}"),
    # Forms the resolver reads as numbers, as it will when sending.
    ("http://127.1/hook", f"refusing 127.1: it resolves to the non-public address 127.0.0.1; {REFUSED}"),
    (
        "http://2130706433/",
        f"refusing 2130706433: it resolves to the non-public address 127.0.0.1; {REFUSED}",
    ),
    ("http://localhost:8000/hook", f"refusing localhost: {RESERVED}"),
    ("https://api.LocalHost./x", f"refusing api.localhost.: {RESERVED}"),
    ("http://metadata.google.internal/computeMetadata/v1/", f"refusing metadata.google.internal: {RESERVED}"),
    ("http://printer.local/", f"refusing printer.local: {RESERVED}"),
    ("http://nas.home.arpa/", f"refusing nas.home.arpa: {RESERVED}"),
]


@pytest.fixture
def no_dns(monkeypatch):
    """Any DNS question fails the test: only numbers may be parsed (AI_NUMERICHOST)."""
    real = socket.getaddrinfo

    def numeric_only(host, port, *args, **kwargs):
        flags = kwargs.get("flags", args[3] if len(args) > 3 else 0)
        assert flags & socket.AI_NUMERICHOST, f"a DNS lookup for {host!r} while saving"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


@pytest.mark.parametrize(("url", "reason"), NOT_PUBLIC)
def test_a_url_sending_would_refuse_is_refused_when_saved_for_the_same_reason(settings, no_dns, url, reason):
    settings.HTTP_TRUSTED_HOSTS = []
    with pytest.raises(http.BlockedAddressError) as saved:
        http.check_saved_url(url)
    with pytest.raises(http.BlockedAddressError) as sent:
        http.check_target(httpx2.URL(url), resolver=lambda host, port: pytest.fail("resolved"))

    assert str(saved.value) == str(sent.value) == reason


@pytest.mark.parametrize("url", ["https://hooks.example.com/rendez", "https://93.184.215.14/x"])
def test_public_urls_are_saved_without_asking_dns(settings, no_dns, url):
    settings.HTTP_TRUSTED_HOSTS = []
    http.check_saved_url(url)
    assert tenant_url_problem(url) is None


def test_a_trusted_host_may_be_saved(settings, no_dns):
    """What the operator lists in RENDEZ_HTTP_TRUSTED_HOSTS, tenants may save and send to."""
    settings.HTTP_TRUSTED_HOSTS = ["hooks.internal:8080", "10.0.0.7"]
    http.check_saved_url("http://hooks.internal:8080/rendez")
    http.check_saved_url("http://10.0.0.7/rendez")
    with pytest.raises(http.BlockedAddressError):
        http.check_saved_url("http://hooks.internal:8081/rendez")


# --- webhook workflows --------------------------------------------------------------------------------------


def webhook(tenant, url: str) -> Workflow:
    return workflow(
        tenant,
        channel=Channel.WEBHOOK,
        to_customer=False,
        fixed_recipients=url,
        subject_template="",
        body_template="{customer_name} booked",
    )


def test_a_webhook_workflow_to_loopback_is_refused_when_saved_and_nothing_is_saved(settings, tenant):
    settings.HTTP_TRUSTED_HOSTS = []
    with pytest.raises(ValidationError) as refused:
        webhook(tenant, "https://hooks.example.com/ok\nhttp://127.0.0.1:9000/hook")

    reason = f"refusing the non-public address 127.0.0.1: {REFUSED}"
    assert refused.value.message_dict == {
        "fixed_recipients": [f"'http://127.0.0.1:9000/hook' cannot be used: {reason}."]
    }
    assert not Workflow.objects.exists()


def test_the_reason_on_save_is_the_reason_a_delivery_gives(settings, tenant, service):
    """A workflow saved before this check still fails when sending, saying what saving now says."""
    settings.NOTIFICATIONS_WEBHOOK_SECRET = "whsec-acme"
    url = "http://169.254.169.254/latest/meta-data/"
    Workflow.objects.create(
        tenant=tenant,
        name="Hook",
        trigger=Trigger.BOOKING_CONFIRMED,
        channel=Channel.WEBHOOK,
        fixed_recipients=url,
        body_template="{customer_name} booked",
    )
    book(service)
    run_jobs()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    assert tenant_url_problem(url) == f"{url!r} cannot be used: {delivery.last_error}."


def test_a_public_webhook_is_saved(settings, tenant, no_dns):
    settings.HTTP_TRUSTED_HOSTS = []
    saved = webhook(tenant, "https://hooks.example.com/rendez")
    assert Workflow.objects.get(pk=saved.pk).fixed_addresses == ["https://hooks.example.com/rendez"]


# --- the operator's per-tenant channel base URL (Django admin) ----------------------------------------------


@pytest.fixture
def operator_client(client, django_user_model):
    operator = django_user_model.objects.create_superuser("op", "op@rendez.test", "pw-operator")
    client.force_login(operator)
    return client


def add_channel_config(operator_client, tenant, base_url: str):
    return operator_client.post(
        "/admin/notifications/channelconfig/add/",
        {
            "tenant": tenant.pk,
            "channel": Channel.SMS,
            "base_url": base_url,
            "account_sid": "AC0123",
            "sender": "+15005550006",
            "is_enabled": "on",
        },
    )


def test_a_channel_base_url_to_a_private_address_is_refused_in_the_admin(settings, operator_client, tenant):
    settings.HTTP_TRUSTED_HOSTS = []
    page = add_channel_config(operator_client, tenant, "http://10.0.0.5:8080")

    assert page.status_code == 200  # the form again, with the error
    assert f"refusing the non-public address 10.0.0.5: {REFUSED}" in page.content.decode()
    assert not ChannelConfig.objects.exists()


def test_a_public_channel_base_url_is_saved_in_the_admin(settings, operator_client, tenant):
    settings.HTTP_TRUSTED_HOSTS = []
    page = add_channel_config(operator_client, tenant, "https://sms-gateway.example.com")

    assert page.status_code == 302, page.content.decode()
    assert ChannelConfig.objects.get().base_url == "https://sms-gateway.example.com"
