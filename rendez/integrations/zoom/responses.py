"""Reading what Zoom answers: JSON, empty 204s and XML error bodies, into typed values or errors.

Shared by the REST client and the OAuth endpoints. Zoom answers errors in XML when a request lacks
`Accept: application/json` (§3.6, pitfall P8); we always send it, but proxies and stricter look-alikes may
still answer XML, so both are read.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from xml.etree import ElementTree

import httpx2
from pydantic import BaseModel, ValidationError

from rendez.integrations.zoom.errors import (
    ZoomAPIError,
    ZoomDailyCapReached,
    ZoomRegistrantCapReached,
    ZoomResponseError,
    ZoomUnavailable,
)
from rendez.integrations.zoom.schemas import ApiErrorBody, FieldError
from rendez.lib.http import retry_after_seconds

logger = logging.getLogger("rendez.zoom")

# Error bodies are a few hundred bytes; anything much larger is not Zoom talking, and is not parsed.
MAX_ERROR_BODY = 64 * 1024
# The per-host cap is told only by this message (§5.3): "…exceeded the daily rate limit (100) of Meeting
# Create/Update API requests…".
DAILY_CAP_MESSAGE = re.compile(r"daily rate limit \(\d+\) of meeting create/update", re.IGNORECASE)
# The per-registrant caps (docs/integrations/zoom-registrants.md): "…exceeded the daily rate limit of "3" for
# Add meeting registrant API requests for the registrant…" (and "Update registrant's status").
REGISTRANT_CAP_MESSAGE = re.compile(r"daily rate limit of .{1,8} for .{0,40}registra", re.IGNORECASE)
Model = TypeVar("Model", bound=BaseModel)


def tracking_id(response: httpx2.Response) -> str:
    return response.headers.get("x-zm-trackingid", "")


def parse_model(model: type[Model], response: httpx2.Response) -> Model:
    """A successful response's JSON as `model`; a body that is not that is a `ZoomResponseError`."""
    try:
        return model.model_validate(json.loads(response.content))
    except (ValueError, ValidationError) as exc:
        raise ZoomResponseError(
            f"Zoom answered {response.status_code} with a body that is not the expected "
            f"{model.__name__} ({_describe(exc)})"
        ) from None


def error_from(response: httpx2.Response) -> ZoomAPIError | ZoomUnavailable:
    """The error an unsuccessful REST response stands for: `ZoomUnavailable` for a 5xx, a timeout status or a
    per-second 429 (Zoom may well answer a little later), `ZoomDailyCapReached` for the host's daily cap,
    else a `ZoomAPIError` with Zoom's code."""
    body = read_error_body(response)
    status = response.status_code
    message = body.message or f"Zoom answered {status} without an explanation"
    if status == 429 and DAILY_CAP_MESSAGE.search(message):
        error_class: type[ZoomAPIError] = ZoomDailyCapReached
        # Retryable like any quota: the same call succeeds once the next UTC day has begun.
        retryable, wait = True, seconds_until_utc_midnight()
    elif status == 429 and REGISTRANT_CAP_MESSAGE.search(message):
        error_class, retryable, wait = ZoomRegistrantCapReached, True, seconds_until_utc_midnight()
    elif status == 429 or status >= 500 or status in (408, 425):
        said = f": {body.message}" if body.message else ""
        return ZoomUnavailable(f"Zoom answered {status}{said}", retry_after=retry_after(response))
    else:
        error_class, retryable, wait = ZoomAPIError, False, None
    return error_class(
        message,
        status=status,
        code=body.code,
        field_errors={error.field: error.message for error in body.errors if error.field},
        tracking_id=tracking_id(response),
        retryable=retryable,
        retry_after=wait,
    )


def read_error_body(response: httpx2.Response) -> ApiErrorBody:
    raw = response.content[:MAX_ERROR_BODY]
    if not raw.strip():
        return ApiErrorBody()
    if raw.lstrip().startswith(b"<"):
        return _from_xml(raw)
    try:
        data = json.loads(raw)
    except ValueError:
        return ApiErrorBody()
    try:
        return ApiErrorBody.model_validate(data) if isinstance(data, dict) else ApiErrorBody()
    except ValidationError:
        return ApiErrorBody()


def _from_xml(raw: bytes) -> ApiErrorBody:
    # `<result><code>300</code><message>…</message><errors><field>…</field><message>…</message></errors>`
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return ApiErrorBody()
    errors = [
        FieldError(field=node.findtext("field") or "", message=node.findtext("message") or "")
        for node in root.findall("errors")
    ]
    return ApiErrorBody.model_validate(
        {"code": root.findtext("code"), "message": root.findtext("message") or "", "errors": errors}
    )


def retry_after(response: httpx2.Response) -> float | None:
    """Retry-After as seconds: a number, an HTTP date, or the ISO-8601 instant Zoom documents (§5.3)."""
    seconds = retry_after_seconds(response)
    if seconds is not None:
        return seconds
    raw = response.headers.get("Retry-After", "").strip()
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def seconds_until_utc_midnight(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', 'invalid')}"
    return "not JSON"
