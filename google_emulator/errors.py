"""Google's two error dialects: `{"error": {"code", "message", "errors", "status"}}` on the Calendar API and
`{"error", "error_description"}` at the OAuth token and revoke endpoints."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """A Calendar API error. `reason`/`domain` go into `errors[0]`, as Google's Calendar error guide shows."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        item_message: str | None = None,
        headers: dict[str, str] | None = None,
        with_status: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.item_message = item_message or message
        self.headers = headers or {}
        # Google's front end adds a gRPC-style `status` to authentication errors; the Calendar errors guide
        # shows the API's own errors (rate limits, 404, 410...) without one.
        self.with_status = with_status

    def body(self) -> dict[str, Any]:
        item: dict[str, str] = {"domain": self.domain, "reason": self.reason, "message": self.item_message}
        if self.location:
            item["location"] = self.location
            item["locationType"] = self.location_type or "parameter"
        error: dict[str, Any] = {"code": self.status, "message": self.message, "errors": [item]}
        if self.with_status and self.status in STATUS_NAMES:
            error["status"] = STATUS_NAMES[self.status]
        return {"error": error}

    def to_response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class OAuthError(Exception):
    """An error at the token or revoke endpoint: JSON `{"error", "error_description"}` (RFC 6749 5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def to_response(self) -> Response:
        return json_response({"error": self.error, "error_description": self.description}, self.status)


AUTH_HELP = "See https://developers.google.com/identity/sign-in/web/devconsole-project."


def missing_credentials() -> ApiError:
    return ApiError(
        401,
        "required",
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
        f"or other valid authentication credential. {AUTH_HELP}",
        item_message="Login Required.",
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
        with_status=True,
    )


def invalid_credentials() -> ApiError:
    return ApiError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
        f"other valid authentication credential. {AUTH_HELP}",
        item_message="Invalid Credentials",
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
        with_status=True,
    )


def insufficient_scopes() -> ApiError:
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        item_message="Insufficient Permission",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"'
        },
        with_status=True,
    )


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")


def bad_request(
    message: str = "Bad Request", reason: str = "badRequest", location: str | None = None
) -> ApiError:
    return ApiError(400, reason, message, location=location)


def invalid_value(name: str) -> ApiError:
    return ApiError(400, "invalid", f"Invalid value for: {name}", location=name)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, indent=1), status, headers, content_type="application/json; charset=UTF-8"
    )
