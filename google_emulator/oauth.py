"""Google's OAuth 2.0 for web server applications, OpenID Connect userinfo, and revocation.

Documented behaviour reproduced (sources in docs/integrations/google.md): exact redirect_uri match, codes for
one use, PKCE (S256/plain), a refresh token only with access_type=offline on first consent or with
prompt=consent, access tokens for 3599 seconds, `scope` listing what was granted (granular consent lets the
user untick scopes), include_granted_scopes, refresh tokens that do not rotate, revocation of a whole grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .errors import OAuthError
from .models import AccessToken, AuthCode, Client, Grant, RefreshToken, State, User

if TYPE_CHECKING:
    from .emulator import Emulator

ACCESS_TOKEN_SECONDS = 3599
CODE_SECONDS = 600
SIGN_IN_SCOPES = ("openid", "email", "profile")
SCOPE_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}
KNOWN_SCOPES = {
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.events.owned",
    "https://www.googleapis.com/auth/calendar.events.owned.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.app.created",
}


class AuthorizeRequestError(Exception):
    """A request the authorization server cannot redirect back for: shown to the user as an error page."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


def normalise_scopes(raw: str) -> list[str]:
    scopes: list[str] = []
    for scope in raw.split():
        scope = SCOPE_ALIASES.get(scope, scope)
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def check_authorize_request(state: State, args: dict[str, str]) -> tuple[Client, list[str]]:
    """Errors Google shows on its own page (no redirect): bad client, bad redirect_uri, missing parameters."""
    client = state.clients.get(args.get("client_id", ""))
    if client is None:
        raise AuthorizeRequestError("invalid_client", "The OAuth client was not found.")
    if args.get("redirect_uri") not in client.redirect_uris:
        raise AuthorizeRequestError(
            "redirect_uri_mismatch",
            "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. "
            f"redirect_uri={args.get('redirect_uri')!s} is not registered for this client.",
        )
    for name in ("response_type", "scope"):
        if not args.get(name):
            raise AuthorizeRequestError("invalid_request", f"Required parameter is missing: {name}")
    if args["response_type"] != "code":
        raise AuthorizeRequestError(
            "unsupported_response_type", f"Invalid response_type: {args['response_type']}"
        )
    scopes = normalise_scopes(args["scope"])
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise AuthorizeRequestError("invalid_scope", f"Some requested scopes were invalid: {unknown}")
    if args.get("access_type", "online") not in ("online", "offline"):
        raise AuthorizeRequestError("invalid_request", f"Invalid access_type: {args['access_type']}")
    method = args.get("code_challenge_method")
    if args.get("code_challenge") and method not in (None, "S256", "plain"):
        raise AuthorizeRequestError("invalid_request", f"Invalid code_challenge_method: {method}")
    if method and not args.get("code_challenge"):
        raise AuthorizeRequestError("invalid_request", "code_challenge_method without code_challenge")
    return client, scopes


def _redirect(redirect_uri: str, params: dict[str, str]) -> str:
    separator = "&" if "?" in redirect_uri else "?"
    return redirect_uri + separator + urlencode(params)


def approve(emu: Emulator, args: dict[str, str], email: str, ticked: list[str]) -> str:
    """The user allowed: issue a code for the scopes they kept (sign-in scopes cannot be unticked)."""
    with emu.lock:
        state = emu.state
        client, requested = check_authorize_request(state, args)
        user = state.user_by_email(email)
        if user is None:
            raise AuthorizeRequestError("invalid_request", f"No such account: {email}")
        kept = [
            s
            for s in requested
            if s in ticked or s in SIGN_IN_SCOPES or s.endswith(("userinfo.email", "userinfo.profile"))
        ]
        grant = state.grants.setdefault((client.client_id, user.sub), Grant(client.client_id, user.sub))
        grant.scopes.update(kept)
        granted = sorted(grant.scopes) if args.get("include_granted_scopes") == "true" else kept
        offline = args.get("access_type") == "offline"
        first_consent = not grant.refresh_issued
        issue_refresh = offline and (first_consent or "consent" in args.get("prompt", "").split())
        code = AuthCode(
            code="4/0" + secrets.token_urlsafe(40),
            client_id=client.client_id,
            sub=user.sub,
            redirect_uri=args["redirect_uri"],
            scopes=granted,
            expires_at=emu.clock.now() + CODE_SECONDS,
            issue_refresh=issue_refresh,
            code_challenge=args.get("code_challenge"),
            code_challenge_method=args.get("code_challenge_method")
            or ("plain" if args.get("code_challenge") else None),
            nonce=args.get("nonce"),
        )
        state.codes[code.code] = code
    params = {"code": code.code, "scope": " ".join(granted)}
    if "state" in args:
        params = {"state": args["state"], **params}
    return _redirect(args["redirect_uri"], params)


