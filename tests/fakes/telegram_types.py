"""Value types of the fake Telegram Bot API: recorded calls, uploaded files and API errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part exactly as the client uploaded it."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ApiCall:
    """One Bot API request the bot made (getUpdates is not recorded)."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float  # when the request was answered (an upload's body read)
    arrived_at: float = 0.0  # when the request began to arrive
    result: Any = None
    error: tuple[int, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def file(self, field_name: str) -> UploadedFile | None:
        """The part uploaded for a top-level field, referenced by attach:// or sent under that name."""
        value = self.params.get(field_name)
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            return self.files.get(value.removeprefix(ATTACH_PREFIX))
        return self.files.get(field_name)

    def media_files(self) -> list[UploadedFile | str]:
        """`media` items of sendMediaGroup/editMessageMedia: the uploaded part, or the file_id/URL string."""
        media = self.params.get("media")
        items = media if isinstance(media, list) else [media] if isinstance(media, dict) else []
        return [self._resolve(item.get("media", "")) for item in items if isinstance(item, dict)]

    def _resolve(self, reference: str) -> UploadedFile | str:
        if reference.startswith(ATTACH_PREFIX):
            uploaded = self.files.get(reference.removeprefix(ATTACH_PREFIX))
            if uploaded is not None:
                return uploaded
        return reference


class ApiError(Exception):
    """An error answer of the Bot API: raised by method handlers, turned into `{"ok": false, ...}`."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")
