"""Fixtures shared by every test package: the browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# The fixtures shared across test packages, registered once for every test (pytest reads `pytest_plugins` only
# in the rootdir's conftest). A directory's conftest.py keeps what only its tests use, and its fixtures
# override these where the names meet (web/customer/tests' own `consultation`).
pytest_plugins = [
    "rendez.scheduling.tests.fixtures",
    "rendez.api.tests.fixtures",
    "rendez.notifications.tests.fixtures",
    "rendez.web.panel.tests.fixtures",
    "rendez.tests.integrations.zoom.fixtures",
    "rendez.calendars.tests.fixtures",
    "rendez.tests.integrations.google.fixtures",
    "rendez.tests.integrations.microsoft.fixtures",
]

# No wall-clock threshold decides a test: Hypothesis' deadline (200 ms an example) and its "too slow" health
# check failed property tests on a loaded CI machine that passed alone. Speed is measured in bench/.
settings.register_profile("rendez", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rendez")

# Playwright's sync API runs an event loop in the test thread; the ORM calls tests make around it are still
# synchronous, so Django's async-safety guard would misfire.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need PostgreSQL; on SQLite they are deselected, and the run says so.
    `@pytest.mark.sqlite` tests (SQLite's query plans) are deselected on PostgreSQL: nothing is skipped."""
    other = "sqlite" if _on_postgresql() else "postgres"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    deselected = [item for item in items if item.get_closest_marker(other) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
        if other == "postgres":
            config._rendez_pg_deselected = len(deselected)


def pytest_terminal_summary(terminalreporter, config):
    count = getattr(config, "_rendez_pg_deselected", 0)
    if not count:
        return
    if os.environ.get("RENDEZ_TEST_POSTGRES_NEXT") == "1":
        # scripts/test.sh (`make test`) runs them on PostgreSQL right after this run.
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests left for the PostgreSQL part, which follows."
        )
        return
    terminalreporter.write_line(
        f"PostgreSQL part skipped: {count} PostgreSQL-only tests were not run on SQLite "
        "(they run when DATABASE_URL points at PostgreSQL).",
        yellow=True,
    )


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    return os.environ.get("RENDEZ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium. Skipped where none is installed, except under CI, where that is a failure."""
    executable = _chromium_path()
    if executable is None:
        message = "browser tests need Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def token_guard() -> Iterator[object]:
    """Fails any test in which a token issued by an in-process Zoom emulator shows in a log record or in a
    response of Django's test client (rendez/tests/integrations/zoom/token_guard.py)."""
    from rendez.tests.integrations.zoom.token_guard import TokenGuard

    guard = TokenGuard()
    guard.start()
    try:
        yield guard
    finally:
        guard.stop()
    leaks = guard.leaks()
    if leaks:
        pytest.fail(
            "A token issued by the Zoom emulator leaked:\n" + "\n".join(f"- {leak}" for leak in leaks),
            pytrace=False,
        )
