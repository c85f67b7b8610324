"""Small real media files for the fakes, made once per process and cached on disk and in memory.

Videos and sounds come from the static ffmpeg in the `imageio-ffmpeg` wheel, stills from Pillow and
pillow-heif. Everything is tiny (a 64x112, 1-second clip is a few kilobytes) so a whole test session pays
well under a second for it.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pillow_heif
from PIL import Image, ImageDraw

pillow_heif.register_heif_opener()

VIDEO_WIDTH = 64
VIDEO_HEIGHT = 112
_CHUNK_SIZE = 256 * 1024
_FREE_BOX_HEADER = 8  # 32-bit size + b"free"
_PALETTE = ((230, 40, 80), (40, 160, 230), (250, 200, 40), (60, 200, 120), (150, 80, 220), (240, 120, 30))

# Fixture files may be first asked for from several threads (benchmarks); one ffmpeg run at a time.
_generation_lock = threading.Lock()


@functools.cache
def media_dir() -> Path:
    """This process's cache directory, removed when the process exits."""
    directory = Path(tempfile.mkdtemp(prefix="tt-bot-media-"))
    atexit.register(shutil.rmtree, directory, True)
    return directory


def _ffmpeg(output_name: str, *arguments: str) -> bytes:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    with _generation_lock:
        output = media_dir() / output_name
        if not output.exists():
            partial = output.with_name(f"partial-{output_name}")  # same extension: ffmpeg picks the format by it
            subprocess.run([*command, *arguments, str(partial)], check=True, capture_output=True, timeout=60)
            partial.rename(output)
        return output.read_bytes()


def _clip_inputs(pattern: str) -> list[str]:
    size = f"{VIDEO_WIDTH}x{VIDEO_HEIGHT}"
    return [
        "-f", "lavfi", "-i", f"{pattern}=size={size}:rate=10:duration=1",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
    ]  # fmt: skip


_AUDIO_TRACK = ["-c:a", "aac", "-b:a", "32k", "-shortest"]
_MP4_CONTAINER = ["-pix_fmt", "yuv420p", "-movflags", "+faststart"]


@functools.cache
def _base_mp4() -> bytes:
    return _ffmpeg(
        "video_h264.mp4",
        *_clip_inputs("testsrc"),
        "-c:v", "libx264", "-preset", "veryfast", *_AUDIO_TRACK, *_MP4_CONTAINER,
    )  # fmt: skip


@functools.cache
def mp4_watermarked_bytes() -> bytes:
    """The same clip with a white "watermark" box: what TikTok's `downloadAddr` serves."""
    return _ffmpeg(
        "video_h264_watermarked.mp4",
        *_clip_inputs("testsrc"),
        "-vf", "drawbox=x=4:y=4:w=24:h=12:color=white:t=fill",
        "-c:v", "libx264", "-preset", "veryfast", *_AUDIO_TRACK, *_MP4_CONTAINER,
    )  # fmt: skip


@functools.cache
def mp4_bytevc1_bytes() -> bytes:
    """An HEVC ("bytevc1") rendition of a similar clip, as in TikTok's bitrateInfo."""
    return _ffmpeg(
        "video_bytevc1.mp4",
        *_clip_inputs("testsrc2"),
        "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1", "-x265-params", "log-level=error",
        *_AUDIO_TRACK, *_MP4_CONTAINER,
    )  # fmt: skip


def mp4_size(size_hint: int | None = None) -> int:
    """Size of `mp4_bytes(size_hint)` without building it."""
    base = len(_base_mp4())
    if size_hint is None or size_hint < base + _FREE_BOX_HEADER:
        return base
    return size_hint


def mp4_chunks(size_hint: int | None = None, start: int = 0, chunk_size: int = _CHUNK_SIZE) -> Iterator[bytes]:
    """Stream `mp4_bytes(size_hint)[start:]` without holding the padded file in memory.

    The padding is a trailing top-level `free` box, so the file stays a valid MP4 of any size.
    """
    base = _base_mp4()
    total = mp4_size(size_hint)
    head = base
    if total > len(base):
        head = base + struct.pack("!I4s", total - len(base), b"free")
    position = start
    while position < len(head):
        piece = head[position : position + chunk_size]
        position += len(piece)
        yield piece
    zeros = bytes(chunk_size)
    while position < total:
        step = min(chunk_size, total - position)
        position += step
        yield zeros[:step]


def mp4_bytes(size_hint: int | None = None) -> bytes:
    """A real 1-second H.264/AAC MP4; with `size_hint`, padded to exactly that many bytes."""
    if size_hint is None:
        return _base_mp4()
    return b"".join(mp4_chunks(size_hint))


@functools.cache
def mp3_bytes() -> bytes:
    return _ffmpeg(
        "sound.mp3",
        "-f", "lavfi", "-i", "sine=frequency=660:duration=1", "-c:a", "libmp3lame", "-b:a", "32k",
    )  # fmt: skip


