"""Benchmark of slideshow rendering (prints figures; not a test).

    .venv/bin/python bench/bench_slideshow_video.py [--runs 3]

Renders in the bot's own image worker (`tiktok_api.worker_pool`, a fresh one per run):
1. 10 slides of 1080x1440 JPEG with a 30 s MP3 sound (aim: ≤ 3 s wall on a 2-core machine);
2. 35 slides with the same sound (capped at 60 s of video).
For each: wall time, CPU seconds and peak RSS of the worker, output size and duration; and the worker's
RSS before its first render (the converter loaded, PyAV not yet), so what rendering itself adds is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLIDE_SIZE = (1080, 1440)


def _slides(count: int) -> list[bytes]:
    """Photo-like JPEGs (gradients and noise, ~150-300 kB), each different."""
    from PIL import Image, ImageDraw, ImageFilter

    slides = []
    for index in range(count):
        noise = Image.effect_noise(SLIDE_SIZE, 40 + index).convert("RGB")
        tint = Image.new("RGB", SLIDE_SIZE, ((index * 37) % 255, (index * 91) % 255, (index * 53) % 255))
        picture = Image.blend(noise.filter(ImageFilter.GaussianBlur(2)), tint, 0.6)
        ImageDraw.Draw(picture).ellipse((100 + index * 10, 300, 900, 1100), outline=(255, 255, 255), width=12)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=88)
        slides.append(buffer.getvalue())
    return slides


def render_measured(slides: list[bytes], sound: bytes, output: str) -> tuple[float, float, int, int, object, int]:
    """Runs in the worker: the render, with the worker's own CPU and memory figures."""
    from tiktok_api.slideshow_video import render_slideshow

    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = os.times()
    started = time.perf_counter()
    rendered = render_slideshow(slides, sound, output)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return wall, cpu, before_rss, peak, rendered, os.path.getsize(output)


async def _run(slides: list[bytes], sound: bytes) -> tuple[float, float, int, int, object, int]:
    from bench.bench_slideshow_video import render_measured  # by its module name, which the worker can import
    from tiktok_api.images import WORKER_MODULES
    from tiktok_api.worker_pool import IdleReleasingPool

    descriptor, output = tempfile.mkstemp(suffix=".mp4")
    os.close(descriptor)
    pool = IdleReleasingPool(max_workers=2, preload=WORKER_MODULES)
    try:
        return await pool.run(render_measured, slides, sound, output)
    finally:
        await pool.close()
        os.unlink(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    from tests.fakes import media

    sound = media.sound_bytes(30)
    print(f"cpus: {os.cpu_count()}, sound: 30 s MP3 of {len(sound) // 1024} kB, slides {SLIDE_SIZE[0]}x{SLIDE_SIZE[1]}")
    for count in (10, 35):
        slides = _slides(count)
        size_kb = sum(map(len, slides)) // 1024
        print(f"\n{count} slides ({size_kb} kB of JPEG) + 30 s sound:")
        for run in range(1, arguments.runs + 1):
            wall, cpu, imported, peak, rendered, output = asyncio.run(_run(slides, sound))
            print(
                f"  run {run}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {peak / 1024:.0f} MB"
                f" (before the render {imported / 1024:.0f} MB), {rendered.width}x{rendered.height}"  # type: ignore[attr-defined]
                f" {rendered.duration:.1f} s, {output / 1024:.0f} kB"  # type: ignore[attr-defined]
            )


if __name__ == "__main__":
    main()
