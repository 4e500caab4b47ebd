"""OAuth as Zoom does it: codes, PKCE, rotating refresh tokens, account credentials, revocation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .clock import iso_z
from .errors import OAuthError
from .models import AuthCode, OAuthApp, S2SApp, Token, User

if TYPE_CHECKING:
    from .emulator import Emulator

INVALID_TOKEN = OAuthError("invalid_grant", "Invalid Token!")


class AuthorizeRequestError(Exception):
    """The authorize request is unusable; shown on a page instead of redirecting to an unverified URI."""


def check_authorize_request(emu: Emulator, args: dict[str, str]) -> OAuthApp:
    app = emu.state.oauth_apps.get(args.get("client_id", ""))
    if app is None:
        raise AuthorizeRequestError("Invalid client_id.")
    if args.get("redirect_uri", "") not in app.redirect_uris:
        # Zoom compares the redirect URI exactly with the ones registered on the app (4709).
        raise AuthorizeRequestError("Redirect URI mismatch.")
    if args.get("response_type") != "code":
        raise AuthorizeRequestError("Unsupported response_type; only 'code' is supported.")
    method = args.get("code_challenge_method") or "plain"
    if method not in ("plain", "S256"):
        raise AuthorizeRequestError("Invalid code_challenge_method.")
    return app


def approve(emu: Emulator, args: dict[str, str], user_id: str) -> str:
    """Issue a single-use code for `user_id` and return the redirect back to the app."""
    check_authorize_request(emu, args)
    if user_id not in emu.state.users:
        raise AuthorizeRequestError("Pick a user to sign in as.")
    code = AuthCode(
        code=secrets.token_urlsafe(24),
        client_id=args["client_id"],
        user_id=user_id,
        redirect_uri=args["redirect_uri"],
        code_challenge=args.get("code_challenge") or None,
        code_challenge_method=args.get("code_challenge_method") or "plain",
        expires_at=emu.clock.now() + emu.config.code_ttl,
    )
    with emu.mutation() as state:
        state.codes[code.code] = code
    return _redirect(args, {"code": code.code})


def deny(emu: Emulator, args: dict[str, str]) -> str:
    check_authorize_request(emu, args)
    return _redirect(args, {"error": "access_denied"})


def _redirect(args: dict[str, str], params: dict[str, str]) -> str:
    if args.get("state") is not None:
        params["state"] = args["state"]
    separator = "&" if "?" in args["redirect_uri"] else "?"
    return args["redirect_uri"] + separator + urlencode(params)


def authenticate_client(emu: Emulator, authorization: str | None) -> OAuthApp | S2SApp:
    """Basic client authentication, the only kind Zoom accepts at /oauth/token and /oauth/revoke."""
    bad = OAuthError("invalid_client", "Invalid client_id or client_secret")
    if not authorization or not authorization.lower().startswith("basic "):
        raise bad
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise bad from None
    client_id, _, secret = decoded.partition(":")
    app: OAuthApp | S2SApp | None = emu.state.oauth_apps.get(client_id) or emu.state.s2s_apps.get(client_id)
    if app is None or not hmac.compare_digest(app.client_secret, secret):
        raise bad
    return app


def token_grant(
    emu: Emulator, app: OAuthApp | S2SApp, params: dict[str, str], base_url: str
) -> dict[str, Any]:
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "Missing grant type")
    if grant_type == "authorization_code" and isinstance(app, OAuthApp):
        return exchange_code(emu, app, params, base_url)
    if grant_type == "refresh_token" and isinstance(app, OAuthApp):
        return refresh(emu, app, params, base_url)
    if grant_type == "account_credentials" and isinstance(app, S2SApp):
        return account_credentials(emu, app, params, base_url)
    raise OAuthError("unsupported_grant_type", "unsupported grant type")


def exchange_code(emu: Emulator, app: OAuthApp, params: dict[str, str], base_url: str) -> dict[str, Any]:
    with emu.mutation() as state:
        code = state.codes.get(params.get("code", ""))
        if code is None or code.client_id != app.client_id or code.used:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        # A code is burnt by the first attempt to use it, even a failed one.
        code.used = True
        if code.expires_at <= emu.clock.now():
            raise OAuthError("invalid_grant", "Code is expired")
        if params.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant", "Redirect URI mismatch.")
        if not pkce_matches(code, params.get("code_verifier")):
            raise OAuthError("invalid_grant", "Invalid code_verifier.")
        user = state.users[code.user_id]
        _revoke_grant_tokens(emu, app.client_id, user.id)
        state.grants.add((app.client_id, user.id))
        return _issue_pair(emu, app, user, granted_scopes(app, user), base_url)


def pkce_matches(code: AuthCode, verifier: str | None) -> bool:
    if code.code_challenge is None:
        return True
    if not verifier:
        return False
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        return hmac.compare_digest(computed, code.code_challenge)
    return hmac.compare_digest(verifier, code.code_challenge)


def refresh(emu: Emulator, app: OAuthApp, params: dict[str, str], base_url: str) -> dict[str, Any]:
    now = emu.clock.now()
    with emu.mutation() as state:
        old = state.tokens.get(params.get("refresh_token", ""))
        if old is None or old.kind != "refresh" or old.client_id != app.client_id or old.revoked:
            raise INVALID_TOKEN
        if old.expires_at <= now or old.user_id is None:
            raise INVALID_TOKEN
        # Rotation: the presented refresh token dies now, and so does the access token issued with it.
        _revoke_grant_tokens(emu, app.client_id, old.user_id)
        user = state.users[old.user_id]
        return _issue_pair(emu, app, user, old.scopes, base_url)


def account_credentials(emu: Emulator, app: S2SApp, params: dict[str, str], base_url: str) -> dict[str, Any]:
    if params.get("account_id") != app.account_id:
        raise OAuthError("invalid_request", "Invalid account_id")
    access = _new_token(emu, "access", app.client_id, app.account_id, None, list(app.scopes))
    return {
        "access_token": access.value,
        "token_type": "bearer",
        "expires_in": int(emu.config.access_token_ttl),
        "scope": " ".join(app.scopes),
        "api_url": base_url,
    }


def revoke(emu: Emulator, app: OAuthApp | S2SApp, value: str) -> dict[str, str]:
    with emu.lock:
        token = emu.state.tokens.get(value)
        if token is None or token.client_id != app.client_id or token.revoked:
            raise OAuthError("invalid_request", "Invalid Token!")
        if token.user_id is None:
            with emu.mutation():
                token.revoked = True
            return {"status": "success"}
    deauthorize(emu, app.client_id, token.user_id)
    return {"status": "success"}


def deauthorize(emu: Emulator, client_id: str, user_id: str) -> None:
    """The user removed the app: all its tokens die and Zoom tells the app with `app_deauthorized`."""
    with emu.mutation() as state:
        if (client_id, user_id) not in state.grants:
            raise ValueError(f"user {user_id} has not installed {client_id}")
        user = state.users[user_id]
        app = state.oauth_apps[client_id]
        _revoke_grant_tokens(emu, client_id, user_id)
        state.grants.discard((client_id, user_id))
    if app.event_url:
        event_ts = int(emu.clock.now() * 1000)
        # Zoom's schema puts `event_ts` inside `payload` (zoom-api.md 6.7, typed number); every event
        # envelope also has one at the top level.
        body = {
            "event": "app_deauthorized",
            "event_ts": event_ts,
            "payload": {
                "account_id": user.account_id,
                "user_id": user.id,
                "signature": secrets.token_hex(32),
                "deauthorization_time": iso_z(emu.clock.now()),
                "client_id": client_id,
                "event_ts": event_ts,
            },
        }
        emu.webhooks.send(app.event_url, app.webhook_secret, client_id, body)


def granted_scopes(app: OAuthApp, user: User) -> list[str]:
    """Account-level (`:admin`) scopes only reach tokens of users who administer their account."""
    if user.is_admin:
        return list(app.scopes)
    return [scope for scope in app.scopes if not scope.endswith(":admin")]


def installed_apps(emu: Emulator, user_id: str) -> list[OAuthApp]:
    with emu.lock:
        return [app for app in emu.state.oauth_apps.values() if (app.client_id, user_id) in emu.state.grants]


def _revoke_grant_tokens(emu: Emulator, client_id: str, user_id: str) -> None:
    for token in emu.state.tokens.values():
        if token.client_id == client_id and token.user_id == user_id:
            token.revoked = True


def _issue_pair(emu: Emulator, app: OAuthApp, user: User, scopes: list[str], base_url: str) -> dict[str, Any]:
    access = _new_token(emu, "access", app.client_id, user.account_id, user.id, scopes)
    refresh_token = _new_token(emu, "refresh", app.client_id, user.account_id, user.id, scopes)
    return {
        "access_token": access.value,
        "token_type": "bearer",
        "refresh_token": refresh_token.value,
        # Zoom reports one second less than the hour (observed by cal.com).
        "expires_in": int(emu.config.access_token_ttl) - 1,
        "scope": " ".join(scopes),
        "api_url": base_url,
    }


def _new_token(
    emu: Emulator, kind: str, client_id: str, account_id: str, user_id: str | None, scopes: list[str]
) -> Token:
    ttl = emu.config.access_token_ttl if kind == "access" else emu.config.refresh_token_ttl
    token = Token(
        value=secrets.token_urlsafe(48),
        kind=kind,
        client_id=client_id,
        account_id=account_id,
        user_id=user_id,
        scopes=scopes,
        expires_at=emu.clock.now() + ttl,
    )
    with emu.mutation() as state:
        state.tokens[token.value] = token
    return token
