"""Liveness heartbeat: a running process touches a file on its event loop; `healthcheck.py` reads its age.

What a fresh heartbeat proves: the process got through start-up (migrations, bot built) and its event loop
still runs callbacks. It says nothing about Telegram or TikTok being reachable; a restart would not fix
those. Standard library only, so the container's health probe starts fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from pathlib import Path

HEARTBEAT_INTERVAL = 10.0
# Six missed beats: a loop blocked this long is stuck, not busy.
HEARTBEAT_MAX_AGE = 60.0

logger = logging.getLogger(__name__)


def heartbeat_path(process: str, bot_id: int, directory: Path | None = None) -> Path:
    """Where `process` ("bot", "stats", "maintenance") of the bot `bot_id` keeps its heartbeat; the temp dir
    unless told. Two bots on one host never share a file, so one's probe never passes on the other's beat."""
    return (directory or Path(tempfile.gettempdir())) / f"tt-bot-{process}-{bot_id}.heartbeat"


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last beat, or None when there is no heartbeat file."""
    try:
        beat = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - beat)


class Heartbeat:
    """Touches `heartbeat_path(process)` every `interval` seconds from `start()` until `stop()`.

    Register both on the dispatcher: `startup.register(heartbeat.start)`, `shutdown.register(heartbeat.stop)`.
    """

    def __init__(
        self, process: str, bot_id: int, *, interval: float = HEARTBEAT_INTERVAL, directory: Path | None = None
    ) -> None:
        self.path = heartbeat_path(process, bot_id, directory)
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is not None:
            return
        self._beat()
        self._task = asyncio.create_task(self._run(), name=f"heartbeat:{self.path.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # A stopped process must not look healthy to the next probe.
        self.path.unlink(missing_ok=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            self._beat()

    def _beat(self) -> None:
        try:
            self.path.touch()
        except OSError as error:
            # The probe will report the stale file; the bot itself keeps working.
            logger.warning("cannot write heartbeat %s: %s", self.path, error)
