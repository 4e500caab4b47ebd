"""The one outbound HTTP client: timeouts, a user agent, and no calls to private addresses.

Every request Rendez makes to another system (Zoom, Twilio, Telegram, customers' webhooks) goes through here:

    from rendez.lib import http

    response = http.request("POST", url, data={...}, auth=(sid, token))

A target whose host resolves to a private, loopback, link-local or otherwise non-public address is refused.
Many URLs come from tenants (webhook recipients, a channel's base URL); letting them reach the host or its
network would be a blind SSRF, so nothing private is trusted by default. Two ways exist to allow one:

- `configured_base_url=`: a call site passes the installation's own setting its URL was built from (the Zoom
  client passes ZOOM_API_BASE_URL); requests to that origin may be private, because the operator configured it
  so (the Zoom emulator on loopback). Never pass a URL that came from a tenant.
- `settings.HTTP_TRUSTED_HOSTS` (RENDEZ_HTTP_TRUSTED_HOSTS, empty by default): `host` or `host:port` entries
  every call may reach, tenants' webhooks included. Tests opt in here for their local receivers.

Every address the host resolves to is checked, for every request (redirects included) in the transport
itself, and the connection goes to the address that was checked, so a DNS answer that changes in between
(rebinding) cannot reach a private address.

A URL a tenant saves (a webhook, a channel's base URL) is checked when saved too, by `check_saved_url()`, with
the same reasons: a literal non-public address, or a name reserved for this machine or private networks
(`refusal_without_lookup()`, which the send-time check runs first as well). Saving asks no DNS server: a
slow resolver must not hang a form, and a name's answer may change before sending anyway, which is why the
send-time check resolves again.

Errors say whether trying again can help: `TransientHTTPError` (network trouble, timeouts, 408/425/429/5xx) or
`PermanentHTTPError` (other 4xx, refused addresses). Tests swap the network for an `httpx2.MockTransport` with
`use_transport()` instead of patching functions.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
from django.conf import settings
from django.utils import timezone

USER_AGENT = "Rendez/0.1"
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

Resolver = Callable[[str, int], list[str]]


class HTTPError(Exception):
    """An outbound call that did not succeed. `retryable` says whether the same request may succeed later."""

    retryable = False

    def __init__(
        self, message: str, *, response: httpx2.Response | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.response = response
        self.retry_after = retry_after

    @property
    def status_code(self) -> int | None:
        return self.response.status_code if self.response is not None else None


class TransientHTTPError(HTTPError):
    retryable = True


class PermanentHTTPError(HTTPError):
    retryable = False


class BlockedAddressError(PermanentHTTPError):
    """The target is on a private network and not a trusted host."""


# --- address guard ------------------------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order of preference (IPv4 first where IPv6 has
    no route)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientHTTPError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# IPv6 ranges Python's `is_global` still counts as global: IPv4-compatible (deprecated, ::a.b.c.d), site-local
# (deprecated) and the local-use NAT64 prefix (RFC 8215).
_NON_PUBLIC_IPV6 = tuple(ipaddress.ip_network(net) for net in ("::/96", "fec0::/10", "64:ff9b:1::/48"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded  # what the packet reaches in the end is the IPv4 address
        elif any(ip in network for network in _NON_PUBLIC_IPV6):
            return False
    return ip.is_global and not ip.is_multicast


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped (::ffff:a.b.c.d), 6to4 (2002::/16) or NAT64
    (64:ff9b::/96). `64:ff9b::7f00:1` reaches 127.0.0.1 through a NAT64 gateway."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_trusted_host(host: str, port: int) -> bool:
    """Whether `settings.HTTP_TRUSTED_HOSTS` lists `host` (any port) or `host:port`."""
    host = host.lower().strip("[]")
    for entry in getattr(settings, "HTTP_TRUSTED_HOSTS", []):
        try:
            name, entry_port = host_and_port(entry.strip().lower())
        except ValueError:  # a port that is no number trusts nothing
            continue
        if name == host and entry_port in (None, port):
            return True
    return False


def host_and_port(entry: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, as (host, port or None)."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        return name, int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        return name, int(port)
    return entry, None


def is_configured_origin(url: httpx2.URL, configured_base_url: str | None) -> bool:
    """Whether `url` has the origin (scheme, host, port) of the installation's configured base URL."""
    if not configured_base_url:
        return False
    base = httpx2.URL(configured_base_url)
    return (url.scheme, url.host.lower(), _port(url)) == (base.scheme, base.host.lower(), _port(base))


