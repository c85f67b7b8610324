"""What the three processes share around their composition roots: the app holder and the start-up."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher

from data.config import ConfigError, Settings, load_settings
from misc.runtime.logging_setup import configure_logging


@dataclass(slots=True)
class BotApp:
    """A built process: its bot and dispatcher, and every resource it owns (closed in reverse order)."""

    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    resources: AsyncExitStack

    async def close(self) -> None:
        await self.resources.aclose()


def checked_settings(process: str, require: Callable[[Settings], object] | None) -> Settings | None:
    """Settings with `require` satisfied, or None after one clear line on stderr (never a traceback)."""
    try:
        settings = load_settings()
        if require is not None:
            require(settings)
    except ConfigError as error:
        print(f"{process}: {error}", file=sys.stderr)
        return None
    configure_logging(settings.log_level, settings.secrets)
    return settings


def run_process(
    process: str, require: Callable[[Settings], object], run: Callable[[Settings], Coroutine[Any, Any, None]]
) -> int:
    settings = checked_settings(process, require)
    if settings is None:
        return 2
    asyncio.run(run(settings))
    return 0
