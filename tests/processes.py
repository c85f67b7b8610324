"""Starting the real entry points as child processes, the way an operator does."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def operator_environment(**values: str) -> dict[str, str]:
    """This machine's environment without any tt-bot variable, plus the given ones."""
    ours = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    return {key: value for key, value in os.environ.items() if key not in ours} | values


async def start_process(script: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / script),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def stop_process(process: asyncio.subprocess.Process, timeout: float = 60) -> str:
    """SIGTERM, then the process' whole output once it exited (killed if it overstays `timeout`)."""
    if process.returncode is None:
        process.terminate()
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
    return output.decode(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