@functools.cache
def m4a_bytes() -> bytes:
    return _ffmpeg(
        "sound.m4a",
        "-f", "lavfi", "-i", "sine=frequency=550:duration=1", "-c:a", "aac", "-b:a", "32k",
    )  # fmt: skip


def _still(variant: int) -> Image.Image:
    color = _PALETTE[variant % len(_PALETTE)]
    image = Image.new("RGB", (72, 128), color)
    ImageDraw.Draw(image).rectangle((8, 8, 40, 24 + variant % 64), fill=(255, 255, 255))
    return image


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@functools.cache
def jpeg_bytes(variant: int = 0) -> bytes:
    """A small JPEG; each `variant` has a different colour (and so different bytes)."""
    return _encode(_still(variant), "JPEG", quality=85)


@functools.cache
def png_bytes(variant: int = 0) -> bytes:
    return _encode(_still(variant), "PNG")


@functools.cache
def heic_bytes(variant: int = 0) -> bytes:
    return _encode(_still(variant), "HEIF", quality=60)


def is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis")


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@functools.lru_cache(maxsize=256)
def to_heic(data: bytes) -> bytes:
    """`data` as HEIC (unchanged when it already is)."""
    if is_heic(data):
        return data
    with Image.open(io.BytesIO(data)) as image:
        return _encode(image.convert("RGB"), "HEIF", quality=60)


@functools.lru_cache(maxsize=256)
def to_jpeg(data: bytes) -> bytes:
    """`data` as JPEG: HEIC is converted, other formats are returned unchanged."""
    if not is_heic(data):
        return data
    with Image.open(io.BytesIO(data)) as image:
        return _encode(image.convert("RGB"), "JPEG", quality=85)


def warm_up() -> None:
    """Make every fixture file now, so the first test that needs one does not pay for it."""
    for make in (_base_mp4, mp4_watermarked_bytes, mp4_bytevc1_bytes, mp3_bytes, m4a_bytes):
        make()
    for make_still in (jpeg_bytes, png_bytes, heic_bytes):
        make_still(0)


# --- renditions made with PyAV: real, decodable, any size and codec ---
_RENDITION_FPS = 5
_RENDITION_FRAMES = 5  # one second
_AUDIO_RATE = 22050


def _encode_rendition(path: Path, codec: str, width: int, height: int, audio: bool) -> None:
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as container:
        encoder = "libx264" if codec == "h264" else "libx265"
        video = container.add_stream(encoder, rate=_RENDITION_FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"} | ({"x265-params": "log-level=error"} if codec != "h264" else {})
        if codec != "h264":
            video.codec_tag = "hvc1"
        sound = container.add_stream("aac", rate=_AUDIO_RATE) if audio else None
        for index in range(_RENDITION_FRAMES):
            pixels = np.full((height, width, 3), _PALETTE[index % len(_PALETTE)], dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            samples = _AUDIO_RATE * _RENDITION_FRAMES // _RENDITION_FPS
            tone = (np.sin(np.arange(samples) * 2 * np.pi * 440 / _AUDIO_RATE) * 0.3).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = _AUDIO_RATE
            container.mux(sound.encode(frame))
            container.mux(sound.encode())


@functools.cache
def rendition_mp4(codec: str, width: int, height: int, audio: bool = True) -> bytes:
    """A real one-second MP4 of this size in `codec` ("h264" or "bytevc1", i.e. HEVC), with or without AAC."""
    name = f"rendition_{codec}_{width}x{height}_{'sound' if audio else 'silent'}.mp4"
    with _generation_lock:
        output = media_dir() / name
        if not output.exists():
            partial = output.with_name(f"partial-{name}")
            _encode_rendition(partial, codec, width, height, audio)
            partial.rename(output)
        return output.read_bytes()


def padded_chunks(base: bytes, total: int, start: int = 0, chunk_size: int = _CHUNK_SIZE) -> Iterator[bytes]:
    """`base` grown to `total` bytes by a trailing `free` box (still a valid MP4), streamed from `start`."""
    head = base + struct.pack("!I4s", total - len(base), b"free") if total > len(base) else base
    position = start
    while position < len(head):
        piece = head[position : position + chunk_size]
        position += len(piece)
        yield piece
    zeros = bytes(chunk_size)
    while position < total:
        step = min(chunk_size, total - position)
        position += step
        yield zeros[:step]


def decoded_video(data: bytes) -> tuple[str, int, int, bool, float]:
    """What a player sees in an MP4: video codec, width, height, whether it has sound, duration in seconds."""
    import av

    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        frame = next(container.decode(video))
        duration = float(container.duration or 0) / av.time_base
        return video.codec_context.name, frame.width, frame.height, bool(container.streams.audio), duration


@functools.cache
def sound_bytes(seconds: int) -> bytes:
    """A real MP3 tone of `seconds` seconds (the one of `mp3_bytes` lasts one second)."""
    return _ffmpeg(
        f"sound_{seconds}s.mp3",
        "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}", "-c:a", "libmp3lame", "-b:a", "32k",
    )  # fmt: skip
