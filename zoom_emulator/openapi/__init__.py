"""Zoom's OpenAPI specs (trimmed to what Rendez uses) and a validator for requests and responses.

The specs ship in this folder (see README.md), so nothing here needs `../shared`. Validation uses
openapi-core against an in-memory copy with the patches the specs need to load at all:

- upper-case parameter `style` values (`SIMPLE`, `FORM`) and security-scheme `in` values (`HEADER`)
  lower-cased;
- path parameters marked `required` (the Meetings spec says `required: false` for some);
- the Users settings response's `oneOf` turned into `anyOf` (its branches have no required keys, so every real
  body matches several of them);
- openapi-spec-validator's whole-document check off (the Meetings spec nests non-standard `extensions` keys).

Everything takes plain values, so any HTTP client's exchanges can be checked::

    from zoom_emulator.openapi import ContractViolation, covers, validate_exchange

    url = "http://127.0.0.1:9100/v2/users/me/meetings"
    headers = {"Authorization": "Bearer …", "Content-Type": "application/json", "Accept": "application/json"}
    body = b'{"topic": "Consultation", "type": 2, "start_time": "2030-04-10T13:30:00Z", "duration": 45}'
    if covers("POST", url):
        validate_exchange(
            "POST", url, headers, body,
            status=201, response_headers={"Content-Type": "application/json"}, response_body=b'{"id": 1, …}',
        )  # raises ContractViolation (an AssertionError) naming what does not match

API:

- `covers(method, url) -> bool`: whether the trimmed specs describe that operation.
- `validate_request(method, url, headers=None, body=None) -> None`
- `validate_response(method, url, request_headers, request_body, status, response_headers, response_body)
  -> None`: the response is matched to its operation through the request.
- `validate_exchange(method, url, request_headers, request_body, status, response_headers, response_body)
  -> None`: both of the above.
- `ContractViolation`: raised on any mismatch (or an operation the specs do not cover); `.__cause__` is
  openapi-core's error.
- `spec_for(method, url) -> openapi_core.OpenAPI`, `load_spec(name)`, `SPEC_FILES`: lower-level access.

`url` is anything whose path contains the API root `/v2` (`http://127.0.0.1:PORT/v2/users/me`,
`http://host/_zoom/v2/meetings/1?occurrence_id=…`, `https://api.zoom.us/v2/users`, or just `/v2/users`):
everything up to and including the first `/v2` segment is replaced by the specs' server
`https://api.zoom.us/v2`. Headers are any mapping (or list of pairs); bodies are bytes, str or None.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .trim import MEETINGS, USERS

__all__ = [
    "SERVER_URL",
    "SPEC_FILES",
    "ContractViolation",
    "covers",
    "load_spec",
    "spec_for",
    "validate_exchange",
    "validate_request",
    "validate_response",
]

HERE = Path(__file__).resolve().parent
SERVER_URL = "https://api.zoom.us/v2"
SPEC_FILES = {"meetings": MEETINGS.trimmed, "users": USERS.trimmed}
_OPERATIONS = {"meetings": MEETINGS.operations, "users": USERS.operations}

HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]] | None
BodyLike = bytes | str | None


class ContractViolation(AssertionError):
    """A request or response that does not match Zoom's OpenAPI spec."""


def load_spec(name: str) -> OpenAPI:
    """The patched, validating spec `"meetings"` or `"users"` (cached)."""
    return _load(name)


