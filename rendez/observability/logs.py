"""Logging: one JSON object per line in production, readable lines under DEBUG; both carry the request id.

Django applies `settings.LOGGING` through `configure()` (settings.LOGGING_CONFIG). Records from stdlib
`logging` calls and from structlog loggers end in the same handlers, and `formatter()` renders both: the
bound context (request id, job id) is merged in at formatting time, in the thread that logged.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any, Literal

import structlog
from django.http import HttpRequest

from rendez.observability.routes import route_of

Renderer = Literal["json", "console"]

# What every line gets, whether it was logged through structlog or stdlib logging.
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG hook: apply the dictConfig, then route structlog through stdlib logging."""
    logging.config.dictConfig(config)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(renderer: Renderer = "json") -> structlog.stdlib.ProcessorFormatter:
    """The formatter of LOGGING's handlers (`"()": "rendez.observability.logs.formatter"`)."""
    tail: list[Any]
    if renderer == "console":
        tail = [structlog.dev.ConsoleRenderer(colors=False)]
    else:
        # A traceback becomes one string field, so a line stays one JSON object.
        tail = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
    )


class PathsAsRoutes(logging.Filter):
    """Put the route in place of the request path in Django's own request warnings and errors.

    `django.request` and `django.security` log "Forbidden (CSRF token missing.): /manage/<token>/cancel" with
    the path as an argument; the manage token in it must not reach the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            route = route_of(request)
            record.args = tuple(route if arg == request.path else arg for arg in record.args)
        return True


def get_logger(name: str) -> Any:
    """A structlog logger whose records go through stdlib logging under `name`."""
    return structlog.stdlib.get_logger(name)
