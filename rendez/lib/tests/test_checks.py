"""`rendez check --deploy` warns when the trusted hosts open this machine to every tenant's webhook."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks


def deploy_warnings() -> list[str]:
    return [
        message.id for message in run_checks(include_deployment_checks=True) if message.id == "rendez.W001"
    ]


@pytest.mark.parametrize("entry", ["127.0.0.1", "localhost:8025", "[::1]:9000", "0.0.0.0", "127.1.2.3"])
def test_trusting_this_machine_is_a_deployment_warning(settings, entry):
    settings.HTTP_TRUSTED_HOSTS = [entry]
    assert deploy_warnings() == ["rendez.W001"]


@pytest.mark.parametrize("entries", [[], ["sms-gateway.internal:8080"], ["10.0.0.7"]])
def test_other_hosts_are_the_operators_choice(settings, entries):
    settings.HTTP_TRUSTED_HOSTS = entries
    assert deploy_warnings() == []
