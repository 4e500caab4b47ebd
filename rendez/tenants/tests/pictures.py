"""Real pictures for the logo tests, drawn by Pillow in the test (no binary fixtures), and a way to look at
what was stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image


def picture(
    format: str, size: tuple[int, int], *, colour: Any = "navy", mode: str = "RGB", **save: Any
) -> bytes:
    """A `size` picture of one colour (a red square in its top-left corner, so turning it shows), encoded as
    `format` with Pillow's `save` options (exif=..., pnginfo=...)."""
    image = Image.new(mode, size, colour if mode != "1" else 1)
    if mode in ("RGB", "RGBA"):
        side = max(1, min(size) // 4)
        image.paste("red", (0, 0, side, side))
    out = io.BytesIO()
    image.save(out, format=format, **save)
    return out.getvalue()


def stored_picture(path: Path | bytes) -> Image.Image:
    """The stored logo, opened (and fully read) by Pillow."""
    data = path.read_bytes() if isinstance(path, Path) else path
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