@cache
def _load(name: str) -> OpenAPI:
    with (HERE / SPEC_FILES[name]).open(encoding="utf-8") as handle:
        spec = patched(json.load(handle))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def patched(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` with the fixes it needs to load in openapi-core (see the module docstring)."""
    spec = copy.deepcopy(spec)
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if isinstance(parameter.get("style"), str):
                    parameter["style"] = parameter["style"].lower()
                if parameter.get("in") == "path":
                    parameter["required"] = True
    settings = spec.get("paths", {}).get("/users/{userId}/settings", {}).get("get")
    if settings:
        schema = settings["responses"]["200"]["content"]["application/json"]["schema"]
        if "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if isinstance(scheme.get("in"), str):
            scheme["in"] = scheme["in"].lower()
    return spec


def api_path(url: str) -> tuple[str, str]:
    """(`path` below the API root, raw query) of `url`; `path` starts with `/`."""
    parts = urlsplit(url)
    match = re.search(r"/v2(?=/|$)", parts.path)
    if match is None:
        raise ContractViolation(f"{url!r} is not under the API root /v2")
    return parts.path[match.end() :] or "/", parts.query


@cache
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def _spec_name(method: str, url: str) -> str | None:
    path, _ = api_path(url)
    for name, operations in _OPERATIONS.items():
        for template, methods in operations.items():
            if _pattern(template).match(path) and method.lower() in methods:
                return name
    return None


def covers(method: str, url: str) -> bool:
    """Whether the trimmed specs describe `method` on `url` (False for URLs outside `/v2`)."""
    try:
        return _spec_name(method, url) is not None
    except ContractViolation:
        return False


def spec_for(method: str, url: str) -> OpenAPI:
    name = _spec_name(method, url)
    if name is None:
        raise ContractViolation(f"{method.upper()} {api_path(url)[0]} is not in the trimmed Zoom specs")
    return load_spec(name)


def validate_request(method: str, url: str, headers: HeadersLike = None, body: BodyLike = None) -> None:
    """Raise `ContractViolation` unless the request matches its operation in Zoom's spec."""
    spec = spec_for(method, url)
    try:
        spec.validate_request(_Request(method, url, headers, body))
    except Exception as error:  # openapi-core raises many unrelated classes
        raise ContractViolation(f"request {method.upper()} {url}: {_describe(error)}") from error


def validate_response(
    method: str,
    url: str,
    request_headers: HeadersLike,
    request_body: BodyLike,
    status: int,
    response_headers: HeadersLike,
    response_body: BodyLike,
) -> None:
    """Raise `ContractViolation` unless the response matches what the spec documents for the request."""
    spec = spec_for(method, url)
    request = _Request(method, url, request_headers, request_body)
    response = _Response(status, response_headers, response_body)
    try:
        spec.validate_response(request, response)
    except Exception as error:
        raise ContractViolation(f"response {status} to {method.upper()} {url}: {_describe(error)}") from error


def validate_exchange(
    method: str,
    url: str,
    request_headers: HeadersLike,
    request_body: BodyLike,
    status: int,
    response_headers: HeadersLike,
    response_body: BodyLike,
) -> None:
    """`validate_request` then `validate_response`."""
    validate_request(method, url, request_headers, request_body)
    validate_response(method, url, request_headers, request_body, status, response_headers, response_body)


def _describe(error: BaseException) -> str:
    details = [f"{type(error).__name__}: {error}"]
    for inner in getattr(error, "schema_errors", None) or []:
        details.append(f"  - {getattr(inner, 'message', inner)}")
    cause = error.__cause__
    if cause is not None:
        details.append(f"  caused by {type(cause).__name__}: {cause}")
        for inner in getattr(cause, "schema_errors", None) or []:
            details.append(f"  - {getattr(inner, 'message', inner)}")
    return "\n".join(details)


def _headers(headers: HeadersLike) -> Headers:
    if headers is None:
        return Headers()
    items = headers.items() if isinstance(headers, Mapping) else headers
    return Headers([(str(key), str(value)) for key, value in items])


def _bytes(body: BodyLike) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


class _Request:
    """openapi-core's Request protocol over plain values, addressed to the specs' server."""

    def __init__(self, method: str, url: str, headers: HeadersLike, body: BodyLike) -> None:
        path, query = api_path(url)
        self._method = method.lower()
        self._path = urlsplit(SERVER_URL).path + path
        self._headers = _headers(headers)
        self._body = _bytes(body)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=self._headers,
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        parts = urlsplit(SERVER_URL)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return self._path

    @property
    def method(self) -> str:
        return self._method

    @property
    def body(self) -> bytes:
        return self._body

    @property
    def content_type(self) -> str:
        return (self._headers.get("Content-Type") or "application/octet-stream").lower()


class _Response:
    """openapi-core's Response protocol over plain values."""

    def __init__(self, status: int, headers: HeadersLike, body: BodyLike) -> None:
        self._status = int(status)
        self._headers = _headers(headers)
        self._body = _bytes(body)

    @property
    def status_code(self) -> int:
        return self._status

    @property
    def content_type(self) -> str:
        # The media type alone, as the spec's `content` keys are (`application/json;charset=UTF-8` →
        # `application/json`).
        raw = self._headers.get("Content-Type") or ""
        return raw.split(";", 1)[0].strip().lower()

    @property
    def headers(self) -> Headers:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._body
