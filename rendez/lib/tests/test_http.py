"""rendez.lib.http: the one outbound client (timeouts, user agent, address guard, error classification)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator_kit.serving import QuietRequestHandler
from rendez.lib import http


def _resolver(*addresses: str):
    return lambda host, port: list(addresses)


@dataclass
class LocalServer:
    """A real HTTP server on loopback and the paths it was asked for."""

    url: str
    port: int
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    served = LocalServer(url="", port=0)

    def app(environ, start_response):
        served.paths.append(Request(environ).path)
        return Response("hello", 200)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    served.port = server.server_port
    served.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fc00::1",
        "100.64.0.1",
        "0.0.0.0",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "fec0::1",  # site-local
        "64:ff9b:1::a00:1",  # local-use NAT64
    ],
)
def test_it_refuses_non_public_addresses(settings, address):
    settings.HTTP_TRUSTED_HOSTS = []
    with pytest.raises(http.BlockedAddressError):
        http.check_target(httpx2.URL("https://hooks.example.com/x"), _resolver(address))


def test_it_checks_every_address_a_host_resolves_to(settings):
    settings.HTTP_TRUSTED_HOSTS = []
    with pytest.raises(http.BlockedAddressError):
        http.check_target(httpx2.URL("https://hooks.example.com/"), _resolver("93.184.215.14", "10.0.0.7"))
    http.check_target(
        httpx2.URL("https://hooks.example.com/"), _resolver("93.184.215.14", "2606:2800:21f::1")
    )


def test_public_addresses_in_ipv6_clothing_are_public():
    assert http.is_public_address("2002:5db8:d70e::")  # 6to4 of 93.184.215.14
    assert http.is_public_address("64:ff9b::5db8:d70e")  # NAT64 of 93.184.215.14


def test_trusted_hosts_may_be_private(settings):
    settings.HTTP_TRUSTED_HOSTS = ["localhost"]
    http.check_target(httpx2.URL("http://localhost:8000/"), _resolver("127.0.0.1"))
    with pytest.raises(http.BlockedAddressError):
        http.check_target(httpx2.URL("http://127.0.0.1:8000/"), _resolver("127.0.0.1"))


@pytest.mark.parametrize(
    ("entry", "url", "trusted"),
    [
        ("127.0.0.1:8025", "http://127.0.0.1:8025/", True),
        ("127.0.0.1:8025", "http://127.0.0.1:8026/", False),
        ("LocalHost", "https://localhost/", True),
        ("[::1]:8080", "http://[::1]:8080/", True),
        ("[::1]:8080", "http://[::1]:80/", False),
        ("::1", "http://[::1]:9000/", True),
        ("sms-gateway.internal:80", "http://sms-gateway.internal/", True),
        ("sms-gateway.internal:http", "http://sms-gateway.internal/", False),
    ],
)
def test_a_trusted_entry_names_a_host_or_one_of_its_ports(settings, entry, url, trusted):
    settings.HTTP_TRUSTED_HOSTS = [entry]
    parsed = httpx2.URL(url)
    assert (
        http.is_trusted_host(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)) is trusted
    )


# --- against a real server on loopback ----------------------------------------------------------------------


def test_nothing_private_is_trusted_by_default(local_server):
    with pytest.raises(http.BlockedAddressError) as refused:
        http.request("POST", f"{local_server.url}/hook", json={})
    assert str(refused.value) == (
        "refusing the non-public address 127.0.0.1: only public addresses may be called"
    )
    assert local_server.paths == []


def test_localhost_is_refused_by_its_name(local_server):
    with pytest.raises(http.BlockedAddressError) as refused:
        http.request("POST", f"http://localhost:{local_server.port}/hook", json={})
    assert str(refused.value) == (
        "refusing localhost: the name is reserved for this machine or private networks; "
        "only public addresses may be called"
    )
    assert local_server.paths == []


def test_a_name_that_resolves_to_loopback_is_refused(local_server):
    """A name no rule knows is resolved, and refused for the address it resolves to."""
    transport = http.GuardedTransport(httpx2.HTTPTransport(), resolver=_resolver("127.0.0.1"))
    with httpx2.Client(transport=transport) as client, pytest.raises(http.BlockedAddressError) as refused:
        client.post(f"http://hooks.example.com:{local_server.port}/hook", json={})
    assert str(refused.value) == (
        "refusing hooks.example.com: it resolves to the non-public address 127.0.0.1; "
        "only public addresses may be called"
    )
    assert local_server.paths == []


def test_a_trusted_host_and_port_is_reached_and_no_other_port(settings, local_server):
    settings.HTTP_TRUSTED_HOSTS = [f"127.0.0.1:{local_server.port}"]
    assert http.request("GET", f"{local_server.url}/ok").text == "hello"
    with pytest.raises(http.BlockedAddressError):
        http.request("GET", f"http://127.0.0.1:{local_server.port + 1}/")
    assert local_server.paths == ["/ok"]


def test_only_the_origin_of_the_configured_base_url_may_be_local(local_server):
    """What the Zoom client does with ZOOM_API_BASE_URL pointing at the emulator on loopback."""
    base = f"{local_server.url}/v2"
    assert http.request("GET", f"{base}/users/me", configured_base_url=base).status_code == 200
    for elsewhere in (
        f"http://127.0.0.1:{local_server.port + 1}/v2",
        f"https://127.0.0.1:{local_server.port}",
    ):
        with pytest.raises(http.BlockedAddressError):
            http.request("GET", f"{base}/users/me", configured_base_url=elsewhere)
    assert local_server.paths == ["/v2/users/me"]


def test_it_connects_to_the_address_it_checked_keeping_the_name_for_host_and_tls(settings):
    """A rebinding DNS server answers a public address to the check and a private one to the connection;
    resolving once and connecting to that address leaves it no second question to answer."""
    seen: list[httpx2.Request] = []
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204)

    guarded = http.GuardedTransport(httpx2.MockTransport(answer), lambda host, port: next(answers))
    with httpx2.Client(transport=guarded) as client:
        client.post("https://hooks.example.com/in?x=1", json={})

    (request,) = seen
    assert str(request.url) == "https://93.184.215.14/in?x=1"
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


def test_a_redirect_to_a_private_address_is_refused():
    def redirect(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14"] if host == "hooks.example.com" else [host]

    guarded = http.GuardedTransport(httpx2.MockTransport(redirect), resolver)
    client = httpx2.Client(transport=guarded, follow_redirects=True)
    with client, pytest.raises(http.BlockedAddressError, match="169.254.169.254"):
        client.get("https://hooks.example.com/")


def test_only_http_and_https(settings):
    with pytest.raises(http.BlockedAddressError):
        http.check_target(httpx2.URL("file:///etc/passwd"))


def test_the_guard_is_applied_by_the_client(settings):
    settings.HTTP_TRUSTED_HOSTS = []
    with pytest.raises(http.BlockedAddressError):
        http.request("GET", "http://127.0.0.1:9/")
    assert not http.BlockedAddressError("x").retryable


def test_requests_carry_the_user_agent_and_timeout(settings):
    settings.HTTP_TIMEOUT_SECONDS = 3.5
    seen = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"ok": True})

    with http.use_transport(httpx2.MockTransport(handler)):
        response = http.request("POST", "https://api.example.com/v1", json={"a": 1})
    assert response.json() == {"ok": True}
    assert seen[0].headers["User-Agent"] == "Rendez/0.1"
    assert seen[0].extensions["timeout"]["connect"] == 3.5


@pytest.mark.parametrize(
    ("status", "error", "retry_after"),
    [
        (429, http.TransientHTTPError, 12.0),
        (503, http.TransientHTTPError, 12.0),
        (500, http.TransientHTTPError, 12.0),
        (400, http.PermanentHTTPError, None),
        (401, http.PermanentHTTPError, None),
        (404, http.PermanentHTTPError, None),
    ],
)
def test_errors_say_whether_retrying_helps(status, error, retry_after):
    transport = httpx2.MockTransport(lambda request: httpx2.Response(status, headers={"Retry-After": "12"}))
    with http.use_transport(transport), pytest.raises(http.HTTPError) as caught:
        http.request("GET", "https://api.example.com/bot-secret-token/x")
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.retry_after == retry_after
    assert "bot-secret-token" not in str(caught.value)


def test_network_failures_are_transient():
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    with http.use_transport(httpx2.MockTransport(refuse)), pytest.raises(http.TransientHTTPError):
        http.request("GET", "https://api.example.com/")


def test_raise_for_status_can_be_turned_off():
    with http.use_transport(httpx2.MockTransport(lambda request: httpx2.Response(404))):
        assert http.request("GET", "https://api.example.com/", raise_for_status=False).status_code == 404


def test_retry_after_may_be_an_http_date():
    response = httpx2.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert http.retry_after_seconds(response) == 0.0
