"""Deployment checks (`rendez check --deploy`) for settings no single app owns."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

from rendez.lib.http import host_and_port


@register(Tags.security, deploy=True)
def trusted_hosts_stay_off_this_machine(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every outbound call may reach a trusted host, tenants' webhooks included: listing this machine lets
    any tenant post to whatever listens on it (the database's HTTP tools, an admin port, metadata proxies)."""
    local = [entry for entry in settings.HTTP_TRUSTED_HOSTS if names_this_machine(entry)]
    if not local:
        return []
    return [
        CheckWarning(
            f"RENDEZ_HTTP_TRUSTED_HOSTS lists {', '.join(local)}: every tenant's webhook may reach services "
            "on this machine.",
            hint="List only the host:port tenants may reach. The Zoom emulator needs no entry: the "
            "configured Zoom base URLs may be local by themselves.",
            id="rendez.W001",
        )
    ]


def names_this_machine(entry: str) -> bool:
    try:
        host, _ = host_and_port(entry.strip().lower())
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
