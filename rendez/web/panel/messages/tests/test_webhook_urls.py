"""An admin saving a webhook workflow whose address Rendez would refuse to call is told why on the form, and
nothing is saved; the same reason a delivery would give (rendez/notifications/tests/test_saved_urls.py)."""

from __future__ import annotations

import pytest

from rendez.notifications.models import Workflow
from rendez.web.panel.messages.tests.test_messages import FORM

pytestmark = pytest.mark.django_db

WEBHOOK = {
    **FORM,
    "channel": "webhook",
    "to_customer": "",
    "subject_template": "",
    "attach_invitation": "",
    "body_template": "{customer_name} booked",
}


def test_a_webhook_to_loopback_is_refused_on_the_form(settings, ada_client, alice):
    settings.HTTP_TRUSTED_HOSTS = []
    response = ada_client.post(
        "/panel/messages/workflows/new/", {**WEBHOOK, "fixed_recipients": "http://127.0.0.1:8000/hook"}
    )

    assert response.status_code == 400
    assert (
        "refusing the non-public address 127.0.0.1: only public addresses may be called"
        in response.content.decode()
    )
    assert not Workflow.objects.filter(tenant=alice).exists()


def test_editing_a_webhook_to_point_at_the_metadata_service_is_refused(settings, ada_client, alice):
    settings.HTTP_TRUSTED_HOSTS = []
    public = {**WEBHOOK, "fixed_recipients": "https://hooks.example.com/rendez"}
    assert ada_client.post("/panel/messages/workflows/new/", public).status_code == 302
    workflow = Workflow.objects.get(tenant=alice)

    response = ada_client.post(
        f"/panel/messages/workflows/{workflow.pk}/",
        {**WEBHOOK, "fixed_recipients": "http://metadata.google.internal/computeMetadata/v1/"},
    )

    assert response.status_code == 400
    assert "refusing metadata.google.internal: the name is reserved" in response.content.decode()
    workflow.refresh_from_db()
    assert workflow.fixed_recipients == "https://hooks.example.com/rendez"
