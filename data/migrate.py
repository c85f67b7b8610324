"""Apply or roll back schema migrations by hand: `python -m data.migrate [upgrade [REV] | downgrade REV]`.

The bots upgrade to the newest revision at start-up; this is for operators who want to do it first."""

from __future__ import annotations

import argparse
import asyncio
import sys

from data.config import ConfigError, load_settings
from data.database import create_engine, downgrade_database, upgrade_database


async def _migrate(db_url: str, action: str, revision: str) -> None:
    engine = create_engine(db_url)
    try:
        if action == "upgrade":
            await upgrade_database(engine, revision)
        else:
            await downgrade_database(engine, revision)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="tt-bot database migrations (uses DB_URL)")
    parser.add_argument("action", choices=["upgrade", "downgrade"], nargs="?", default="upgrade")
    parser.add_argument("revision", nargs="?", default=None, help="target revision (upgrade: head by default)")
    arguments = parser.parse_args(argv)
    if arguments.action == "downgrade" and arguments.revision is None:
        parser.error("downgrade needs a target revision, e.g. 0001 or base")
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"migrate: {error}", file=sys.stderr)
        return 2
    asyncio.run(_migrate(settings.db_url, arguments.action, arguments.revision or "head"))
    print(f"database {arguments.action}d to {arguments.revision or 'head'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
