"""The suite-wide guard that no token the Zoom emulator issued ever shows in a log record or a response.

The root `conftest.py` runs one `TokenGuard` around every test: it notes each OAuth token an in-process
emulator issues (access, refresh and Server-to-Server tokens), keeps every log record that reaches the root
logger and every response of Django's test `Client`, and fails the test when a token appears in any of them.
Texts are only looked at when the test had a token issued, so tests that never meet Zoom pay almost nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponseBase
from django.test.client import Client

from zoom_emulator import oauth as emulator_oauth

REDACTED = "<token>"


@dataclass(frozen=True)
class Leak:
    """Where a token showed: "log record of rendez.zoom", "response to GET /api/v1/…", with the text."""

    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text[:300]}"


def log_text(record: logging.LogRecord) -> str:
    """Everything of `record` a log handler could write: message with its arguments, exception and stack."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record still has its parts to look at
        message = f"{record.msg!r} {record.args!r}"
    parts = [message]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(logging.Formatter().formatException(record.exc_info))
    parts += [text for text in (record.exc_text, record.stack_info) if text]
    return "\n".join(parts)


def response_texts(response: HttpResponseBase) -> list[str]:
    """Headers, cookies and (unless streamed) body of a test-client response."""
    texts = [f"{name}: {value}" for name, value in response.items()]
    texts.append(str(response.cookies))
    if not response.streaming:
        texts.append(response.content.decode("utf-8", "replace"))  # type: ignore[attr-defined]
    return texts


def find_leaks(tokens: Iterable[str], texts: Iterable[tuple[str, str]]) -> list[Leak]:
    """The `(where, text)` pairs that contain any of `tokens`, the tokens redacted in what is reported."""
    wanted = [token for token in tokens if token]
    leaks = []
    for where, text in texts:
        found = [token for token in wanted if token in text]
        if found:
            for token in found:
                text = text.replace(token, REDACTED)
            leaks.append(Leak(where, text))
    return leaks


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class TokenGuard:
    """Collects issued tokens, log records and test-client responses between `start()` and `stop()`."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.responses: list[tuple[str, HttpResponseBase]] = []
        self._records = _Records()
        self._lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []

    @property
    def records(self) -> list[logging.LogRecord]:
        return self._records.records

    def start(self) -> None:
        self._patch(emulator_oauth, "_new_token", self._noting_tokens(emulator_oauth._new_token))
        self._patch(Client, "request", self._keeping_responses(Client.request))
        root = logging.getLogger()
        root.addHandler(self._records)
        self._undo.append(lambda: root.removeHandler(self._records))

    def stop(self) -> None:
        while self._undo:
            self._undo.pop()()

    def leaks(self) -> list[Leak]:
        with self._lock:
            tokens = set(self.tokens)
        if not tokens:
            return []
        return find_leaks(tokens, self._texts())

    def forget_logs_and_responses(self) -> None:
        """For the guard's own tests, which leak on purpose."""
        self.records.clear()
        self.responses.clear()

    def _texts(self) -> Iterable[tuple[str, str]]:
        for record in list(self.records):
            yield f"log record of {record.name} ({record.levelname})", log_text(record)
        for request, response in list(self.responses):
            for text in response_texts(response):
                yield f"response to {request}", text

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        original = owner.__dict__[name]
        setattr(owner, name, replacement)
        self._undo.append(lambda: setattr(owner, name, original))

    def _noting_tokens(self, new_token: Callable[..., Any]) -> Callable[..., Any]:
        def noting(*args: Any, **kwargs: Any) -> Any:
            token = new_token(*args, **kwargs)
            with self._lock:
                self.tokens.add(token.value)
            return token

        return noting

    def _keeping_responses(self, request: Callable[..., Any]) -> Callable[..., Any]:
        responses = self.responses

        def keeping(client: Client, **environ: Any) -> Any:
            response = request(client, **environ)
            responses.append(
                (f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '?')}", response)
            )
            return response

        return keeping
