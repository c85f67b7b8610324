"""Container health probe: `python healthcheck.py [bot|stats|maintenance]`.

Exit 0 when that process's heartbeat (misc/runtime/healthcheck.py) is fresh, 1 otherwise, with one line saying why
(Docker keeps it in `docker inspect`). The heartbeat file is per bot: its id comes from the token the process
uses (BOT_TOKEN, or STATS_BOT_TOKEN for the stats bot), read from the environment or `.env` as the process does.
"""

from __future__ import annotations

import os
import sys

from dotenv import dotenv_values

from misc.runtime.healthcheck import HEARTBEAT_MAX_AGE, heartbeat_age, heartbeat_path

TOKEN_VARIABLES = {"bot": "BOT_TOKEN", "stats": "STATS_BOT_TOKEN", "maintenance": "BOT_TOKEN"}


def bot_id(variable: str) -> int | None:
    """The bot id a token starts with (never the secret after the colon)."""
    token = os.environ.get(variable) or dotenv_values(".env").get(variable) or ""
    left = token.strip().partition(":")[0]
    return int(left) if left.isdigit() else None


def main(argv: list[str]) -> int:
    process = argv[0] if argv else "bot"
    if process not in TOKEN_VARIABLES:
        print(f"usage: healthcheck.py [{'|'.join(TOKEN_VARIABLES)}]", file=sys.stderr)
        return 2
    found = bot_id(TOKEN_VARIABLES[process])
    if found is None:
        print(f"unhealthy: {TOKEN_VARIABLES[process]} is not set or malformed, so no heartbeat to look for")
        return 1
    path = heartbeat_path(process, found)
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
