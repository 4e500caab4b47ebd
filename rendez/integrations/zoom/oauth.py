"""Zoom's OAuth endpoints (§1, §2): the authorize URL, the token grants, and revocation.

Every call authenticates the client with HTTP Basic and sends its parameters as a form body, never in the
query string (Zoom refuses token values in URLs since 2023, §1.12).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import httpx2

from rendez.integrations.zoom import conf
from rendez.integrations.zoom.errors import OAuthGrantError, ZoomUnavailable
from rendez.integrations.zoom.responses import parse_model, tracking_id
from rendez.integrations.zoom.schemas import OAuthErrorBody, TokenGrant
from rendez.lib import http

logger = logging.getLogger("rendez.zoom")


def authorize_url(state: str, code_challenge: str) -> str:
    query = {
        "response_type": "code",
        "client_id": conf.client_credentials()[0],
        "redirect_uri": conf.redirect_uri(),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{conf.oauth_base_url()}/oauth/authorize?{urlencode(query)}"


def exchange_code(code: str, code_verifier: str) -> TokenGrant:
    return _grant(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": conf.redirect_uri(),
            "code_verifier": code_verifier,
        },
        conf.client_credentials(),
    )


def refresh(refresh_token: str) -> TokenGrant:
    grant = _grant({"grant_type": "refresh_token", "refresh_token": refresh_token}, conf.client_credentials())
    if not grant.refresh_token:
        # Without the rotated refresh token the connection would die within the hour: treat as unreadable.
        raise OAuthGrantError("invalid_response", "Zoom's refresh answer had no refresh_token", status=200)
    return grant


def account_credentials(account_id: str, client_id: str, client_secret: str) -> TokenGrant:
    return _grant({"grant_type": "account_credentials", "account_id": account_id}, (client_id, client_secret))


def revoke(token: str, credentials: tuple[str, str] | None = None) -> None:
    """Revoke `token` at Zoom. A token Zoom no longer knows counts as revoked."""
    response = _post("/oauth/revoke", {"token": token}, credentials or conf.client_credentials())
    if response.status_code < 300:
        return
    error = _oauth_error(response)
    if response.status_code in (400, 401) and error.reason.lower().startswith("invalid token"):
        return
    raise _classify(response, error)


def _grant(form: dict[str, str], credentials: tuple[str, str]) -> TokenGrant:
    response = _post("/oauth/token", form, credentials)
    if response.status_code >= 300:
        raise _classify(response, _oauth_error(response))
    return parse_model(TokenGrant, response)


def _post(path: str, form: dict[str, str], credentials: tuple[str, str]) -> httpx2.Response:
    try:
        response = http.request(
            "POST",
            f"{conf.oauth_base_url()}{path}",
            data=form,
            auth=credentials,
            headers={"Accept": "application/json"},
            raise_for_status=False,
            configured_base_url=conf.oauth_base_url(),  # may be the emulator on loopback
        )
    except http.HTTPError as exc:
        raise ZoomUnavailable(f"Zoom's OAuth service could not be reached ({exc})") from None
    logger.info(
        "zoom oauth %s %s -> %s (tracking id %s)",
        path,
        form.get("grant_type", "revoke"),
        response.status_code,
        tracking_id(response) or "-",
    )
    return response


def _oauth_error(response: httpx2.Response) -> OAuthErrorBody:
    try:
        data = json.loads(response.content[:4096])
        return OAuthErrorBody.model_validate(data) if isinstance(data, dict) else OAuthErrorBody()
    except ValueError:
        return OAuthErrorBody()


def _classify(response: httpx2.Response, error: OAuthErrorBody) -> OAuthGrantError | ZoomUnavailable:
    status = response.status_code
    if status >= 500 or status == 429 or (status in (400, 401) and not error.error):
        # A 400 without an OAuth error name is not Zoom's token endpoint speaking (a proxy, a truncated body).
        return ZoomUnavailable(f"Zoom's OAuth service answered {status}; trying again later")
    return OAuthGrantError(error.error, error.reason, status=status)
