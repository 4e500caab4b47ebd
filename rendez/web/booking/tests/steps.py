"""Steps a visitor takes on the booking page, shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Page


def show_day(page: Page | FrameLocator, day: str) -> None:
    """Choose `day` (YYYY-MM-DD) and wait until its free times replaced the first day's: htmx swaps them in,
    and a time of the first day with the same label (10:00) must not be clicked in between — after
    midnight in the business's zone the first day shown is a new day that has a 10:00 of its own."""
    page.locator("#day").fill(day)
    page.locator("#day").dispatch_event("change")
    page.locator(f'#slots a[href*="{day}"]').first.wait_for()
