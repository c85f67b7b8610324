"""The worker side of `worker_pool`: its own interpreter, started as `python -m tiktok_api.worker_process`.

It loads only the modules the pool names (Pillow, pillow-heif, PyAV… never the bot), reads jobs from
the socket it inherits, runs them on a few threads (the decoders and encoders release the GIL) and
writes each result back. It exits as soon as the bot closes its end or dies. Standard library only.

A frame is a header (job id, body length) and a pickled body: `(function, args)` to the worker,
`(succeeded, result or exception)` back. The bot's first frame (job 0) is `(sys.path, modules)`.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from struct import Struct
from typing import Any, BinaryIO

HEADER = Struct("!QQ")  # job id, body length


def frame(job_id: int, body: bytes) -> bytes:
    return HEADER.pack(job_id, len(body)) + body


def _read_frame(stream: BinaryIO) -> tuple[int, bytes] | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    job_id, length = HEADER.unpack(header)
    body = stream.read(length)
    return (job_id, body) if len(body) == length else None


def _outcome(body: bytes) -> tuple[bool, Any]:
    try:
        function, args = pickle.loads(body)  # imports the function's module on first use
        return True, function(*args)
    except BaseException as error:
        return False, error


def _pickled(outcome: tuple[bool, Any]) -> bytes:
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        succeeded, value = outcome
        described = value if not succeeded else error
        return pickle.dumps((False, RuntimeError(f"{type(described).__name__}: {described}")))


def serve(descriptor: int, threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the bot decides
    connection = socket.socket(fileno=descriptor)
    stream = connection.makefile("rb")
    sending = threading.Lock()

    def run(job_id: int, body: bytes) -> None:
        reply = frame(job_id, _pickled(_outcome(body)))
        with sending:
            connection.sendall(reply)

    setup = _read_frame(stream)
    if setup is None:
        os._exit(0)
    parent_path, modules = pickle.loads(setup[1])
    sys.path[:] = parent_path + [entry for entry in sys.path if entry not in parent_path]
    for module in modules:
        importlib.import_module(module)
    with ThreadPoolExecutor(threads, thread_name_prefix="job") as executor:
        while (job := _read_frame(stream)) is not None:
            executor.submit(run, *job)
        os._exit(0)  # the bot is gone or done with us: running jobs have no one to answer


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
