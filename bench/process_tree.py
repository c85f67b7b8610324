"""Memory and CPU of a process and every process below it, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def descendants(root: int) -> list[int]:
    """`root` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def rss_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * _PAGE / (1024 * 1024)


def pss_mb(pid: int) -> float:
    """Proportional set size: each page shared by n processes counts 1/n in each (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0.0


def tree_rss_mb(root: int) -> tuple[float, int]:
    """Resident memory of the whole tree (MB) and how many processes it has."""
    pids = descendants(root)
    return sum(rss_mb(pid) for pid in pids), len(pids)


def tree_pss_mb(root: int) -> float:
    """What the tree costs the machine (MB): summed RSS counts a page shared by the forkserver and the
    workers it forked (the preloaded modules, libpython) once per process; summed PSS counts it once."""
    return sum(pss_mb(pid) for pid in descendants(root))


def tree_cpu_seconds(root: int) -> float:
    """CPU of the tree: live processes, plus the children they have already waited for."""
    total = 0
    for pid in descendants(root):
        fields = _stat_fields(pid)
        if fields is not None:
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / _TICK
