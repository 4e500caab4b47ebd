"""The Microsoft identity platform's v2.0 authorization code flow: authorize + consent page, and /token."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from .clock import iso_z
from .errors import IdentityError, json_response
from .state import CONSUMER_TENANT_ID, AuthCode, Token, User

if TYPE_CHECKING:
    from .app import EmulatorApp

GRAPH = "https://graph.microsoft.com/"
OIDC_SCOPES = {"openid", "email", "profile", "offline_access"}
GRAPH_SCOPES = {"User.Read", "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared",
                "Calendars.ReadWrite.Shared", "OnlineMeetings.ReadWrite", "MailboxSettings.Read"}  # fmt: skip
PROMPTS = {"login", "none", "consent", "select_account"}


def normalise_scopes(raw: str) -> list[str]:
    """`https://graph.microsoft.com/Calendars.ReadWrite` and `Calendars.ReadWrite` are the same."""
    scopes: list[str] = []
    for scope in raw.split():
        name = scope[len(GRAPH) :] if scope.startswith(GRAPH) else scope
        if name == ".default":
            name = "User.Read"
        if name not in scopes:
            scopes.append(name)
    return scopes


def tenant_allows(tenant: str, user: User) -> bool:
    if tenant == "common":
        return True
    if tenant == "organizations":
        return user.account_type == "work"
    if tenant == "consumers":
        return user.account_type == "personal"
    return tenant.lower() == user.tenant_id.lower()


# --- /authorize -------------------------------------------------------------------------------------------


def authorize(app: EmulatorApp, request: Request, tenant: str) -> Response:
    params = request.args
    state = app.emu.state
    client = state.apps.get(params.get("client_id", ""))
    if client is None:
        return _error_page(
            app,
            400,
            700016,
            f"Application with identifier '{params.get('client_id', '')}' was not found in "
            "the directory. This can happen if the application has not been installed by the administrator "
            "of "
            "the tenant or consented to by any user in the tenant.",
        )
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        # Never redirect to an unregistered address: the error is shown on Microsoft's own page.
        return _error_page(
            app,
            400,
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the "
            f"redirect URIs configured for the application '{client.client_id}'.",
        )
    problem = _authorize_problem(params, tenant)
    if problem is not None:
        error, code, description = problem
        return _redirect_error(redirect_uri, params.get("state"), error, code, description)
    if params.get("prompt") == "none":
        # The emulator keeps no browser session, so a silent request can never be answered silently.
        return _redirect_error(
            redirect_uri,
            params.get("state"),
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        )
    if request.method == "POST" and "decision" in request.form:
        return _decide(app, request, tenant, client.client_id, redirect_uri)
    return _consent_page(app, request, tenant, client.name)


def _authorize_problem(params: MultiDict[str, str], tenant: str) -> tuple[str, int, str] | None:
    if params.get("response_type") != "code":
        return (
            "unsupported_response_type",
            70005,
            "The provided value for the input parameter 'response_type' is not allowed for this request.",
        )
    scope = params.get("scope", "")
    if not scope.strip():
        return ("invalid_request", 900144, "The request body must contain the following parameter: 'scope'.")
    unknown = [s for s in normalise_scopes(scope) if s not in OIDC_SCOPES | GRAPH_SCOPES]
    if unknown:
        return (
            "invalid_scope",
            70011,
            f"The provided value for the input parameter 'scope' is not valid. "
            f"The scope '{' '.join(unknown)}' does not exist.",
        )
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if method and method not in ("S256", "plain"):
        return (
            "invalid_request",
            50125,
            "Invalid code_challenge_method. Supported values are S256 and plain.",
        )
    if method and not challenge:
        return ("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
    if challenge and not 43 <= len(challenge) <= 128:
        return ("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
    if params.get("response_mode", "query") not in ("query", "fragment", "form_post"):
        return (
            "invalid_request",
            900144,
            "The provided value for the input parameter 'response_mode' is not "
            "valid. Supported values are query, fragment and form_post.",
        )
    prompt = params.get("prompt")
    if prompt and prompt not in PROMPTS:
        return ("invalid_request", 90023, f"Invalid prompt value '{prompt}'.")
    if tenant not in ("common", "organizations", "consumers") and len(tenant) != 36:
        return ("invalid_request", 90002, f"Tenant '{tenant}' not found.")
    return None


def _redirect_error(
    uri: str, state: str | None, error: str, code: int, description: str, mode: str = "query"
) -> Response:
    query = {"error": error, "error_description": f"AADSTS{code}: {description}"}
    if state is not None:
        query["state"] = state
    return _redirect(uri, query, mode)


def _redirect(uri: str, query: dict[str, str], mode: str = "query") -> Response:
    """Back to the app as `response_mode` asks: query string (default), fragment, or an auto-posted form."""
    if mode == "form_post":
        fields = "".join(
            f"<input type='hidden' name='{escape(key)}' value='{escape(value)}'>"
            for key, value in query.items()
        )
        html = (
            "<!doctype html><html><body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{escape(uri)}'>{fields}"
            "<noscript><button>Continue</button></noscript></form></body></html>"
        )
        return Response(html, 200, content_type="text/html; charset=utf-8")
    if mode == "fragment":
        return Response("", 302, {"Location": f"{uri}#{urlencode(query)}"})
    separator = "&" if "?" in uri else "?"
    return Response("", 302, {"Location": uri + separator + urlencode(query)})


def _decide(app: EmulatorApp, request: Request, tenant: str, client_id: str, redirect_uri: str) -> Response:
    params = request.args
    state_param = params.get("state")
    mode = params.get("response_mode", "query")
    if request.form.get("decision") != "allow":
        return _redirect_error(
            redirect_uri,
            state_param,
            "access_denied",
            65004,
            "User declined to consent to access the app.",
            mode,
        )
    emu = app.emu
    user = emu.state.users.get(request.form.get("user_id", ""))
    if user is None or not tenant_allows(tenant, user):
        return _consent_page(
            app, request, tenant, emu.state.apps[client_id].name, "Pick one of the accounts."
        )
    scopes = normalise_scopes(params.get("scope", ""))
    code = secrets.token_urlsafe(48)
    with emu.lock:
        emu.state.codes[code] = AuthCode(
            code=code,
            client_id=client_id,
            user_id=user.id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method")
            or ("plain" if params.get("code_challenge") else None),
            expires_at=emu.clock.now() + emu.config.code_ttl,
        )
        emu.state.grants.setdefault((client_id, user.id), 0)
    query = {"code": code}
    if state_param is not None:
        query["state"] = state_param
    query["session_state"] = secrets.token_hex(16)
    return _redirect(redirect_uri, query, mode)


def _consent_page(
    app: EmulatorApp, request: Request, tenant: str, app_name: str, error: str = ""
) -> Response:
    users = [user for user in app.emu.state.users.values() if tenant_allows(tenant, user)]
    scopes = normalise_scopes(request.args.get("scope", ""))
    choices = "".join(
        f"<label class='user'><input type='radio' name='user_id' value='{escape(user.id)}'"
        f" data-testid='account-{escape(user.user_principal_name)}'{' checked' if index == 0 else ''}> "
        f"<b>{escape(user.display_name)}</b> {escape(user.user_principal_name)} "
        f"<span class='muted'>({_account_kind(user)})"
        "</span></label>"
        for index, user in enumerate(users)
    )
    permissions = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    # The script root keeps the form working when the emulator is mounted under a prefix (e.g. /_microsoft).
    action = escape(request.script_root + request.full_path)
    body = (
        (f"<p class='error'>{escape(error)}</p>" if error else "")
        + f"<p><b>{escape(app_name)}</b> wants to:</p><ul>{permissions}</ul>"
        f"<form method='post' action='{action}'>{choices}"
        "<button type='submit' name='decision' value='allow' data-testid='accept'>Accept</button> "
        "<button type='submit' name='decision' value='deny' class='secondary' data-testid='cancel'>Cancel"
        "</button></form>"
    )
    return Response(_page("Permissions requested", body), 200, content_type="text/html; charset=utf-8")


def _account_kind(user: User) -> str:
    return "work or school account" if user.account_type == "work" else "personal account"


def _error_page(app: EmulatorApp, status: int, code: int, message: str) -> Response:
    body = f"<p class='error' data-testid='aadsts'>AADSTS{code}: {escape(message)}</p>"
    return Response(_page("Sign in", body), status, content_type="text/html; charset=utf-8")


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} · Microsoft emulator</title><style>"
        "body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}"
        "main{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;"
        "box-shadow:0 2px 6px rgba(0,0,0,.2)}"
        "label.user{display:block;padding:.5rem;border:1px solid #ddd;margin:.3rem 0}"
        "button{background:#0067b8;color:#fff;border:0;padding:.5rem 1.5rem;cursor:pointer}"
        "button.secondary{background:#ccc;color:#000}.muted{color:#666}.error{color:#c50f1f}"
        f"</style></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


# --- /token -----------------------------------------------------------------------------------------------


def token(app: EmulatorApp, request: Request, tenant: str) -> Response:
    emu = app.emu
    try:
        with emu.lock:
            body = _token_grant(app, request, tenant)
    except IdentityError as error:
        return error.to_response(iso_z(emu.clock.now())[:19].replace("T", " ") + "Z")
    return json_response(body, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _token_grant(app: EmulatorApp, request: Request, tenant: str) -> dict[str, Any]:
    if request.mimetype != "application/x-www-form-urlencoded":
        raise IdentityError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."
        )
    form = request.form
    client_id, secret = _client_credentials(request)
    if not client_id:
        raise IdentityError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
        )
    client = app.emu.state.apps.get(client_id)
    if client is None:
        raise IdentityError(
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory.",
        )
    if not secret:
        raise IdentityError(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            401,
        )
    if not secrets.compare_digest(secret, client.client_secret):
        raise IdentityError(
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret "
            "being sent in the request is the client secret value, not the client secret ID.",
            401,
        )
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        return _redeem_code(app, form, client_id, tenant)
    if grant_type == "refresh_token":
        return _refresh(app, form, client_id, tenant)
    if not grant_type:
        raise IdentityError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."
        )
    raise IdentityError(
        "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
    )


def _client_credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ":"
        user, _, password = decoded.partition(":")
        return user, password
    return request.form.get("client_id", ""), request.form.get("client_secret", "")


def _redeem_code(app: EmulatorApp, form: MultiDict[str, str], client_id: str, tenant: str) -> dict[str, Any]:
    emu = app.emu
    raw = form.get("code", "")
    if not raw:
        raise IdentityError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'code'."
        )
    code = emu.state.codes.get(raw)
    now = emu.clock.now()
    if code is None or code.client_id != client_id:
        raise IdentityError(
            "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid."
        )
    if code.redeemed:
        raise IdentityError(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please "
            "retry with a new valid code or use an existing refresh token.",
        )
    if code.expires_at <= now:
        raise IdentityError(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has "
            "expired due to inactivity. Send a new interactive authorization request for this "
            "user and resource.",
        )
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise IdentityError(
            "invalid_grant",
            50148,
            "The redirect_uri does not match the one used in the authorization request.",
        )
    _check_pkce(code, form.get("code_verifier"))
    code.redeemed = True
    return _issue(app, client_id, code.user_id, code.scopes)


def _check_pkce(code: AuthCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return
    if not verifier:
        raise IdentityError(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        expected = verifier
    if not secrets.compare_digest(expected, code.code_challenge):
        raise IdentityError(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )


def _refresh(app: EmulatorApp, form: MultiDict[str, str], client_id: str, tenant: str) -> dict[str, Any]:
    emu = app.emu
    raw = form.get("refresh_token", "")
    if not raw:
        raise IdentityError(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'refresh_token'.",
        )
    old = emu.state.tokens.get(raw)
    now = emu.clock.now()
    if old is None or old.kind != "refresh" or old.client_id != client_id:
        raise IdentityError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    valid_from = emu.state.grants.get((client_id, old.user_id))
    if valid_from is None or old.generation != valid_from:
        raise IdentityError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, "
            "a fresh auth token is needed. The user might have changed or reset their password.",
        )
    if old.expires_at <= now:
        raise IdentityError(
            "invalid_grant",
            700082,
            "The refresh token has expired due to inactivity. The "
            f"token was issued on {iso_z(old.issued_at)} and was inactive for 90.00:00:00.",
        )
    scopes = old.scopes
    if form.get("scope"):
        asked = normalise_scopes(form["scope"])
        beyond = [s for s in asked if s not in scopes and s not in OIDC_SCOPES]
        if beyond:
            raise IdentityError(
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use "
                f"the application with ID '{client_id}'. Send an interactive authorization "
                "request for this user and resource.",
            )
    # The old refresh token is NOT revoked: "The Microsoft identity platform doesn't revoke old refresh tokens
    # when used to fetch new access tokens." It keeps working until it expires or the grant is revoked.
    return _issue(app, client_id, old.user_id, scopes)


def _issue(app: EmulatorApp, client_id: str, user_id: str, scopes: list[str]) -> dict[str, Any]:
    emu = app.emu
    now = emu.clock.now()
    config = emu.config
    lifetime = random.randint(config.access_token_min_ttl, config.access_token_max_ttl)
    access = Token(
        value="eyJ0eXAiOiJKV1QiLCJub25jZSI6ImVtdWxhdG9yIn0." + secrets.token_urlsafe(48),
        kind="access",
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        issued_at=now,
        expires_at=now + lifetime,
    )
    emu.state.tokens[access.value] = access
    generation = emu.state.grants.get((client_id, user_id), 0)
    graph_scopes = [s for s in scopes if s not in OIDC_SCOPES]
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(
            [f"{GRAPH}{s}" for s in graph_scopes] + [s for s in ("profile", "openid", "email") if s in scopes]
        ),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access.value,
    }
    if "offline_access" in scopes:
        refresh = Token(
            value="1.AQ" + secrets.token_urlsafe(96),
            kind="refresh",
            client_id=client_id,
            user_id=user_id,
            scopes=scopes,
            issued_at=now,
            expires_at=now + config.refresh_token_ttl,
            generation=generation,
        )
        emu.state.tokens[refresh.value] = refresh
        body["refresh_token"] = refresh.value
    if "openid" in scopes:
        body["id_token"] = id_token(app, client_id, emu.state.users[user_id], scopes, now)
    return body


def id_token(app: EmulatorApp, client_id: str, user: User, scopes: list[str], now: float) -> str:
    """An OpenID Connect id_token. Its signature is NOT verifiable (no keys published): a client that got it
    straight from the token endpoint over TLS may read its claims without verifying (OIDC Core 3.1.3.7)."""
    tenant_id = user.tenant_id if user.account_type == "work" else CONSUMER_TENANT_ID
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": f"https://login.microsoftonline.com/{tenant_id}/v2.0",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + 3600,
        "sub": hashlib.sha256(f"{client_id}|{user.id}".encode()).hexdigest()[:43],
        "oid": user.id,
        "tid": tenant_id,
        "ver": "2.0",
    }
    if "profile" in scopes:
        claims["name"] = user.display_name
        claims["preferred_username"] = user.user_principal_name
    if "email" in scopes and user.mail:
        claims["email"] = user.mail

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = {"typ": "JWT", "alg": "RS256", "kid": "microsoft-emulator-unsigned"}
    return f"{part(header)}.{part(claims)}.{secrets.token_urlsafe(32)}"
