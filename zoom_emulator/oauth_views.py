"""HTTP side of `/oauth/*`: the consent page, the token endpoint and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from . import oauth, pages
from .errors import OAuthError, json_response

if TYPE_CHECKING:
    from .app import EmulatorApp

TOKEN_VALUE_PARAMS = ("refresh_token", "token", "code_verifier")


def authorize(app: EmulatorApp, request: Request) -> Response:
    args = request.args.to_dict()
    try:
        client = oauth.check_authorize_request(app.emu, args)
        if request.method == "GET":
            return pages.consent(app, request, client, args)
        if request.form.get("decision") == "allow":
            location = oauth.approve(app.emu, args, request.form.get("user_id", ""))
        else:
            location = oauth.deny(app.emu, args)
    except oauth.AuthorizeRequestError as error:
        return pages.authorize_error(app, request, str(error))
    return redirect(location, 302)  # type: ignore[return-value]


def token(app: EmulatorApp, request: Request) -> Response:
    client = oauth.authenticate_client(app.emu, request.headers.get("Authorization"))
    if any(name in request.args for name in TOKEN_VALUE_PARAMS):
        # Since February 2023 Zoom refuses token values in the URL; codes and grant types may still go there.
        raise OAuthError("invalid_request", "Token values are not supported as query parameters.")
    params = request.args.to_dict() | request.form.to_dict()
    return json_response(oauth.token_grant(app.emu, client, params, app.base_url(request)))


def revoke(app: EmulatorApp, request: Request) -> Response:
    client = oauth.authenticate_client(app.emu, request.headers.get("Authorization"))
    if "token" in request.args:
        raise OAuthError("invalid_request", "Token values are not supported as query parameters.")
    return json_response(oauth.revoke(app.emu, client, request.form.get("token", "")))
