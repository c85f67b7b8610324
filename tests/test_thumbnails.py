"""Thumbnails from covers of the size TikTok serves: Telegram's limits, the picture's shape and colours kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from misc.telegram.thumbnails import MAX_BYTES, MAX_SIDE, make_thumbnail

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _cover(size: tuple[int, int], image_format: str = "JPEG") -> bytes:
    """Red above, blue below: a thumbnail that kept the picture keeps that."""
    width, height = size
    picture = Image.new("RGB", size, BLUE)
    ImageDraw.Draw(picture).rectangle((0, 0, width, height // 2), fill=RED)
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format)
    return buffer.getvalue()


def _close(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, expected, strict=False))


@pytest.mark.parametrize(
    ("size", "image_format", "expected"),
    [
        ((720, 1280), "JPEG", (180, 320)),  # TikTok's usual cover, decoded at a reduced scale
        ((1081, 1921), "JPEG", (180, 320)),  # not a multiple of the scale steps
        ((4000, 3000), "JPEG", (320, 240)),  # landscape and large
        ((720, 1280), "PNG", (180, 320)),  # formats without reduced decoding take the same road
        ((200, 100), "JPEG", (200, 100)),  # already small: not enlarged
    ],
)
def test_a_cover_becomes_a_jpeg_thumbnail_within_telegrams_limits(
    size: tuple[int, int], image_format: str, expected: tuple[int, int]
) -> None:
    thumbnail = make_thumbnail(_cover(size, image_format))

    assert thumbnail is not None and len(thumbnail) < MAX_BYTES
    with Image.open(io.BytesIO(thumbnail)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == expected and max(picture.size) <= MAX_SIDE
        width, height = picture.size
        assert _close(picture.getpixel((width // 2, height // 8)), RED)
        assert _close(picture.getpixel((width // 2, height * 7 // 8)), BLUE)


def test_bytes_that_are_no_picture_give_no_thumbnail() -> None:
    assert make_thumbnail(b"<html>not a picture</html>") is None
