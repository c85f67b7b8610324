"""Slides the size TikTok serves (1080×1440), as HEIC: photo-like detail, so decoding costs what it costs."""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1080, 1440
DISTINCT = 3  # encoding is slow; the bot decodes each slide anyway, repeated or not


def heic_slides(count: int) -> list[bytes]:
    pictures = _distinct()
    return [pictures[index % DISTINCT] for index in range(count)]


@functools.cache
def _distinct() -> tuple[bytes, ...]:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return tuple(_heic(_picture(index)) for index in range(DISTINCT))


def _picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.effect_noise((WIDTH, HEIGHT), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        size = rng.randrange(40, 400)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + size, y + size), fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def _heic(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", quality=80)
    return buffer.getvalue()
