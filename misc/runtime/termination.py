"""SIGTERM and SIGINT in every phase of a process: one line, no traceback, the exit code operators expect.

Before the event loop runs (the imports take seconds, then the settings), a signal exits at once. On the
loop, a signal during start-up cancels it (its resources close on the way out); once the process serves,
the signal asks it to stop the way it serves (polling or webhook), so running work may finish.
Standard library only: the entry points import this before anything slow.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A service manager's SIGTERM is the normal way to stop; Ctrl-C is 128 + SIGINT, as shells report it.
EXIT_CODES = {signal.SIGTERM: 0, signal.SIGINT: 128 + signal.SIGINT}


def stopped_line(process: str, signum: signal.Signals) -> str:
    return f"{process}: stopped by {signum.name}"


def exit_at_once_on_signals(process: str | None = None) -> None:
    """Until the event loop takes over: a signal prints one line and exits with its code."""
    name = process or Path(sys.argv[0]).stem

    def leave(signum: int, _frame: FrameType | None) -> None:
        received = signal.Signals(signum)
        print(stopped_line(name, received), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_CODES[received])

    for signum in SIGNALS:
        signal.signal(signum, leave)


class Termination:
    """Which signal arrived, and what it does on the running loop (see the module notes)."""

    def __init__(self, process: str) -> None:
        self.process = process
        self.received: signal.Signals | None = None
        self._task: asyncio.Task[object] | None = None
        self._stop_serving: Callable[[], object] | None = None

    def install(self) -> None:
        """Call from the process's main task: from now on a signal cancels that task (start-up)."""
        self._task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self._arrived, signum)

    def serving(self, stop: Callable[[], object]) -> None:
        """The process serves now: a signal calls `stop` instead of cancelling."""
        self._stop_serving = stop

    @property
    def exit_code(self) -> int:
        return 0 if self.received is None else EXIT_CODES[self.received]

    def _arrived(self, signum: signal.Signals) -> None:
        first = self.received is None
        self.received = self.received or signum
        if first and self._stop_serving is not None:
            self._stop_serving()
        elif self._task is not None:
            # Start-up, or a second signal while stopping: the operator will not wait any longer.
            self._task.cancel()
