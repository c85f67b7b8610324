"""Images Telegram can show: JPEG and PNG stay as they are, anything else (HEIC, WebP, …) becomes JPEG.

Decoding (`conversion`) runs in a worker process (`worker_pool`), started on first use, which loads only
Pillow and the converter, so the event loop and the GIL stay free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tiktok_api.conversion import ImageConversionError, convert_to_jpeg
from tiktok_api.sniff import JPEG, Kind, is_jpeg, telegram_photo_kind
from tiktok_api.worker_pool import IdleReleasingPool, WorkerCrashedError

Result = TypeVar("Result")
WORKER_MODULES = ["PIL.Image", "pillow_heif", "tiktok_api.conversion"]


class ImageConverter:
    def __init__(self, workers: int = 2) -> None:
        self._pool = IdleReleasingPool(max_workers=workers, preload=WORKER_MODULES)

    async def displayable(self, data: bytes) -> tuple[bytes, Kind]:
        """`data` as JPEG or PNG, converting in the worker only when needed."""
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
        except WorkerCrashedError as error:  # the callers retry a slide (a new worker converts it) or go without
            raise ImageConversionError(str(error)) from error

    async def run(self, function: Callable[..., Result], *args: Any) -> Result:
        """`function(*args)` in the worker: a module-level function whose module imports only what it needs."""
        return await self._pool.run(function, *args)

    async def close(self) -> None:
        await self._pool.close()
