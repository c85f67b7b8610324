"""A chat's delivery history as CSV, written to a file batch by batch (never all rows in memory)."""

from __future__ import annotations

import csv
from pathlib import Path

from data.repositories.stats import HistoryRow, StatsRepository

# About 8 MB of CSV: far below Telegram's 50 MB document limit, and more than any operator reads.
HISTORY_LIMIT = 100_000
COLUMNS = ("time_utc", "kind", "post_id", "outcome", "error_kind", "inline", "bytes", "duration_ms")


def _cells(row: HistoryRow) -> tuple[object, ...]:
    return (
        row.created_at.isoformat(timespec="seconds"),
        row.source,
        row.video_id,
        row.outcome,
        row.error_kind or "",
        "yes" if row.is_inline else "no",
        "" if row.bytes is None else row.bytes,
        "" if row.duration_ms is None else row.duration_ms,
    )


async def write_history(stats: StatsRepository, chat_id: int, path: Path, limit: int = HISTORY_LIMIT) -> int:
    """Write the newest `limit` deliveries of the chat to `path`; returns how many rows were written."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        async for batch in stats.chat_history(chat_id, limit):
            writer.writerows(_cells(row) for row in batch)
            written += len(batch)
    return written
