"""Jobs for process-pool tests: module-level, so that a forkserver worker can import them by name."""

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
