"""Microsoft's two error dialects: Graph's `{"error": {code, message, innerError}}` and the identity
platform's `{error, error_description, error_codes, ...}` at /token."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.wrappers import Response


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def to_response(self, date: str) -> Response:
        request_id = str(uuid.uuid4())
        body = {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {"date": date, "request-id": request_id, "client-request-id": request_id},
            }
        }
        headers = {"request-id": request_id, "client-request-id": request_id, **self.headers}
        return json_response(body, self.status, headers)


class IdentityError(Exception):
    """An OAuth error at /token: `error` is the OAuth code, `aadsts` the AADSTS number in the description."""

    def __init__(self, error: str, aadsts: int, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.aadsts = aadsts
        self.description = description
        self.status = status

    def to_response(self, timestamp: str) -> Response:
        """`timestamp` as the docs show it: "2016-01-09 02:02:12Z"."""
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        body = {
            "error": self.error,
            "error_description": (
                f"AADSTS{self.aadsts}: {self.description}\r\nTrace ID: {trace_id}\r\n"
                f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}"
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.aadsts}",
        }
        return json_response(body, self.status, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers, content_type="application/json; charset=utf-8")


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def invalid_token(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": 'Bearer realm=""'})


def access_denied() -> GraphError:
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
