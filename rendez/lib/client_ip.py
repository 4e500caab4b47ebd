"""The address of the client a request came from: the one function every limit that counts by address uses.

`X-Forwarded-For` is believed only when the direct peer (`REMOTE_ADDR`) is one of `RENDEZ_TRUSTED_PROXIES`
(IPs or CIDRs): anyone else can write anything there. From a trusted peer the header is read from the right,
skipping the trusted proxies' own hops; the first address that is not a trusted proxy is the client. The
left-most entries are whatever the client sent (nginx's `$proxy_add_x_forwarded_for` appends to them), so they
are never taken on trust.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

from rendez.lib.env import ConfigurationError

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

logger = logging.getLogger(__name__)

# An IPv6 client usually holds a whole /64: counting single addresses would give it 2^64 allowances.
IPV6_GROUP_PREFIX = 64


def parse_networks(entries: Iterable[str], name: str = "RENDEZ_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """`entries` (IPs or CIDRs) as networks; a `ConfigurationError` naming `name` for one that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ConfigurationError(f"{name} must list IP addresses or CIDRs, got {entry!r}") from None
    return tuple(networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address as text (IPv4-mapped IPv6 written as IPv4); "" when the peer has none."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    proxies = trusted_proxies()
    if not _is_trusted(peer, proxies):
        if request.META.get("HTTP_X_FORWARDED_FOR"):
            _warn_untrusted_forwarder(str(peer))
        return str(peer)
    nearest = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            # A trusted proxy passed on something that is no address: it came from further out, so the last
            # address a trusted proxy vouched for is the best we know.
            return str(nearest)
        if not _is_trusted(address, proxies):
            return str(address)
        nearest = address
    return str(nearest)


def address_group(address: str) -> str:
    """What limits count by: an IPv4 address itself, an IPv6 address's /64 (one subscriber's allocation)."""
    parsed = _address(address)
    if parsed is None or parsed.version == 4:
        return address
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_GROUP_PREFIX}", strict=False))


def trusted_proxies() -> tuple[Network, ...]:
    return _parsed(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


@lru_cache(maxsize=8)
def _parsed(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=16)
def _warn_untrusted_forwarder(peer: str) -> None:
    # Once per peer and process: a proxy left out of RENDEZ_TRUSTED_PROXIES makes every visitor one address,
    # which the sign-in limits then count as one client.
    logger.warning(
        "X-Forwarded-For from %s ignored: it is not in RENDEZ_TRUSTED_PROXIES (docs/operations.md, "
        "Sign-in limits)",
        peer,
    )
