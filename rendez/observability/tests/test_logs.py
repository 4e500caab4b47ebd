from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

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


def test_the_development_servers_request_lines_are_off_they_would_carry_tokens():
    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING


def test_the_log_format_is_chosen_from_the_environment_and_checked(tmp_path):
    def log_format(value: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "RENDEZ_LOG_FORMAT": value, "RENDEZ_VAR_DIR": str(tmp_path)}
        env["DJANGO_SETTINGS_MODULE"] = "rendez.settings"
        code = "import django; django.setup(); from django.conf import settings; print(settings.LOG_FORMAT)"
        return subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
        )

    assert log_format("console").stdout.strip() == "console"
    assert log_format("").stdout.strip() in ("json", "console")  # blank means the default
    refused = log_format("xml")
    assert refused.returncode != 0
    assert "RENDEZ_LOG_FORMAT must be json or console, got 'xml'." in refused.stderr
