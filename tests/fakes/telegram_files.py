"""Files the fake Bot API knows: uploads get a file_id, media objects are built like Telegram's."""

from __future__ import annotations

import io
import itertools
import mimetypes
import secrets
from dataclasses import dataclass, field
from typing import Any

from PIL import (  # importing the plugins registers them, so opening never loads all of Pillow's formats
    BmpImagePlugin,  # noqa: F401
    GifImagePlugin,  # noqa: F401
    Image,
    JpegImagePlugin,  # noqa: F401
    PngImagePlugin,  # noqa: F401
    TiffImagePlugin,  # noqa: F401
    UnidentifiedImageError,
    WebPImagePlugin,  # noqa: F401
)

from tests.fakes.telegram_types import ATTACH_PREFIX, UploadedFile, bad_request

MB = 1024 * 1024
CLOUD_UPLOAD_LIMIT = 50 * MB
LOCAL_UPLOAD_LIMIT = 2000 * MB
PHOTO_LIMIT = 10 * MB
CLOUD_DOWNLOAD_LIMIT = 20 * MB
THUMBNAIL_MAX_SIDE = 320
THUMBNAIL_MAX_BYTES = 200 * 1024
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"

# Real file ids start with a type-dependent prefix; ours look alike so that columns sized for them fit.
_FILE_ID_PREFIXES = {
    "photo": "AgACAgIAAxkBAAI", "video": "BAACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI", "animation": "CgACAgIAAxkBAAI", "voice": "AwACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI", "video_note": "DQACAgIAAxkBAAI", "thumbnail": "AAMCAgADGQEAAg",
}  # fmt: skip
_TYPE_NAMES = {
    "photo": "Photo", "video": "Video", "document": "Document", "audio": "Audio", "animation": "Animation",
    "voice": "Voice", "sticker": "Sticker", "video_note": "VideoNote", "thumbnail": "Thumbnail",
}  # fmt: skip
_FOLDERS = {
    "photo": "photos", "video": "videos", "document": "documents", "audio": "music",
    "animation": "animations", "voice": "voice", "sticker": "stickers", "video_note": "video_notes",
    "thumbnail": "thumbnails",
}  # fmt: skip
_DEFAULT_MIME = {
    "video": "video/mp4", "audio": "audio/mpeg", "animation": "video/mp4", "voice": "audio/ogg",
    "document": "application/octet-stream", "video_note": "video/mp4", "sticker": "image/webp",
}  # fmt: skip
_PHOTO_SIDES = (90, 320, 800, 1280)
# Formats Telegram turns into photos; anything else (HEIC included) fails with IMAGE_PROCESS_FAILED.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    source_url: str | None = None
    media: Any = None  # the object Telegram returns for it: a dict, or a PhotoSize list for photos

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str


def probe_image(data: bytes) -> ImageInfo | None:
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
            return ImageInfo(image.width, image.height, image.format or "")
    except (UnidentifiedImageError, OSError, ValueError):
        return None


class FileStore:
    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._stale: set[str] = set()
        self._numbers = itertools.count(1)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        source_url: str | None = None,
        unique_id: str | None = None,
    ) -> StoredFile:
        number = next(self._numbers)
        file_id = _FILE_ID_PREFIXES[kind] + secrets.token_urlsafe(42)
        extension = _extension(file_name, mime_type, kind)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id or "AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            data=data,
            file_path=f"{_FOLDERS[kind]}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            source_url=source_url,
        )
        self._files[file_id] = stored
        return stored

    def lookup(self, file_id: str) -> StoredFile:
        """A file that can still be sent; stale or unknown ids fail like on the real server."""
        stored = self._files.get(file_id)
        if stored is None or file_id in self._stale:
            raise bad_request(WRONG_FILE_ID)
        return stored

    def lookup_kind(self, file_id: str, kind: str) -> StoredFile:
        stored = self.lookup(file_id)
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {_TYPE_NAMES[stored.kind]} as {_TYPE_NAMES[kind]}")
        return stored

    def find(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return next((stored for stored in self._files.values() if stored.file_path == file_path), None)

    def forget_all(self) -> None:
        self._stale.update(self._files)


def _extension(file_name: str | None, mime_type: str | None, kind: str) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    guessed = mimetypes.guess_extension(mime_type or _DEFAULT_MIME.get(kind, "image/jpeg"))
    return guessed or ""


def mime_type_of(upload: UploadedFile, kind: str) -> str:
    declared = (upload.content_type or "").split(";")[0].strip()
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed or _DEFAULT_MIME.get(kind, "application/octet-stream")


def upload_for(reference: Any, files: dict[str, UploadedFile], field_name: str) -> UploadedFile | None:
    """The uploaded part a parameter points to (attach://name, or a part sent under the field's own name)."""
    if isinstance(reference, str) and reference.startswith(ATTACH_PREFIX):
        upload = files.get(reference.removeprefix(ATTACH_PREFIX))
        if upload is None:
            raise bad_request(f'can\'t find attached file "{reference.removeprefix(ATTACH_PREFIX)}"')
        return upload
    if reference is None:
        return files.get(field_name)
    return None


def is_url(reference: str) -> bool:
    return reference.startswith(("http://", "https://"))


def photo_sizes(store: FileStore, data: bytes, info: ImageInfo) -> list[dict]:
    """Telegram stores a photo in several sizes; the last one is the largest."""
    longest = max(info.width, info.height, 1)
    bounds = [side for side in _PHOTO_SIDES if side < longest] + [min(longest, 2560)]
    sizes: list[dict] = []
    stored_sizes: list[StoredFile] = []
    for bound in bounds:
        scale = bound / longest
        stored = store.add("photo", data, mime_type="image/jpeg")
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": max(1, int(len(data) * scale * scale)),
                "width": max(1, round(info.width * scale)),
                "height": max(1, round(info.height * scale)),
            }
        )
        stored_sizes.append(stored)
    for stored in stored_sizes:
        stored.media = sizes  # any size's file_id re-sends the whole photo
    return sizes