def deny(emu: Emulator, args: dict[str, str]) -> str:
    with emu.lock:
        check_authorize_request(emu.state, args)
    params = {"error": "access_denied"}
    if "state" in args:
        params["state"] = args["state"]
    return _redirect(args["redirect_uri"], params)


def authenticate_client(state: State, params: dict[str, str], authorization: str | None) -> Client:
    client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
    if authorization and authorization.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Unauthorized", 401) from None
    client = state.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
    if not hmac.compare_digest(client.client_secret, secret):
        raise OAuthError("invalid_client", "Unauthorized", 401)
    return client


def token_grant(
    emu: Emulator, params: dict[str, str], authorization: str | None, issuer: str
) -> dict[str, Any]:
    with emu.lock:
        client = authenticate_client(emu.state, params, authorization)
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            return _exchange_code(emu, client, params, issuer)
        if grant_type == "refresh_token":
            return _refresh(emu, client, params, issuer)
        if not grant_type:
            raise OAuthError("unsupported_grant_type", "Invalid grant_type: ")
        raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")


def _require(params: dict[str, str], name: str) -> None:
    if not params.get(name):
        raise OAuthError("invalid_request", f"Missing required parameter: {name}")


def _exchange_code(emu: Emulator, client: Client, params: dict[str, str], issuer: str) -> dict[str, Any]:
    state = emu.state
    _require(params, "code")
    _require(params, "redirect_uri")
    code = state.codes.get(params.get("code", ""))
    if code is None or code.client_id != client.client_id:
        raise OAuthError("invalid_grant", "Malformed auth code.")
    if code.used or code.expires_at <= emu.clock.now():
        # A code is good for one exchange; replay or an old code: Google answers "Bad Request".
        raise OAuthError("invalid_grant", "Bad Request")
    if params.get("redirect_uri") != code.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "Bad Request")
    if code.code_challenge is not None:
        verifier = params.get("code_verifier")
        if not verifier:
            raise OAuthError("invalid_grant", "Missing code verifier.")
        if _challenge(verifier, code.code_challenge_method or "plain") != code.code_challenge:
            raise OAuthError("invalid_grant", "Invalid code verifier.")
    code.used = True
    refresh: RefreshToken | None = None
    if code.issue_refresh:
        refresh = RefreshToken("1//0" + secrets.token_urlsafe(48), client.client_id, code.sub, code.scopes)
        state.refresh_tokens[refresh.token] = refresh
        state.grants[(client.client_id, code.sub)].refresh_issued = True
    answer = _issue_access(
        emu, client, code.sub, code.scopes, refresh.token if refresh else None, issuer, code.nonce
    )
    if refresh is not None:
        answer["refresh_token"] = refresh.token
    return answer


def _challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _refresh(emu: Emulator, client: Client, params: dict[str, str], issuer: str) -> dict[str, Any]:
    _require(params, "refresh_token")
    refresh = emu.state.refresh_tokens.get(params.get("refresh_token", ""))
    if refresh is None or refresh.client_id != client.client_id or refresh.revoked:
        raise OAuthError("invalid_grant", "Token has been expired or revoked.")
    scopes = refresh.scopes
    if params.get("scope"):
        wanted = normalise_scopes(params["scope"])
        if any(scope not in refresh.scopes for scope in wanted):
            raise OAuthError("invalid_scope", "Some requested scopes were invalid.")
        scopes = wanted
    # Google keeps the refresh token (no rotation): the answer carries no new refresh_token.
    return _issue_access(emu, client, refresh.sub, scopes, refresh.token, issuer, None)


