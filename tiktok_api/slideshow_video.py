"""A slideshow as one MP4 (H.264 + AAC): each image an equal share of the sound, in a worker process.

`render_slideshow` is a plain module-level function so a process pool can run it; it imports PyAV and
Pillow only when called, so nothing else of the bot is loaded into the worker. Every image is encoded
once per second of its share (x264 turns the repeats into tiny skip frames), which keeps a 60-second
1080p video to a few dozen frames of real work.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from fractions import Fraction

MAX_WIDTH = 1080
MAX_SECONDS = 60.0
SECONDS_WITHOUT_SOUND = 3.0  # per image, when the post has no sound
MIN_SECONDS_PER_IMAGE = 2.0  # a shorter share of a short sound is stretched (the sound then ends early)
FRAME_INTERVAL_MS = 1000  # a repeat of the current image each second: seeking and players stay happy
NOMINAL_RATE = 10  # the muxer gives the last frame 1/rate s: a closing frame that long ends the video on time
AUDIO_RATE = 44100
AUDIO_BITRATE = 128_000
_MS = Fraction(1, 1000)


@dataclass(frozen=True, slots=True)
class RenderedVideo:
    width: int
    height: int
    duration: float  # seconds
    size: int  # bytes written


def seconds_per_image(images: int, sound_seconds: float) -> float:
    """An equal share of the sound, a few seconds each without one, never over `MAX_SECONDS` in all."""
    share = sound_seconds / images if sound_seconds > 0 else SECONDS_WITHOUT_SOUND
    share = max(share, MIN_SECONDS_PER_IMAGE)
    return min(share, MAX_SECONDS / images)


def frame_size(width: int, height: int) -> tuple[int, int]:
    """The first image's shape, at most `MAX_WIDTH` wide, both sides even (H.264 4:2:0 needs it)."""
    scale = min(1.0, MAX_WIDTH / max(width, 1))
    even_width = max(2, int(width * scale) // 2 * 2)
    even_height = max(2, round(height * even_width / max(width, 1)) // 2 * 2)
    return even_width, even_height


def render_slideshow(images: list[bytes], sound: bytes | None, output_path: str) -> RenderedVideo:
    """Write the MP4 to `output_path` (the caller owns and removes it). Runs in a worker process."""
    import av
    from PIL import Image

    if not images:
        raise ValueError("a slideshow video needs at least one image")
    sound_seconds = _sound_seconds(av, sound) if sound else 0.0
    with Image.open(io.BytesIO(images[0])) as first:
        width, height = frame_size(*first.size)
    share_ms = int(seconds_per_image(len(images), sound_seconds) * 1000)
    total_ms = share_ms * len(images)
    with av.open(output_path, "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=NOMINAL_RATE)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = _MS
        video.codec_context.time_base = _MS
        # No lookahead: a still image gains nothing from it, and it costs ~35 MB of frames at 1080 px.
        video.options = {"preset": "veryfast", "crf": "23", "tune": "stillimage", "threads": "2", "rc-lookahead": "0"}
        audio = container.add_stream("aac", rate=AUDIO_RATE) if sound_seconds > 0 else None
        if audio is not None:
            audio.bit_rate = AUDIO_BITRATE
        frame = None
        for index, data in enumerate(images):
            frame = _video_frame(av, Image, data, width, height)
            start = index * share_ms
            for pts in range(start, start + share_ms, FRAME_INTERVAL_MS):
                frame.pts = pts
                container.mux(video.encode(frame))
        assert frame is not None
        frame.pts = total_ms - 1000 // NOMINAL_RATE
        container.mux(video.encode(frame))
        container.mux(video.encode())
        if audio is not None and sound is not None:
            _copy_sound(av, container, audio, sound, total_ms / 1000)
    return RenderedVideo(width=width, height=height, duration=total_ms / 1000, size=os.path.getsize(output_path))


def _sound_seconds(av, sound: bytes) -> float:  # type: ignore[no-untyped-def]
    try:
        with av.open(io.BytesIO(sound)) as source:
            if not source.streams.audio:
                return 0.0
            if source.duration:
                return float(source.duration / av.time_base)
            stream = source.streams.audio[0]
            return float(stream.duration * stream.time_base) if stream.duration else 0.0
    except av.FFmpegError:
        return 0.0  # an unreadable sound: the images alone, a few seconds each


def _video_frame(av, image_module, data: bytes, width: int, height: int):  # type: ignore[no-untyped-def]
    """The image fitted into the frame on black, as a video frame."""
    with image_module.open(io.BytesIO(data)) as source:
        picture = source.convert("RGB")
    picture.thumbnail((width, height), image_module.Resampling.LANCZOS)
    if picture.size != (width, height):
        canvas = image_module.new("RGB", (width, height))
        canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
        picture = canvas
    return av.VideoFrame.from_image(picture).reformat(format="yuv420p")


def _copy_sound(av, container, audio, sound: bytes, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """The sound re-encoded as AAC, cut at `seconds`."""
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    limit = int(seconds * AUDIO_RATE)
    written = 0
    with av.open(io.BytesIO(sound)) as source:
        for decoded in source.decode(audio=0):
            for frame in resampler.resample(decoded):
                if written >= limit:
                    break
                frame.pts = written
                frame.time_base = Fraction(1, AUDIO_RATE)
                written += frame.samples
                container.mux(audio.encode(frame))
            if written >= limit:
                break
    container.mux(audio.encode())
