from __future__ import annotations

import io
import json
import logging

from rendez.observability import context, logs


def rendered(renderer: logs.Renderer, emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(renderer))
    logger = logging.getLogger("rendez.observability.tests.logs")
    logger.addHandler(handler)
    try:
        with context.bound_request("req-42"):
            emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_failure_with_its_traceback_is_one_json_line():
    def fail(logger: logging.Logger) -> None:
        try:
            raise ConnectionError("SMTP server went away")
        except ConnectionError:
            logger.exception("delivery %s failed", 7)

    [line] = rendered("json", fail).splitlines()
    record = json.loads(line)
    assert record["event"] == "delivery 7 failed"
    assert record["request_id"] == "req-42"
    assert record["level"] == "error"
    assert "ConnectionError: SMTP server went away" in record["exception"]


def test_under_debug_lines_are_for_people():
    text = rendered("console", lambda logger: logger.warning("slot %s is taken", "10:00"))

    assert "slot 10:00 is taken" in text
    assert "request_id=req-42" in text
    assert not text.lstrip().startswith("{")
