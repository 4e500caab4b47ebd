"""The business's logo as stored: any PNG, JPEG or WebP is made a PNG that fits 400 × 160, keeping its
proportions and transparency, turned upright, without the upload's metadata; what is no such picture
(another format, a letter named .png, a damaged file, a decompression bomb) is refused saying why.
Pictures are drawn by Pillow in the tests."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, PngImagePlugin

from rendez.tenants import profile
from rendez.tenants.tests.pictures import picture, stored_picture


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        profile.prepared_logo(data)
    return " ".join(refused.value.message_dict["logo"])


def test_a_png_that_fits_keeps_its_size_and_pixels():
    stored = stored_picture(profile.prepared_logo(picture("PNG", (40, 20))))
    assert stored.format == "PNG" and stored.size == (40, 20) and stored.mode == "RGB"
    assert stored.getpixel((0, 0)) == (255, 0, 0) and stored.getpixel((39, 19)) == (0, 0, 128)


@pytest.mark.parametrize(
    ("format", "size", "fitted"),
    [
        ("JPEG", (2000, 1000), (320, 160)),
        ("PNG", (1000, 100), (400, 40)),
        ("WEBP", (500, 2000), (40, 160)),
        ("PNG", (12, 30), (12, 30)),  # never enlarged
    ],
)
def test_a_picture_is_shrunk_to_fit_the_box_keeping_its_proportions(format, size, fitted):
    stored = stored_picture(profile.prepared_logo(picture(format, size)))
    assert stored.format == "PNG" and stored.size == fitted


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_transparency_is_kept(format):
    stored = stored_picture(
        profile.prepared_logo(picture(format, (800, 400), colour=(0, 0, 0, 0), mode="RGBA"))
    )
    assert stored.mode == "RGBA" and stored.size == (320, 160)
    assert stored.getpixel((300, 150)) == (0, 0, 0, 0)


def test_a_photo_is_turned_upright_and_loses_its_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show it rotated 90° clockwise
    exif[0x013B] = "Nora Lind"  # Artist
    exif[0x8825] = {1: "N", 2: (40.0, 43.0, 41.0)}  # GPSInfo: where it was taken
    stored = stored_picture(profile.prepared_logo(picture("JPEG", (300, 100), exif=exif.tobytes())))
    assert stored.size == (53, 160)  # 100 × 300 upright, fitted to 160 high
    assert not stored.getexif() and "exif" not in stored.info
    corner = stored.getpixel((50, 2))  # the red top-left corner went to the top right
    assert isinstance(corner, tuple) and corner[0] > 200 and corner[1] < 60 and corner[2] < 60


def test_text_and_colour_profile_of_a_png_are_dropped():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "made on Nora's laptop")
    data = picture("PNG", (40, 20), pnginfo=text, icc_profile=b"\0" * 128)
    assert "Comment" in stored_picture(data).info
    stored = stored_picture(profile.prepared_logo(data))
    assert set(stored.info) <= {"dpi"} and stored.getexif() == {}


def test_preparing_a_prepared_logo_changes_nothing():
    once = profile.prepared_logo(picture("JPEG", (900, 300)))
    assert profile.prepared_logo(once) == once


def bomb_png(width: int, height: int) -> bytes:
    """A real PNG of `width` × `height` black-and-white pixels, all zero: a small file that decodes to
    a great deal more."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (picture("GIF", (10, 10)), "must be a PNG, JPEG or WebP picture"),
        (picture("BMP", (10, 10)), "must be a PNG, JPEG or WebP picture"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "must be a PNG, JPEG or WebP picture"),
        (b"Dear Nora, this is not a picture.\n" * 10, "must be a PNG, JPEG or WebP picture"),
        (picture("PNG", (200, 200))[:-60], "damaged or incomplete"),
        (bomb_png(6000, 5000), "The picture is 6000 × 5000 pixels. A logo may have 25 million pixels"),
        (bomb_png(20000, 20000), "A logo may have 25 million pixels at most"),  # Pillow's own bomb guard
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "it may be 5 MB at most"),
    ],
    ids=["empty", "gif", "bmp", "svg", "letter", "truncated", "too-many-pixels", "bomb", "too-many-bytes"],
)
def test_what_is_no_fitting_picture_is_refused_saying_why(data, message):
    assert message in refusal(data)


def test_a_bomb_is_refused_before_it_is_decoded():
    data = bomb_png(20000, 20000)
    assert len(data) < 100_000  # 400 million pixels in a small file
    assert "25 million pixels" in refusal(data)