def _issue_access(
    emu: Emulator,
    client: Client,
    sub: str,
    scopes: list[str],
    refresh_token: str | None,
    issuer: str,
    nonce: str | None,
) -> dict[str, Any]:
    now = emu.clock.now()
    token = AccessToken(
        "ya29." + secrets.token_urlsafe(60),
        client.client_id,
        sub,
        scopes,
        now + ACCESS_TOKEN_SECONDS,
        refresh_token,
    )
    emu.state.access_tokens[token.token] = token
    answer: dict[str, Any] = {
        "access_token": token.token,
        "expires_in": ACCESS_TOKEN_SECONDS,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }
    if "openid" in scopes:
        answer["id_token"] = id_token(emu.state.users[sub], client, scopes, now, issuer, nonce)
    return answer


def id_token(
    user: User, client: Client, scopes: list[str], now: float, issuer: str, nonce: str | None
) -> str:
    """A JWT with Google's claims. Signed HS256 with the client secret, NOT Google's RS256 keys: Google says
    an ID token received straight from its token endpoint over HTTPS may be used without verifying the
    signature, which is what Rendez should do (or call userinfo)."""
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "azp": client.client_id,
        "aud": client.client_id,
        "sub": user.sub,
        "iat": int(now),
        "exp": int(now) + ACCESS_TOKEN_SECONDS + 1,
        "emulator_issuer": issuer,
    }
    if "https://www.googleapis.com/auth/userinfo.email" in scopes:
        claims |= {"email": user.email, "email_verified": True}
    if "https://www.googleapis.com/auth/userinfo.profile" in scopes:
        claims |= {"name": user.name, "given_name": user.given_name, "family_name": user.family_name}
    if nonce:
        claims["nonce"] = nonce

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    signing_input = part({"alg": "HS256", "kid": "google-emulator", "typ": "JWT"}) + "." + part(claims)
    signature = hmac.new(client.client_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


def revoke(emu: Emulator, token_value: str) -> None:
    """Revoke a refresh token (and its access tokens) or an access token (and its refresh token, if any)."""
    with emu.lock:
        state = emu.state
        refresh = state.refresh_tokens.get(token_value)
        access = state.access_tokens.get(token_value)
        if refresh is not None and not refresh.revoked:
            revoke_grant(state, refresh.client_id, refresh.sub)
            return
        if access is not None and not access.revoked and access.expires_at > emu.clock.now():
            if access.refresh_token:
                revoke_grant(state, access.client_id, access.sub)
            else:
                access.revoked = True
            return
    raise OAuthError("invalid_token", "Token expired or revoked")


def revoke_grant(state: State, client_id: str, sub: str) -> int:
    """The user removes the app's access: all the pair's tokens die; the next refresh gets invalid_grant."""
    count = 0
    for refresh in state.refresh_tokens.values():
        if refresh.client_id == client_id and refresh.sub == sub and not refresh.revoked:
            refresh.revoked = True
            count += 1
    for access in state.access_tokens.values():
        if access.client_id == client_id and access.sub == sub and not access.revoked:
            access.revoked = True
            count += 1
    state.grants.pop((client_id, sub), None)
    return count


def userinfo(user: User, scopes: list[str]) -> dict[str, Any]:
    """OpenID Connect userinfo: `sub` always, email/profile claims as the token's scopes allow."""
    data: dict[str, Any] = {"sub": user.sub}
    if "https://www.googleapis.com/auth/userinfo.profile" in scopes:
        data |= {"name": user.name, "given_name": user.given_name, "family_name": user.family_name}
    if "https://www.googleapis.com/auth/userinfo.email" in scopes:
        data |= {"email": user.email, "email_verified": True}
    return data
