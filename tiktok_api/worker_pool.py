"""A bounded worker for CPU work (image conversion, rendering) that loads only what that work needs.

One child interpreter (`worker_process`) runs up to `max_workers` jobs at once on its threads: the
decoders and encoders release the GIL, so threads convert as fast as separate processes did, without a
forkserver, a resource tracker and a second copy of Pillow. The child never imports the bot (it is not
forked from it and does not re-run its entry script), starts on first use and exits after
`idle_seconds` without work, so an idle bot holds no worker memory. A worker that dies (killed for
memory, a decoder crash) fails its running jobs with `WorkerCrashedError`; the next job starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tiktok_api.worker_process import HEADER, frame

T = TypeVar("T")
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
EXIT_TIMEOUT = 5.0


class WorkerCrashedError(RuntimeError):
    """The worker process running the job died (killed for memory, or a crash in native code)."""


class _Worker:
    """One running child: the jobs sent to it, and the task that reads their results."""

    def __init__(self, process: asyncio.subprocess.Process, writer: asyncio.StreamWriter) -> None:
        self.process = process
        self.writer = writer
        self.jobs: dict[int, asyncio.Future[Any]] = {}
        self.reading: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self.reading is not None and not self.reading.done() and not self.writer.is_closing()

    async def read_results(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                job_id, length = HEADER.unpack(await reader.readexactly(HEADER.size))
                succeeded, value = _answer(await reader.readexactly(length))
                job = self.jobs.pop(job_id, None)
                if job is not None and not job.done():
                    job.set_result(value) if succeeded else job.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the child exited, or we closed our end
        finally:
            self.writer.close()
            for job in self.jobs.values():
                if not job.done():
                    job.set_exception(WorkerCrashedError("the worker process died while the job ran"))
            self.jobs.clear()
            await self._reap()

    async def _reap(self) -> None:
        try:
            await asyncio.wait_for(self.process.wait(), EXIT_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


def _answer(body: bytes) -> tuple[bool, Any]:
    try:
        return pickle.loads(body)
    except Exception as error:  # e.g. an exception class whose __init__ wants more than its args
        return False, RuntimeError(f"the worker's answer could not be read: {error!r}")


class IdleReleasingPool:
    def __init__(self, max_workers: int, preload: list[str], idle_seconds: float = 30.0) -> None:
        self._threads = max_workers
        self._preload = preload
        self._idle_seconds = idle_seconds
        self._worker: _Worker | None = None
        self._retiring: set[asyncio.Task[None]] = set()  # children told to exit, until they are reaped
        self._starting = asyncio.Lock()
        self._slots = asyncio.Semaphore(max_workers)  # jobs in the child at once; the rest wait here, unsent
        self._job_ids = itertools.count(1)
        self._running = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the worker; `fn` and its arguments must be picklable (a module-level function)."""
        self._cancel_idle_timer()
        self._running += 1
        try:
            async with self._slots:
                return await self._run_in_worker(fn, args)
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle_timer = asyncio.get_running_loop().call_later(self._idle_seconds, self._release)

    async def _run_in_worker(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        request = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        worker = await self._live_worker()
        job_id = next(self._job_ids)
        job: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        worker.jobs[job_id] = job  # no await since the liveness check: a death from now on fails it
        try:
            worker.writer.write(frame(job_id, request))
            await worker.writer.drain()
        except ConnectionError:
            pass  # the child died: reading its results fails the job
        try:
            return await job
        finally:
            worker.jobs.pop(job_id, None)

    async def _live_worker(self) -> _Worker:
        async with self._starting:
            if self._worker is None or not self._worker.alive:  # also a child that died while idle
                self._worker = await self._start()
            return self._worker

    async def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        try:
            with theirs:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "tiktok_api.worker_process", str(theirs.fileno()), str(self._threads),
                    pass_fds=(theirs.fileno(),), stdin=asyncio.subprocess.DEVNULL, env=_child_environment(),
                )  # fmt: skip
            reader, writer = await asyncio.open_unix_connection(sock=ours)
        except BaseException:
            ours.close()
            raise
        writer.write(frame(0, pickle.dumps((sys.path, self._preload))))
        worker = _Worker(process, writer)
        worker.reading = asyncio.create_task(worker.read_results(reader), name="worker-results")
        return worker

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _release(self) -> None:
        """No job for `idle_seconds`: the child exits when we close our end (the next job starts another)."""
        self._idle_timer = None
        if self._running == 0 and self._worker is not None:
            self._retire(self._worker)
            self._worker = None

    def _retire(self, worker: _Worker) -> None:
        worker.writer.close()
        if worker.reading is not None and not worker.reading.done():
            self._retiring.add(worker.reading)
            worker.reading.add_done_callback(self._retiring.discard)

    async def close(self) -> None:
        self._cancel_idle_timer()
        if self._worker is not None:
            self._retire(self._worker)
            self._worker = None
        await asyncio.gather(*self._retiring)


def _child_environment() -> dict[str, str]:
    """What the child needs of the bot's environment, and nothing secret: a decoder bug exploited by a
    crafted image finds no token, database password or proxy credentials there. This package importable
    wherever the bot was started from, and glibc's malloc held to what the work needs: one arena (with one
    per thread, glibc kept the freed decode buffers of every thread: 12 HEIC slides left 34 MB PSS after
    the work, 19 MB with one), and every block over 1 MB (frames, decoder planes) mapped apart and given
    back when freed: glibc otherwise raises that bar after the first such free and serves later frames from
    a heap that fragments and does not shrink (four HEIC slideshows at once: the worker peaked at 46–53 MB,
    34–40 MB with the bar fixed, for the same CPU)."""
    kept = {name: value for name, value in os.environ.items() if name in _KEPT or name.startswith(_KEPT_PREFIXES)}
    search_path = os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
    return {**_MALLOC, **kept, "PYTHONPATH": search_path}


_MALLOC = {"MALLOC_ARENA_MAX": "1", "MALLOC_MMAP_THRESHOLD_": str(1024 * 1024)}


_KEPT = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "LD_LIBRARY_PATH"})
_KEPT_PREFIXES = ("LC_", "PYTHON", "MALLOC_")
