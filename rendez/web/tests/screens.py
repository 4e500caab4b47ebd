"""Where the browser tests write their screenshots (shown in the README), and the two widths they use."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


def shoot(page, name: str, *, widths: tuple[str, ...] = ("desktop", "phone"), full_page: bool = True) -> None:
    """Write `docs/screenshots/<name>-<width>.png` for each width; the page is left at desktop width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label in widths:
        page.set_viewport_size(WIDTHS[label])
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=full_page)
    page.set_viewport_size(DESKTOP)
