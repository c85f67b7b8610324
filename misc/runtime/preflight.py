"""Before the slow imports of an entry point (the framework, yt-dlp and SQLAlchemy take seconds): a signal
ends the process in one line, and a configuration it cannot start with is reported at once.
Light on purpose: the settings, the logging set-up and the standard library, nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from data.config import ConfigError, Settings, load_settings
from misc.runtime.heap import pause_collection_for_imports
from misc.runtime.logging_setup import configure_logging
from misc.runtime.termination import exit_at_once_on_signals


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


def preflight(process: str, require: Callable[[Settings], object] | None) -> None:
    """Run first by an entry point started as a script: exit 2 now rather than after seconds of imports
    (which then run without garbage collection, until `settle_imported_heap`)."""
    exit_at_once_on_signals(process)
    if checked_settings(process, require) is None:
        raise SystemExit(2)
    pause_collection_for_imports()
