"""Jobs for worker-pool tests: module-level, so that the worker process can import them by name."""

from __future__ import annotations

import os
import signal
import time


def die() -> None:
    """What the kernel's out-of-memory killer, or a crashing decoder, does to a worker."""
    os.kill(os.getpid(), signal.SIGKILL)


def slow_square(number: int, seconds: float = 0.5) -> int:
    time.sleep(seconds)
    return number * number


def worker_pid() -> int:
    return os.getpid()


def busy_interval(seconds: float) -> tuple[int, float, float]:
    """Which process ran the job, and when it started and ended (the monotonic clock is the machine's)."""
    started = time.monotonic()
    time.sleep(seconds)
    return os.getpid(), started, time.monotonic()


def fail(message: str) -> None:
    raise ValueError(message)


def unpicklable_result() -> object:
    return lambda: None


def environment_names() -> list[str]:
    return sorted(os.environ)


class DecoderError(Exception):
    """Like some native libraries' errors: more in __init__ than in args, so unpickling it fails."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def fail_oddly() -> None:
    raise DecoderError(7, "bad frame")
