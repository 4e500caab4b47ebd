"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.services import BookingError


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries of an operation's error statuses, all in the one error shape."""
    return {status: ErrorOut for status in statuses}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.headers = headers or {}


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, fields=None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _field_name(location: list[Any]) -> str:
    # Ninja prefixes where a value came from ("body", "query", the parameter name); clients want the field.
    # Pydantic appends the branch of a union that failed ("function-after[_validate(), str]", "literal['']"):
    # that is its own bookkeeping, not a field, so the name stops there.
    parts: list[str] = []
    for part in location:
        if part in ("body", "query", "path", "payload", "filters"):
            continue
        text = str(part)
        if not isinstance(part, int) and not text.isidentifier():
            break
        parts.append(text)
    return ".".join(parts) or "body"


def _field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """One message per field; of several failed union branches the first says the most."""
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(_field_name(list(err.get("loc", []))), str(err.get("msg", "invalid")))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.code, exc.message, exc.fields)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(BookingError)
    def booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
        status = 409 if exc.conflict else 422
        fields = {exc.field: exc.message} if exc.field else {}
        return error_response(api, request, status, exc.code, exc.message, fields)

    @api.exception_handler(CatalogError)
    def catalog_error(request: HttpRequest, exc: CatalogError) -> HttpResponse:
        return error_response(api, request, 422, exc.code, exc.message, exc.fields)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = _field_errors(exc.errors)
        message = "; ".join(f"{name}: {text}" for name, text in fields.items()) or "Invalid input."
        return error_response(api, request, 422, "invalid", message, fields)

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                name: " ".join(m for e in errs for m in e.messages) for name, errs in exc.error_dict.items()
            }
        else:
            fields = {"body": " ".join(exc.messages)}
        message = "; ".join(f"{name}: {text}" for name, text in fields.items())
        return error_response(api, request, 422, "invalid", message, fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api, request, 401, "unauthenticated", "A valid API key is required: Authorization: Bearer <key>."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", str(exc) or "Not found.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, "error", str(exc))
