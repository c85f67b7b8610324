"""The database helps a delivery (media cache, statistics, registration) but never decides it.

With the database away a link still gets its video: a cache lookup counts as a miss, and what would
have been written is logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger("tt-bot.database")

Result = TypeVar("Result")
DATABASE_ERRORS = (SQLAlchemyError, OSError)


async def best_effort(operation: Awaitable[Result], default: Result, what: str) -> Result:
    try:
        return await operation
    except DATABASE_ERRORS as error:
        logger.warning("%s skipped, database unavailable: %s", what, type(error).__name__)
        return default
