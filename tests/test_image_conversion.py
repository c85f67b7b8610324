"""What the image worker makes of slides Telegram cannot show: upright, opaque JPEGs, or a clear error."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from tests.fakes import media
from tiktok_api.conversion import ImageConversionError
from tiktok_api.images import ImageConverter

EXIF_ORIENTATION = 0x0112
ROTATED_90 = 6  # the camera was turned: the stored picture must be turned a quarter to be upright


@pytest.fixture
async def converter() -> AsyncIterator[ImageConverter]:
    converter = ImageConverter()
    yield converter
    await converter.close()


def _webp(image: Image.Image, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    output = io.BytesIO()
    image.save(output, format="WEBP", lossless=True, exif=exif.tobytes())
    return output.getvalue()


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_a_heic_slide_becomes_a_jpeg_of_the_same_picture(converter: ImageConverter) -> None:
    jpeg, kind = await converter.displayable(media.heic_bytes(3))

    assert kind.mime_type == "image/jpeg"
    picture = _opened(jpeg)
    assert picture.format == "JPEG"
    assert picture.size == media.image_size(media.heic_bytes(3))


async def test_a_slide_stored_sideways_arrives_upright(converter: ImageConverter) -> None:
    wide = Image.new("RGB", (120, 40), (200, 30, 30))
    wide.paste((20, 20, 220), (0, 0, 20, 40))  # a blue band on the stored picture's left edge

    picture = _opened(await converter.jpeg(_webp(wide, orientation=ROTATED_90)))

    assert picture.size == (40, 120)
    red, _green, blue = picture.getpixel((20, 5))  # turned a quarter clockwise, the left edge is on top
    assert blue > 150 and red < 100


async def test_transparency_becomes_white(converter: ImageConverter) -> None:
    half_clear = Image.new("RGBA", (40, 40), (0, 0, 0, 255))
    half_clear.paste((0, 0, 0, 0), (20, 0, 40, 40))

    picture = _opened(await converter.jpeg(_webp(half_clear)))

    assert picture.mode == "RGB"
    assert min(picture.getpixel((35, 20))) > 240
    assert max(picture.getpixel((5, 20))) < 15


async def test_bytes_that_are_no_image_fail_clearly_and_the_worker_goes_on(converter: ImageConverter) -> None:
    with pytest.raises(ImageConversionError):
        await converter.jpeg(b"RIFF\x00\x00\x00\x00WEBPVP8 not really")

    assert _opened(await converter.jpeg(media.heic_bytes(1))).size == media.image_size(media.heic_bytes(1))
