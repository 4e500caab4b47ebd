"""SMS, WhatsApp, Telegram and webhooks against a local HTTP server speaking the vendors' protocols."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from rendez.jobs.models import Job
from rendez.notifications.models import Channel, ChannelConfig, Delivery
from rendez.notifications.tests.fixtures import book, job_of, make_due, run_jobs, workflow

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "twilio-auth-token"
BOT = "123456:ABC-bot-token"


@pytest.fixture
def twilio(tenant, fake_vendor):
    for channel, sender in ((Channel.SMS, "+15005550006"), (Channel.WHATSAPP, "+14155238886")):
        config = ChannelConfig(
            tenant=tenant, channel=channel, base_url=fake_vendor.url, account_sid=SID, sender=sender
        )
        config.secret = TOKEN
        config.save()
    fake_vendor.default = (201, {"sid": "SM" + "f" * 32, "status": "queued"})
    return fake_vendor


def test_sms_speaks_twilios_messages_resource(twilio, tenant, service):
    workflow(
        tenant, channel=Channel.SMS, subject_template="", body_template="See you at {appointment_start_time}"
    )
    book(service)
    run_jobs()

    [request] = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.authorization == (SID, TOKEN)
    assert request.headers["User-Agent"] == "Rendez/0.1"
    assert request.form["To"] == "+81312345678"
    assert request.form["From"] == "+15005550006"
    assert request.form["Body"].startswith("See you at ")
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT
    assert delivery.external_id == "SM" + "f" * 32


def test_whatsapp_prefixes_both_numbers(twilio, tenant, service):
    workflow(tenant, channel=Channel.WHATSAPP, subject_template="", body_template="Hi {customer_name}")
    book(service)
    run_jobs()
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.form == {
        "To": "whatsapp:+81312345678",
        "From": "whatsapp:+14155238886",
        "Body": "Hi Carla Customer",
    }


def test_the_channel_secret_is_encrypted_at_rest(twilio, tenant):
    config = ChannelConfig.objects.get(tenant=tenant, channel=Channel.SMS)
    assert TOKEN not in config.secret_encrypted
    assert ChannelConfig.objects.get(pk=config.pk).secret == TOKEN


def test_a_refused_number_fails_at_once(twilio, tenant, service):
    twilio.reply(400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service)
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    assert "21211" in delivery.last_error
    assert job_of(delivery).state == Job.State.DEAD and job_of(delivery).attempts == 1
    assert len(twilio.requests) == 1


def test_a_dead_delivery_is_sent_when_its_job_is_re_run(twilio, tenant, service):
    twilio.reply(400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service)
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED

    call_command("jobs", "retry", str(job_of(delivery).pk))
    run_jobs()

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.last_error == ""
    assert len(twilio.requests) == 2


def test_a_vendor_outage_is_retried_then_sent(twilio, tenant, service):
    twilio.reply(503, {"message": "Service unavailable"})
    twilio.reply(429, {"message": "Too many requests"}, {"Retry-After": "30"})
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service)

    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and "503" in delivery.last_error
    make_due()
    run_jobs()
    delivery.refresh_from_db()
    assert "429" in delivery.last_error
    job = job_of(delivery)
    assert (job.run_after - _started(job)).total_seconds() == pytest.approx(30, abs=2)  # Retry-After honoured
    make_due()
    run_jobs()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 3
    assert len(twilio.requests) == 3


def test_a_delivery_that_keeps_failing_is_dead_lettered(twilio, tenant, service, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    twilio.default = (500, {"message": "boom"})
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service)
    for _ in range(3):
        make_due()
        run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 3
    assert job_of(delivery).state == Job.State.DEAD
    assert len(twilio.requests) == 3


def test_sms_without_a_twilio_account_fails_with_a_reason(tenant, service):
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service)
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    assert "not configured" in delivery.last_error


def test_a_customer_without_a_phone_is_skipped_visibly(twilio, tenant, service):
    workflow(tenant, channel=Channel.SMS, subject_template="", body_template="Hi")
    book(service, phone="")
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SKIPPED and "no SMS address" in delivery.note
    assert twilio.requests == []


def test_telegram_speaks_the_bot_api(tenant, service, fake_vendor, settings):
    settings.TELEGRAM_API_BASE_URL = fake_vendor.url  # the installation's default, no per-tenant config
    settings.TELEGRAM_BOT_TOKEN = BOT
    fake_vendor.default = (200, {"ok": True, "result": {"message_id": 42, "chat": {"id": -1001234}}})
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

    [request] = fake_vendor.requests
    assert request.method == "POST"
    assert request.path == f"/bot{BOT}/sendMessage"
    assert request.json["chat_id"] == "-1001234"
    assert request.json["text"] == "New booking: Carla Customer"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT and delivery.external_id == "42"
    assert BOT not in delivery.last_error


def test_telegram_flood_control_waits_as_told(tenant, service, fake_vendor, settings):
    settings.TELEGRAM_API_BASE_URL = fake_vendor.url
    settings.TELEGRAM_BOT_TOKEN = BOT
    fake_vendor.reply(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 17",
            "parameters": {"retry_after": 17},
        },
    )
    workflow(
        tenant,
        channel=Channel.TELEGRAM,
        to_customer=False,
        fixed_recipients="@acmedesk",
        subject_template="",
        body_template="x",
    )
    book(service)
    run_jobs()
    job = job_of(Delivery.objects.get())
    assert job.state == Job.State.PENDING
    assert (job.run_after - _started(job)).total_seconds() == pytest.approx(17, abs=2)
    assert BOT not in job.last_error


def test_webhooks_are_signed_json(tenant, service, fake_vendor):
    config = ChannelConfig(tenant=tenant, channel=Channel.WEBHOOK)
    config.secret = "whsec-123"
    config.save()
    workflow(
        tenant,
        channel=Channel.WEBHOOK,
        to_customer=False,
        fixed_recipients=f"{fake_vendor.url}/hooks/rendez",
        subject_template="Booked {service_name}",
        body_template="{customer_name} booked",
    )
    booking = book(service)
    run_jobs()

    [request] = fake_vendor.requests
    assert request.path == "/hooks/rendez"
    assert request.headers["Content-Type"] == "application/json"
    timestamp = request.headers["X-Rendez-Timestamp"]
    expected = hmac.new(b"whsec-123", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Rendez-Signature"], f"sha256={expected}")
    body = json.loads(request.body)
    assert body["event"] == "booking_confirmed"
    assert body["subject"] == "Booked Therapy" and body["text"] == "Carla Customer booked"
    assert body["booking"]["id"] == booking.pk
    assert datetime.fromisoformat(body["booking"]["appointment"]["start"]) == booking.appointment.start


def test_webhooks_to_private_addresses_are_refused(tenant, service, settings):
    """Already when saved (test_saved_urls.py); one saved before that fails when sending
    (test_webhook_targets.py)."""
    settings.NOTIFICATIONS_WEBHOOK_SECRET = "s"
    with pytest.raises(ValidationError, match="non-public address 10.1.2.3"):
        workflow(
            tenant,
            channel=Channel.WEBHOOK,
            to_customer=False,
            fixed_recipients="http://10.1.2.3/hook",
            subject_template="",
            body_template="x",
        )
    book(service)
    run_jobs()
    assert not Delivery.objects.exists()


def _started(job: Job) -> datetime:
    assert job.started_at is not None
    return job.started_at