def _port(url: httpx2.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


# Names that never lead to the public internet, refused without asking DNS: `localhost` and `*.localhost`
# (RFC 6761: this machine), `*.local` (RFC 6762: multicast DNS on the local link), `*.home.arpa` (RFC 8375:
# home networks) and `*.internal` (ICANN, 2024: private networks; cloud metadata answers at
# metadata.google.internal).
RESERVED_NAME_SUFFIXES = ("localhost", "local", "home.arpa", "internal")


def check_target(
    url: httpx2.URL, resolver: Resolver = resolve, configured_base_url: str | None = None
) -> str | None:
    """Raise `BlockedAddressError` unless `url` may be called: a trusted host, the origin of the
    installation's `configured_base_url`, or a host with only public addresses. Returns the checked address
    to connect to (None for a trusted host or the configured origin, connected to by name)."""
    host = _checked_host(url)
    port = _port(url)
    if is_trusted_host(host, port) or is_configured_origin(url, configured_base_url):
        return None
    if reason := refusal_without_lookup(host, port):
        raise BlockedAddressError(reason)
    addresses = resolver(host, port)
    for address in addresses:
        if not is_public_address(address):
            raise BlockedAddressError(_refusal(host, address))
    if not addresses:
        raise BlockedAddressError(f"refusing {host}: it resolves to no address")
    return addresses[0]


def check_saved_url(url: str) -> None:
    """Raise `BlockedAddressError` for a URL a tenant is saving that the send-time check would refuse
    whatever DNS says: not http(s), no host, a literal non-public address or a reserved name (unless
    `HTTP_TRUSTED_HOSTS` lists it), with the reason sending would give. Names are not resolved here (module
    docstring); the send-time check still resolves them."""
    try:
        parsed = httpx2.URL(url)
    except httpx2.InvalidURL as exc:
        raise BlockedAddressError(f"refusing {url!r}: {exc}") from exc
    host = _checked_host(parsed)
    port = _port(parsed)
    if is_trusted_host(host, port):
        return
    if reason := refusal_without_lookup(host, port):
        raise BlockedAddressError(reason)


def refusal_without_lookup(host: str, port: int) -> str | None:
    """Why `host` is refused whatever DNS answers, or None: a non-public address written as one (in any
    form the resolver reads as a number, `127.1` and `2130706433` included), or a reserved name."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        infos = []  # a name, not a number: no lookup here
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            return _refusal(host, address)
    name = host.lower().rstrip(".")
    if any(name == suffix or name.endswith("." + suffix) for suffix in RESERVED_NAME_SUFFIXES):
        return (
            f"refusing {host}: the name is reserved for this machine or private networks; "
            "only public addresses may be called"
        )
    return None


def _checked_host(url: httpx2.URL) -> str:
    if url.scheme not in ("http", "https"):
        raise BlockedAddressError(f"refusing {url.scheme!r} URL: only http and https are allowed")
    if not url.host:
        raise BlockedAddressError("refusing a URL without a host")
    return url.host


def _refusal(host: str, address: str) -> str:
    if host.strip("[]") == address:
        return f"refusing the non-public address {address}: only public addresses may be called"
    return (
        f"refusing {host}: it resolves to the non-public address {address}; "
        "only public addresses may be called"
    )


class GuardedTransport(httpx2.BaseTransport):
    """Checks each request's target before handing it to the real transport."""

    def __init__(
        self,
        inner: httpx2.BaseTransport,
        resolver: Resolver = resolve,
        configured_base_url: str | None = None,
    ) -> None:
        self.inner = inner
        self.resolver = resolver
        self.configured_base_url = configured_base_url

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        address = check_target(request.url, self.resolver, self.configured_base_url)
        if address is not None:
            # Connect to the address that was checked: resolving the name again would let a DNS answer that
            # changed in between (rebinding) reach a private address. Host header and TLS keep the name.
            request.extensions["sni_hostname"] = request.url.host
            request.url = request.url.copy_with(host=address.split("%", 1)[0])
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


# --- client -------------------------------------------------------------------------------------------------

_transport_override: httpx2.BaseTransport | None = None


@contextmanager
def use_transport(transport: httpx2.BaseTransport, *, check_addresses: bool = False) -> Iterator[None]:
    """Route every client made inside the block through `transport` (an `httpx2.MockTransport` in tests).

    The address guard is off by default here: a mock has no network, and its hosts need not resolve. Pass
    `check_addresses=True` to test the guard itself.
    """
    global _transport_override
    previous = _transport_override
    _transport_override = GuardedTransport(transport) if check_addresses else transport
    try:
        yield
    finally:
        _transport_override = previous


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the trust store takes ~20 ms; every request building its own made that the cost of a message.
    return httpx2.create_ssl_context()


def timeout() -> httpx2.Timeout:
    return httpx2.Timeout(float(getattr(settings, "HTTP_TIMEOUT_SECONDS", 10.0)))


def client(*, configured_base_url: str | None = None, **kwargs: Any) -> httpx2.Client:
    """A configured client; use it as a context manager. Keyword arguments go to `httpx2.Client`.

    `configured_base_url`: the installation's setting the requests' URLs are built from; its origin may be on
    a private network (module docstring). Never a URL that came from a tenant."""
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    transport = _transport_override or GuardedTransport(
        httpx2.HTTPTransport(verify=_ssl_context()), configured_base_url=configured_base_url
    )
    kwargs.setdefault("timeout", timeout())
    kwargs.setdefault("follow_redirects", False)
    return httpx2.Client(headers=headers, transport=transport, **kwargs)


def request(
    method: str,
    url: str,
    *,
    raise_for_status: bool = True,
    configured_base_url: str | None = None,
    **kwargs: Any,
) -> httpx2.Response:
    """Send one request. Network failures become `TransientHTTPError`; with `raise_for_status` (the default)
    so do retryable statuses, and other 4xx/5xx become `PermanentHTTPError`. `configured_base_url` as in
    `client()`."""
    try:
        with client(configured_base_url=configured_base_url) as http_client:
            response = http_client.request(method, url, **kwargs)
            response.read()
    except HTTPError:
        raise
    except httpx2.TransportError as exc:
        raise TransientHTTPError(f"{method} {_safe_url(url)} failed: {exc!r}") from exc
    if raise_for_status:
        check_status(response)
    return response


def check_status(response: httpx2.Response) -> None:
    """Raise the matching error for an unsuccessful response; do nothing for 1xx-3xx."""
    error = error_for_response(response)
    if error is not None:
        raise error


def error_for_response(response: httpx2.Response) -> HTTPError | None:
    """Classify a response: None when it succeeded, else a transient or permanent error carrying it."""
    status = response.status_code
    if status < 400:
        return None
    message = f"{response.request.method} {_safe_url(str(response.request.url))} answered {status}"
    if status in RETRYABLE_STATUSES or status >= 500:
        return TransientHTTPError(message, response=response, retry_after=retry_after_seconds(response))
    return PermanentHTTPError(message, response=response)


def retry_after_seconds(response: httpx2.Response) -> float | None:
    """The Retry-After header as seconds (it may be a number or an HTTP date), or None."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def _safe_url(url: str) -> str:
    # Paths can hold secrets (Telegram puts the bot token in the path): log scheme and host only.
    parsed = httpx2.URL(url)
    return f"{parsed.scheme}://{parsed.host}{':' + str(parsed.port) if parsed.port else ''}/..."
