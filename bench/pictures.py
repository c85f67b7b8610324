"""Pictures the size TikTok serves, with photo-like detail, so decoding costs what it costs: slideshow slides
(1080×1440 HEIC) and video covers (720×1280 JPEG)."""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1080, 1440
COVER_SIZE = (720, 1280)
DISTINCT = 3  # encoding is slow; the bot decodes each slide anyway, repeated or not


def heic_slides(count: int) -> list[bytes]:
    pictures = _distinct()
    return [pictures[index % DISTINCT] for index in range(count)]


@functools.cache
def _distinct() -> tuple[bytes, ...]:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return tuple(_heic(_picture(index)) for index in range(DISTINCT))


@functools.cache
def video_cover() -> bytes:
    buffer = io.BytesIO()
    _picture(0, COVER_SIZE).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _picture(seed: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    image = Image.effect_noise(size, 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randrange(40, 400)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + size, y + size), fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def _heic(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", quality=80)
    return buffer.getvalue()
