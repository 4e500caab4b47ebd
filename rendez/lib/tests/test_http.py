"""rendez.lib.http: the one outbound client (timeouts, user agent, address guard, error classification)."""

from __future__ import annotations

import httpx2
import pytest

from rendez.lib import http


def _resolver(*addresses: str):
    return lambda host, port: list(addresses)


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


def test_trusted_hosts_may_be_private(settings):
    settings.HTTP_TRUSTED_HOSTS = ["localhost"]
    http.check_target(httpx2.URL("http://localhost:8000/"), _resolver("127.0.0.1"))
    with pytest.raises(http.BlockedAddressError):
        http.check_target(httpx2.URL("http://127.0.0.1:8000/"), _resolver("127.0.0.1"))


def test_it_connects_to_the_address_it_checked_keeping_the_name_for_host_and_tls(settings):
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(204)

    guarded = http.GuardedTransport(httpx2.MockTransport(answer), _resolver("93.184.215.14"))
    with httpx2.Client(transport=guarded) as client:
        client.post("https://hooks.example.com/in?x=1", json={})

    (request,) = seen
    assert str(request.url) == "https://93.184.215.14/in?x=1"
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


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
