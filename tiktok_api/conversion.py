"""The conversion itself, as the image worker runs it: this module imports only Pillow and pillow-heif."""

from __future__ import annotations

import io

JPEG_QUALITY = 90


class ImageConversionError(ValueError):
    """The bytes are not an image Pillow can read, or the worker converting them died."""


def convert_to_jpeg(data: bytes) -> bytes:
    """Any image Pillow (with pillow-heif) can open, as JPEG; transparency becomes white. Runs in a worker."""
    import pillow_heif
    from PIL import Image, ImageOps, UnidentifiedImageError

    pillow_heif.register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as image:
            ImageOps.exif_transpose(image, in_place=True)  # a copy per step held a whole frame each
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                opaque = Image.new("RGB", rgba.size, (255, 255, 255))
                opaque.paste(rgba, mask=rgba.getchannel("A"))
            else:
                opaque = image if image.mode == "RGB" else image.convert("RGB")
            output = io.BytesIO()
            opaque.save(output, format="JPEG", quality=JPEG_QUALITY)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageConversionError(str(error)) from None
    return output.getvalue()
