"""A bounded process pool for CPU work (image conversion, rendering) whose workers load only what it needs.

Workers come from a `forkserver` that preloads the given modules, never the parent's `__main__`: a
`spawn`ed worker would run the entry script again and import the whole bot. Workers start on first
use (or `warm_up()`) and the pool shuts down after `idle_seconds` without work, so an idle bot holds
no worker memory. A worker that dies (killed for memory, a decoder crash) fails the jobs of its pool with
`WorkerCrashedError`, and the next job starts a new pool: a broken pool is never used again.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerCrashedError(RuntimeError):
    """A worker process of the job's pool died (killed for memory, or a crash in native code)."""


def _noop() -> None:
    return None


@contextlib.contextmanager
def _without_main_script() -> Iterator[None]:
    """While workers start: multiprocessing tells each new worker to re-run the parent's `__main__` file
    (the bot's entry script); a stand-in without a file makes it skip that. Only the starting thread
    looks at it, for the few microseconds of `submit`."""
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real


class IdleReleasingPool:
    def __init__(self, max_workers: int, preload: list[str], idle_seconds: float = 30.0) -> None:
        self._max_workers = max_workers
        self._preload = preload
        self._idle_seconds = idle_seconds
        self._executor: ProcessPoolExecutor | None = None
        self._running = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    def _get_executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self._preload)
            self._executor = ProcessPoolExecutor(max_workers=self._max_workers, mp_context=context)
        return self._executor

    def _submit(self, fn: Callable[..., T], *args: Any) -> tuple[ProcessPoolExecutor, Future[T]]:
        try:
            return self._submit_to_current(fn, *args)
        except BrokenProcessPool:  # a worker died while the pool was idle: the job never ran, a new pool takes it
            self._discard(self._executor)
            return self._submit_to_current(fn, *args)

    def _submit_to_current(self, fn: Callable[..., T], *args: Any) -> tuple[ProcessPoolExecutor, Future[T]]:
        executor = self._get_executor()
        with _without_main_script():
            return executor, executor.submit(fn, *args)

    def warm_up(self) -> None:
        """Start every worker now (they preload the converter modules) instead of on the first job."""
        futures = [self._submit(_noop)[1] for _ in range(self._max_workers)]
        for future in futures:
            future.result()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker; `fn` and its arguments must be picklable (a module-level function)."""
        self._cancel_idle_timer()
        self._running += 1
        try:
            executor, future = self._submit(fn, *args)
            try:
                return await asyncio.wrap_future(future)
            except BrokenProcessPool as error:
                self._discard(executor)
                raise WorkerCrashedError(f"a worker process died while {fn.__name__} ran") from error
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle_timer = asyncio.get_running_loop().call_later(self._idle_seconds, self._release)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _discard(self, executor: ProcessPoolExecutor | None) -> None:
        """A broken pool is never handed another job; the next `_submit` starts a new one."""
        if executor is not None and self._executor is executor:
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)

    def _release(self) -> None:
        """No job for `idle_seconds`: let the workers exit (the next job starts them again)."""
        self._idle_timer = None
        if self._running == 0 and self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def close(self) -> None:
        self._cancel_idle_timer()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
