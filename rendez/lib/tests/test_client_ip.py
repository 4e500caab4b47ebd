"""rendez.lib.client_ip: X-Forwarded-For believed only from the configured proxies, read from the right."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import RequestFactory

from rendez.lib.client_ip import address_group, client_ip, parse_networks
from rendez.lib.env import ConfigurationError

NGINX = "127.0.0.1"


def request_from(peer: str, forwarded: str | None = None):
    meta: dict[str, Any] = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/login/", **meta)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(NGINX, "203.0.113.5")) == NGINX


def test_the_header_of_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from("198.51.100.20", "203.0.113.5")) == "198.51.100.20"


def test_an_untrusted_peers_header_is_logged_once_so_the_operator_sees_a_missing_proxy(settings, caplog):
    settings.TRUSTED_PROXIES = []
    with caplog.at_level(logging.WARNING, logger="rendez.lib.client_ip"):
        client_ip(request_from("192.0.2.77", "203.0.113.5"))
        client_ip(request_from("192.0.2.77", "203.0.113.6"))
    assert [record.getMessage() for record in caplog.records] == [
        "X-Forwarded-For from 192.0.2.77 ignored: it is not in RENDEZ_TRUSTED_PROXIES (docs/operations.md, "
        "Sign-in limits)"
    ]


def test_from_a_trusted_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(NGINX, "203.0.113.5")) == "203.0.113.5"


def test_what_the_client_wrote_into_the_header_itself_is_not_believed(settings):
    """nginx's $proxy_add_x_forwarded_for appends to what the client sent: only the right end is nginx's."""
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(NGINX, "10.9.8.7, 1.2.3.4, 203.0.113.5")) == "203.0.113.5"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = [NGINX, "10.0.0.0/8"]
    assert client_ip(request_from(NGINX, "198.51.100.1, 203.0.113.5, 10.0.0.4, 10.1.2.3")) == "203.0.113.5"


def test_garbage_behind_a_trusted_proxy_leaves_the_last_address_a_proxy_vouched_for(settings):
    settings.TRUSTED_PROXIES = [NGINX, "10.0.0.0/8"]
    assert client_ip(request_from(NGINX, "not-an-ip, 10.0.0.4")) == "10.0.0.4"
    assert client_ip(request_from(NGINX, "")) == NGINX


def test_ipv4_mapped_addresses_are_written_as_ipv4(settings):
    settings.TRUSTED_PROXIES = ["::1"]
    assert client_ip(request_from("::1", "::ffff:203.0.113.5")) == "203.0.113.5"
    assert client_ip(request_from("::ffff:127.0.0.1")) == "127.0.0.1"


def test_ipv6_clients_are_counted_by_their_64(settings):
    same_subscriber = address_group("2001:db8:1:2:aaaa::1"), address_group("2001:db8:1:2:bbbb::9")
    assert same_subscriber == ("2001:db8:1:2::/64", "2001:db8:1:2::/64")
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group("203.0.113.5") == "203.0.113.5"


def test_a_wrong_entry_names_the_variable():
    with pytest.raises(ConfigurationError, match="RENDEZ_TRUSTED_PROXIES .* 'nginx.internal'"):
        parse_networks(["127.0.0.1", "nginx.internal"])
