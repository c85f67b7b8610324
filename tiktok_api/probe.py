"""What is really inside a downloaded MP4: the video track's codec and size, and whether it has sound.

A few reads of the ISO BMFF boxes (`moov/trak/mdia/{hdlr,minf/stbl/stsd}`), no decoder: cheap enough
for every download and it loads nothing into the bot process. TikTok's files keep `moov` in front, but
the top level is walked by headers alone, so a `moov` at the end costs only seeks.
"""

from __future__ import annotations

import asyncio
import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from tiktok_api.models import MediaFile

MAX_MOOV_SIZE = 64 * 1024 * 1024  # a sample table this large is not a TikTok video
_CONTAINERS = {b"trak", b"mdia", b"minf", b"stbl"}
_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc", b"av01": "av1", b"vp09": "vp9"}
# VisualSampleEntry: 6 reserved + 2 data_reference_index + 16 pre_defined/reserved, then width and height.
_VISUAL_SIZE_OFFSET = 24


@dataclass(frozen=True, slots=True)
class MediaProbe:
    codec: str | None  # "h264", "hevc", … (the sample entry's name when unknown); None without a video track
    width: int
    height: int
    has_audio: bool

    @property
    def is_h264(self) -> bool:
        return self.codec == "h264"


async def probe_downloaded(media: MediaFile) -> MediaProbe | None:
    """`probe_media` without blocking the event loop: a file in memory is read at once (~30 µs, less than
    a hop to a thread costs), one on disk in a thread."""
    if media.data is not None:
        return probe_media(media)
    return await asyncio.to_thread(probe_media, media)


def probe_media(media: MediaFile) -> MediaProbe | None:
    """None when the file is not an MP4 with a readable `moov` (the video is still delivered)."""
    try:
        if media.data is not None:
            return probe_stream(io.BytesIO(media.data))
        if media.path is None:
            return None
        return probe_path(media.path)
    except (OSError, ValueError, struct.error):
        return None


def probe_path(path: Path) -> MediaProbe | None:
    with path.open("rb") as stream:
        return probe_stream(stream)


def probe_stream(stream: BinaryIO) -> MediaProbe | None:
    moov = _find_moov(stream)
    if moov is None:
        return None
    video: tuple[str, int, int] | None = None
    has_audio = False
    for kind, payload in _boxes(moov):
        if kind != b"trak":
            continue
        track = _track(payload)
        if track is None:
            continue
        handler, entry = track
        if handler == b"soun":
            has_audio = True
        elif handler == b"vide" and video is None and entry is not None:
            video = entry
    if video is None:
        return MediaProbe(codec=None, width=0, height=0, has_audio=has_audio)
    codec, width, height = video
    return MediaProbe(codec=codec, width=width, height=height, has_audio=has_audio)


def _find_moov(stream: BinaryIO) -> bytes | None:
    while True:
        header = stream.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                return None
            (size,) = struct.unpack(">Q", large)
            header_size = 16
        if kind == b"moov":
            length = size - header_size if size else MAX_MOOV_SIZE
            if length > MAX_MOOV_SIZE or length < 0:
                return None
            return stream.read(length)
        if size == 0 or size < header_size:
            return None
        stream.seek(size - header_size, io.SEEK_CUR)


def _boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    position = 0
    while position + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, position)
        header_size = 8
        if size == 1 and position + 16 <= len(data):
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header_size = 16
        elif size == 0:
            size = len(data) - position
        if size < header_size:
            return
        yield kind, data[position + header_size : position + size]
        position += size


def _track(trak: bytes) -> tuple[bytes, tuple[str, int, int] | None] | None:
    """The handler type (vide, soun, …) and, for a visual track, its sample entry's codec and size."""
    handler: bytes | None = None
    entry: tuple[str, int, int] | None = None
    for kind, payload in _walk(trak):
        if kind == b"hdlr" and handler is None and len(payload) >= 12:  # QuickTime adds one in minf
            handler = payload[8:12]  # version/flags, pre_defined, handler_type
        elif kind == b"stsd" and len(payload) >= 8:
            entry = _sample_entry(payload[8:])  # version/flags, entry_count
    return (handler, entry) if handler is not None else None


def _walk(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    for kind, payload in _boxes(data):
        if kind in _CONTAINERS:
            yield from _walk(payload)
        else:
            yield kind, payload


def _sample_entry(entries: bytes) -> tuple[str, int, int] | None:
    for kind, payload in _boxes(entries):
        codec = _CODECS.get(kind, kind.decode("latin-1").strip())
        if len(payload) < _VISUAL_SIZE_OFFSET + 4:
            return codec, 0, 0
        width, height = struct.unpack_from(">HH", payload, _VISUAL_SIZE_OFFSET)
        return codec, width, height
    return None
