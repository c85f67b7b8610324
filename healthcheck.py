"""Container health probe: `python healthcheck.py [bot|stats|maintenance]`.

Exit 0 when that process's heartbeat (misc/runtime/healthcheck.py) is fresh, 1 otherwise, with one line saying why
(Docker keeps it in `docker inspect`).
"""

from __future__ import annotations

import sys

from misc.runtime.healthcheck import HEARTBEAT_MAX_AGE, heartbeat_age, heartbeat_path

PROCESSES = ("bot", "stats", "maintenance")


def main(argv: list[str]) -> int:
    process = argv[0] if argv else "bot"
    if process not in PROCESSES:
        print(f"usage: healthcheck.py [{'|'.join(PROCESSES)}]", file=sys.stderr)
        return 2
    path = heartbeat_path(process)
    age = heartbeat_age(path)
    if age is None:
        print(f"unhealthy: no heartbeat at {path} (still starting, or stopped)")
        return 1
    if age > HEARTBEAT_MAX_AGE:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (limit {HEARTBEAT_MAX_AGE:.0f} s)")
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
