"""Every API error has one shape: {"error": {"code", "message", "fields"}}.

That holds for refusals of our own (`ApiError`, the domain's `BookingError`/`CatalogError`), for what the
framework refuses (invalid input, a body too large or not JSON, an unknown path or method) and for our own
failures (500): a client needs one parser for all of them, and never sees Django's HTML pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from rendez.api.field_errors import WHOLE_BODY, field_errors
from rendez.scheduling.catalog import CatalogError
from rendez.scheduling.services import BookingError

logger = logging.getLogger(__name__)


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


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, fields), status=status)


def summary(fields: dict[str, str]) -> str:
    """The message of an error about fields: each field with what is wrong with it."""
    return " ".join(f"{name}: {text}" for name, text in fields.items()) or "The request is not valid."


def refuse_nulls(changes: dict[str, Any], nullable: set[str] | frozenset[str] = frozenset()) -> None:
    """In a partial update, leaving a field out keeps it; `null` only clears the fields that may be empty."""
    nulled = sorted(field for field, value in changes.items() if value is None and field not in nullable)
    if nulled:
        fields = dict.fromkeys(nulled, "Cannot be null; leave it out to keep its value.")
        raise ApiError(422, "invalid", summary(fields), fields)


# get_object_or_404 says "No Service matches the given query." (the class name): our own words instead.
_DJANGO_NOT_FOUND = re.compile(r"^No (\w+) matches the given query\.$")
NOT_FOUND_WORDING = {
    "Service": "No such service.",
    "Staff": "No such staff member.",
    "Booking": "No such booking.",
    "Appointment": "No such appointment.",
    "Customer": "No such customer.",
    "Series": "No such series.",
}


def not_found_message(exc: Http404) -> str:
    text = str(exc)
    framework = _DJANGO_NOT_FOUND.match(text)
    if framework:
        return NOT_FOUND_WORDING.get(framework.group(1), "Not found.")
    return text or "Not found."


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit // 1024} KiB" if limit < 1024 * 1024 else f"{limit / (1024 * 1024):g} MiB"
    return f"The body is too large: this API takes at most {size}."


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
        fields = field_errors(exc.errors)
        return error_response(api, request, 422, "invalid", summary(fields), fields)

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                name: " ".join(m for e in errs for m in e.messages) for name, errs in exc.error_dict.items()
            }
        else:
            fields = {WHOLE_BODY: " ".join(exc.messages)}
        return error_response(api, request, 422, "invalid", summary(fields), fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api, request, 401, "unauthenticated", "A valid API key is required: Authorization: Bearer <key>."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", not_found_message(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, 413, "too_large", too_large_message())

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja's one 400 is a body it could not parse ("Cannot parse request body").
        if exc.status_code == 400:
            fields = {WHOLE_BODY: "Not valid JSON."}
            return error_response(api, request, 400, "malformed", "The body is not valid JSON.", fields)
        return error_response(api, request, exc.status_code, "error", str(exc))

    @api.exception_handler(Exception)
    def failure(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request failed: %s %s", request.method, request.path)
        message = "Something went wrong on our side; the request may not have been carried out. Try again."
        return error_response(api, request, 500, "server_error", message)


class Api(NinjaAPI):
    """NinjaAPI whose routing refusals are in the error shape too: an unknown path is a JSON 404 (not Django's
    HTML page), a method the path does not take a JSON 405 (not the text "Method not allowed")."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _methods_in_error_shape(pattern.callback)
        return [*patterns, re_path(r"", unknown_path)], app_name, namespace


def _methods_in_error_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)  # keeps csrf_exempt and the other markers Django reads off the view
    def view_with_json_405(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        message = f"{request.method} is not allowed here; this path takes {allowed}."
        refusal = JsonResponse(error_body("method_not_allowed", message), status=405)
        refusal["Allow"] = allowed
        return refusal

    return view_with_json_405


@csrf_exempt  # a POST to a path that does not exist is a 404, not a CSRF failure page
def unknown_path(request: HttpRequest) -> HttpResponse:
    message = f"There is no {request.path} in this API; the endpoints are listed at /api/v1/docs."
    return JsonResponse(error_body("not_found", message), status=404)
