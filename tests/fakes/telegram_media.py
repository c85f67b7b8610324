"""Media objects (Video, Audio, PhotoSize list, …) for uploads, file ids and URLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_files import (
    PHOTO_LIMIT,
    THUMBNAIL_MAX_BYTES,
    THUMBNAIL_MAX_SIDE,
    FileStore,
    ImageInfo,
    StoredFile,
    is_url,
    mime_type_of,
    photo_sizes,
    probe_image,
    upload_for,
)
from tests.fakes.telegram_types import UploadedFile, bad_request

MEDIA_KINDS = ("photo", "video", "animation", "audio", "document", "voice", "video_note", "sticker")


@dataclass
class MediaRequest:
    """One media item of a request: a top-level `video=` or an InputMedia entry of `media`."""

    kind: str
    reference: Any  # attach://name, a file_id, a URL, or None when the part was sent under `field_name`
    field_name: str
    details: dict[str, Any] = field(default_factory=dict)  # width, height, duration, title, thumbnail, …


class MediaFactory:
    def __init__(self, store: FileStore) -> None:
        self.store = store

    def is_upload(self, request: MediaRequest, files: dict[str, UploadedFile]) -> bool:
        return upload_for(request.reference, files, request.field_name) is not None

    def build(self, request: MediaRequest, files: dict[str, UploadedFile]) -> Any:
        upload = upload_for(request.reference, files, request.field_name)
        if upload is not None:
            return self._from_upload(request, upload, files)
        reference = request.reference
        if not isinstance(reference, str) or not reference:
            raise bad_request(f"there is no {request.kind} in the request")
        if is_url(reference):
            return self._from_url(request, reference)
        return self.store.lookup_kind(reference, request.kind).media

    def _from_upload(self, request: MediaRequest, upload: UploadedFile, files: dict[str, UploadedFile]) -> Any:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if request.kind == "photo":
            return photo_sizes(self.store, upload.data, _checked_photo(upload.data))
        stored = self.store.add(
            request.kind,
            upload.data,
            file_name=upload.filename,
            mime_type=mime_type_of(upload, request.kind),
        )
        stored.media = self._describe(request, stored, include_name=True)
        thumbnail = self._thumbnail(request.details.get("thumbnail"), files)
        if thumbnail is not None and request.kind not in {"voice", "sticker"}:
            stored.media["thumbnail"] = thumbnail
        cover = self._cover(request.details.get("cover"), files)
        if cover is not None and request.kind == "video":
            stored.media["cover"] = cover
        return stored.media

    def _from_url(self, request: MediaRequest, url: str) -> Any:
        # The real server downloads the URL; the fake cannot reach the internet and keeps no bytes.
        stored = self.store.add(request.kind, b"", source_url=url)
        if request.kind == "photo":
            size = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": int(request.details.get("width") or 0),
                "height": int(request.details.get("height") or 0),
            }
            stored.media = [size]
        else:
            stored.media = self._describe(request, stored, include_name=False)
        return stored.media

    def _describe(self, request: MediaRequest, stored: StoredFile, *, include_name: bool) -> dict[str, Any]:
        details = request.details
        media: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if request.kind in {"video", "animation"}:
            media |= {"width": _int(details, "width"), "height": _int(details, "height")}
        if request.kind == "video_note":
            media["length"] = _int(details, "length", 240)
        if request.kind in {"video", "animation", "audio", "voice", "video_note"}:
            media["duration"] = _int(details, "duration")
        if request.kind == "audio":
            media |= {key: details[key] for key in ("performer", "title") if details.get(key)}
        if request.kind == "sticker":
            media |= {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
            if details.get("emoji"):
                media["emoji"] = details["emoji"]
        if include_name and stored.file_name and request.kind in {"video", "animation", "audio", "document"}:
            media["file_name"] = stored.file_name
        if stored.mime_type and request.kind != "sticker":
            media["mime_type"] = stored.mime_type
        media["file_size"] = stored.size
        return media

    def _thumbnail(self, reference: Any, files: dict[str, UploadedFile]) -> dict[str, Any] | None:
        """Telegram silently drops a thumbnail that is not a JPEG of at most 320 px and under 200 kB."""
        if not (isinstance(reference, str) and reference.startswith("attach://")):
            return None
        upload = upload_for(reference, files, "thumbnail")
        if upload is None or len(upload.data) >= THUMBNAIL_MAX_BYTES:
            return None
        info = probe_image(upload.data)
        if info is None or info.format != "JPEG" or max(info.width, info.height) > THUMBNAIL_MAX_SIDE:
            return None
        stored = self.store.add("thumbnail", upload.data, mime_type="image/jpeg")
        stored.media = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "width": info.width,
            "height": info.height,
        }
        return stored.media

    def _cover(self, reference: Any, files: dict[str, UploadedFile]) -> list[dict[str, Any]] | None:
        """A video's cover (Bot API 8.3) is a photo: an upload, or the file id of one."""
        if not isinstance(reference, str) or not reference:
            return None
        upload = upload_for(reference, files, "cover")
        if upload is None:
            return self.store.lookup_kind(reference, "photo").media
        return photo_sizes(self.store, upload.data, _checked_photo(upload.data))


def _checked_photo(data: bytes) -> ImageInfo:
    if len(data) > PHOTO_LIMIT:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    info = probe_image(data)
    if info is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    if info.width + info.height > 10000 or max(info.width, info.height) > 20 * min(info.width, info.height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return info


def _int(details: dict[str, Any], key: str, default: int = 0) -> int:
    value = details.get(key)
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError) as error:
        raise bad_request(f'field "{key}" must be of type Integer') from error


def top_level_request(kind: str, params: dict[str, Any]) -> MediaRequest:
    return MediaRequest(kind=kind, reference=params.get(kind), field_name=kind, details=params)


def input_media_request(item: dict[str, Any]) -> MediaRequest:
    kind = item.get("type")
    if kind not in MEDIA_KINDS:
        raise bad_request("can't parse InputMedia: unsupported media type")
    return MediaRequest(kind=kind, reference=item.get("media"), field_name="", details=item)
