"""The OAuth endpoints of any provider: the authorize URL, grants at the token endpoint, revocation.

Parameters always travel as a form body, never in the query string (tokens in URLs end up in logs). The
client authenticates as its provider says (`ClientAuth`). A refusal is a `GrantRefused` naming the OAuth
error; anything that may pass (network, 5xx, 429, a 4xx without an OAuth error name) is `ProviderUnavailable`.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import httpx2
from pydantic import ValidationError

from rendez.integrations.oauth.provider import (
    ClientAuth,
    ErrorBody,
    GrantRefused,
    OAuthProvider,
    ProviderUnavailable,
    TokenGrant,
    UnreadableAnswer,
)
from rendez.lib import http

# Error bodies are a few hundred bytes; more is not the token endpoint talking.
MAX_ERROR_BODY = 4096


def authorize_url(provider: OAuthProvider, state: str, code_challenge: str) -> str:
    """Where to send the browser: the authorization code flow with PKCE S256 (RFC 7636)."""
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uri,
        **({"scope": " ".join(provider.scopes)} if provider.scopes else {}),
        **provider.authorize_params,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{provider.authorize_url}?{urlencode(query)}"


def exchange_code(provider: OAuthProvider, code: str, code_verifier: str) -> TokenGrant:
    """Exchange an authorization code (at once: codes live minutes) for a grant."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri,
        "code_verifier": code_verifier,
    }
    return request_grant(provider, form)


def refresh(provider: OAuthProvider, refresh_token: str) -> TokenGrant:
    """A fresh access token. With a rotating provider the answer must carry the next refresh token."""
    grant = request_grant(provider, {"grant_type": "refresh_token", "refresh_token": refresh_token})
    if provider.rotates_refresh_token and not grant.refresh_token:
        # Without the rotated refresh token the connection would die within the hour: treat as unreadable.
        raise GrantRefused(
            "invalid_response",
            f"{provider.label}'s refresh answer had no refresh_token",
            status=200,
            label=provider.label,
        )
    return grant


def request_grant(
    provider: OAuthProvider, form: dict[str, str], credentials: tuple[str, str] | None = None
) -> TokenGrant:
    """Any grant at the token endpoint (a provider's own grant types too, e.g. Zoom's account_credentials),
    the client authenticated with `credentials` (default: the provider's app)."""
    response = _post(provider, provider.token_url, form, credentials)
    if response.status_code >= 300:
        raise _classify(provider, response, read_error(provider, response))
    return _parse_grant(provider, response)


def revoke(provider: OAuthProvider, token: str, credentials: tuple[str, str] | None = None) -> bool:
    """Revoke `token`. A token the provider no longer knows counts as revoked. False when the provider has
    no revocation endpoint (nothing was sent)."""
    if not provider.revoke_url:
        return False
    response = _post(provider, provider.revoke_url, {"token": token}, credentials)
    if response.status_code < 300:
        return True
    error = read_error(provider, response)
    if provider.already_revoked(response.status_code, error):
        return True
    raise _classify(provider, response, error)


def read_error(provider: OAuthProvider, response: httpx2.Response) -> ErrorBody:
    """`{"error": ..., <reason_field>: ...}`, or an empty body when the answer is not such JSON."""
    try:
        data = json.loads(response.content[:MAX_ERROR_BODY])
    except ValueError:
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    return ErrorBody(_text(data.get("error")), _text(data.get(provider.reason_field)))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _post(
    provider: OAuthProvider, url: str, form: dict[str, str], credentials: tuple[str, str] | None
) -> httpx2.Response:
    client_id, client_secret = credentials or provider.credentials
    auth: tuple[str, str] | None = None
    if provider.client_auth is ClientAuth.BASIC:
        auth = (client_id, client_secret)
    else:
        form = {**form, "client_id": client_id, "client_secret": client_secret}
    try:
        response = http.request(
            "POST",
            url,
            data=form,
            auth=auth,
            headers={"Accept": "application/json"},
            raise_for_status=False,
            configured_base_url=url,  # the operator's setting: may be an emulator on loopback
        )
    except http.HTTPError as exc:
        raise ProviderUnavailable(f"{provider.label}'s OAuth service could not be reached ({exc})") from None
    _log(provider, url, form, response)
    return response


def _log(provider: OAuthProvider, url: str, form: dict[str, str], response: httpx2.Response) -> None:
    request_id = response.headers.get(provider.request_id_header, "") if provider.request_id_header else ""
    logging.getLogger(f"rendez.{provider.name}").info(
        "%s oauth %s %s -> %s (request id %s)",
        provider.name,
        httpx2.URL(url).path,
        form.get("grant_type", "revoke"),
        response.status_code,
        request_id or "-",
    )


def _parse_grant(provider: OAuthProvider, response: httpx2.Response) -> TokenGrant:
    model = provider.grant_model
    try:
        return model.model_validate(json.loads(response.content))
    except (ValueError, ValidationError) as exc:
        raise UnreadableAnswer(
            f"{provider.label} answered {response.status_code} with a body that is not the expected "
            f"{model.__name__} ({_describe(exc)})",
            status=response.status_code,
        ) from None


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', 'invalid')}"
    return "not JSON"


def _classify(
    provider: OAuthProvider, response: httpx2.Response, error: ErrorBody
) -> GrantRefused | ProviderUnavailable:
    status = response.status_code
    if status >= 500 or status == 429 or (status in (400, 401) and not error.error):
        # A 400 without an OAuth error name is not the token endpoint speaking (a proxy, a truncated body).
        return ProviderUnavailable(f"{provider.label}'s OAuth service answered {status}; trying again later")
    return GrantRefused(error.error, error.reason, status=status, label=provider.label)
