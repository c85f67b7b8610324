"""Media formats told by their first bytes, never by file names or URLs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    extension: str
    mime_type: str


JPEG = Kind("jpg", "image/jpeg")
PNG = Kind("png", "image/png")
MP3 = Kind("mp3", "audio/mpeg")
M4A = Kind("m4a", "audio/mp4")
AAC = Kind("aac", "audio/aac")


def is_jpeg(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff"


def is_png(data: bytes) -> bool:
    return data[:8] == b"\x89PNG\r\n\x1a\n"


def telegram_photo_kind(data: bytes) -> Kind | None:
    """JPEG or PNG as they are (Telegram shows both); None for anything that must be converted."""
    if is_jpeg(data):
        return JPEG
    if is_png(data):
        return PNG
    return None


def audio_kind(data: bytes) -> Kind:
    """MP3 (ID3 tag or an MPEG audio frame), M4A (an ISO media file), else raw AAC (ADTS)."""
    if data[:3] == b"ID3":
        return MP3
    if data[4:8] == b"ftyp":
        return M4A
    is_frame_sync = len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0
    layer = (data[1] >> 1) & 0b11 if len(data) > 1 else 0
    if is_frame_sync and layer != 0:  # layer 0 is ADTS AAC, not MPEG audio
        return MP3
    return AAC
