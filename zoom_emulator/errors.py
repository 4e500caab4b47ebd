"""Zoom's two error dialects: `{code, message}` on the REST API and `{reason, error}` at /oauth/token."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response


class ZoomError(Exception):
    """A REST API error, rendered as JSON, or as XML when the client did not ask for JSON."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body

    def to_response(self, as_xml: bool) -> Response:
        if as_xml:
            return Response(
                self.to_xml(), self.status, self.headers, content_type="application/xml;charset=UTF-8"
            )
        return json_response(self.body(), self.status, self.headers)

    def to_xml(self) -> str:
        parts = [f"<code>{self.code}</code><message>{escape(self.message)}</message>"]
        for error in self.errors or []:
            parts.append(
                f"<errors><field>{escape(error['field'])}</field><message>{escape(error['message'])}</message></errors>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><result>' + "".join(parts) + "</result>"
        )


class OAuthError(Exception):
    """An error at /oauth/token or /oauth/revoke: always JSON `{"reason": ..., "error": ...}`."""

    def __init__(self, error: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason
        self.status = status

    def to_response(self) -> Response:
        return json_response({"reason": self.reason, "error": self.error}, self.status)


def validation_failed(field: str, message: str = "Invalid field.") -> ZoomError:
    return ZoomError(400, 300, "Validation Failed.", [{"field": field, "message": message}])


def invalid_token(status: int = 401, message: str = "Invalid access token.") -> ZoomError:
    return ZoomError(status, 124, message)


def user_not_found(user_id: str) -> ZoomError:
    return ZoomError(404, 1001, f"User does not exist: {user_id}.")


def meeting_not_found(meeting_id: object) -> ZoomError:
    return ZoomError(404, 3001, f"Meeting {meeting_id} is not found or has expired.")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Compact like Zoom, which matters to verifiers that re-serialize bodies (its Node webhook sample does).
    return Response(
        json.dumps(body, separators=(",", ":")),
        status,
        headers,
        content_type="application/json;charset=UTF-8",
    )


def wants_xml(accept_header: str | None) -> bool:
    """Zoom answers some errors in XML unless the client explicitly accepts JSON (zoom-api.md P8)."""
    return "application/json" not in (accept_header or "").lower()
