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


@register(Tags.security, deploy=True)
def a_proxy_names_its_clients(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a proxy (its https header is believed) with no trusted proxy listed, every visitor is the
    proxy's address: the sign-in limits then count all of them as one client."""
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or settings.TRUSTED_PROXIES:
        return []
    return [
        CheckWarning(
            "RENDEZ_PROXY_SSL_HEADER is set but RENDEZ_TRUSTED_PROXIES is empty: behind the proxy every "
            "visitor has its address, and the sign-in limits count them all as one client.",
            hint="List the proxy's address in RENDEZ_TRUSTED_PROXIES (127.0.0.1,::1 for nginx on the same "
            "machine); docs/operations.md, Sign-in limits.",
            id="rendez.W002",
        )
    ]
