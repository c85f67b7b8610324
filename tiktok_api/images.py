"""Images Telegram can show: JPEG and PNG stay as they are, anything else (HEIC, WebP, …) becomes JPEG.

Decoding runs in a small process pool (`worker_pool`), started on first use, whose workers load only
Pillow and this module, so the event loop and the GIL stay free.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from tiktok_api.sniff import JPEG, Kind, is_jpeg, telegram_photo_kind
from tiktok_api.worker_pool import IdleReleasingPool, WorkerCrashedError

JPEG_QUALITY = 90
Result = TypeVar("Result")
WORKER_MODULES = ["PIL.Image", "pillow_heif", "tiktok_api.images"]


class ImageConversionError(ValueError):
    """The bytes are not an image Pillow can read, or the worker converting them died."""


def convert_to_jpeg(data: bytes) -> bytes:
    """Any image Pillow (with pillow-heif) can open, as JPEG; transparency becomes white. Runs in a worker."""
    import pillow_heif
    from PIL import Image, ImageOps, UnidentifiedImageError

    pillow_heif.register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as source:
            image = ImageOps.exif_transpose(source)
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                image = Image.new("RGB", rgba.size, (255, 255, 255))
                image.paste(rgba, mask=rgba.getchannel("A"))
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=JPEG_QUALITY)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageConversionError(str(error)) from None
    return output.getvalue()


class ImageConverter:
    def __init__(self, workers: int = 2) -> None:
        self._pool = IdleReleasingPool(max_workers=workers, preload=WORKER_MODULES)

    async def displayable(self, data: bytes) -> tuple[bytes, Kind]:
        """`data` as JPEG or PNG, converting in the process pool only when needed."""
        kind = telegram_photo_kind(data)
        if kind is not None:
            return data, kind
        return await self._convert(data), JPEG

    async def jpeg(self, data: bytes) -> bytes:
        """`data` as JPEG (a thumbnail must be one)."""
        if is_jpeg(data):
            return data
        return await self._convert(data)

    async def _convert(self, data: bytes) -> bytes:
        try:
            return await self.run(convert_to_jpeg, data)
        except WorkerCrashedError as error:  # the callers retry a slide (a new pool converts it) or go without
            raise ImageConversionError(str(error)) from error

    async def run(self, function: Callable[..., Result], *args: Any) -> Result:
        """`function(*args)` in the pool: a module-level function whose module imports only what it needs."""
        return await self._pool.run(function, *args)

    def close(self) -> None:
        self._pool.close()
