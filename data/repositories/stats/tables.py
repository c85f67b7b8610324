"""Tables only the stats bot writes (migrations 0002, 0003): daily rollups of closed days, their progress,
and the ids of the messages it keeps up to date in STATS_CHAT."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Index, MetaData, SmallInteger, String, Table, text

from data.models import NAMING_CONVENTION

STATS_METADATA = MetaData(naming_convention=NAMING_CONVENTION)

rollup_progress = Table(
    "stats_rollup_progress",
    STATS_METADATA,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("rolled_up_until", DateTime(timezone=True), nullable=False),
)
daily_registrations = Table(
    "stats_daily_registrations",
    STATS_METADATA,
    Column("day", Date, primary_key=True),
    Column("audience", String(8), primary_key=True),
    Column("registrations", BigInteger, nullable=False),
)
daily_deliveries = Table(
    "stats_daily_deliveries",
    STATS_METADATA,
    Column("day", Date, primary_key=True),
    Column("source", String(16), primary_key=True),
    Column("audience", String(8), primary_key=True),
    Column("outcome", String(16), primary_key=True),
    Column("error_kind", String(32), primary_key=True),  # '' for none: key columns cannot be NULL
    Column("is_inline", Boolean, primary_key=True),
    Column("deliveries", BigInteger, nullable=False),
    Column("bytes", BigInteger, nullable=False),
)
# Successful deliveries per day and door (chat, inline, guest), and how many of the videos among them
# were silent or HEVC (migration 0003).
daily_doors = Table(
    "stats_daily_doors",
    STATS_METADATA,
    Column("day", Date, primary_key=True),
    Column("door", String(16), primary_key=True),
    Column("deliveries", BigInteger, nullable=False),
    Column("silent", BigInteger, nullable=False),
    Column("hevc", BigInteger, nullable=False),
)
# One row per chat that ever asked for anything: how often, and the last day it did.
chat_activity = Table(
    "stats_chat_activity",
    STATS_METADATA,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("requests", BigInteger, nullable=False),
    Column("last_day", Date, nullable=False),
    Index("ix_stats_chat_activity_last_day_chat_id", "last_day", "chat_id"),
    Index("ix_stats_chat_activity_top", text("requests DESC"), text("chat_id")),
)
# How many chats had their last active day on each day: recounted from `stats_chat_activity` at each
# rollup, so "chats active since day D" is a sum over a few hundred rows instead of a million.
last_active_days = Table(
    "stats_last_active_days",
    STATS_METADATA,
    Column("day", Date, primary_key=True),
    Column("audience", String(8), primary_key=True),
    Column("chats", BigInteger, nullable=False),
)
boards = Table(
    "stats_boards",
    STATS_METADATA,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(16), primary_key=True),
    Column("message_id", BigInteger, nullable=False),
)
ROLLUP_TABLES = (rollup_progress, daily_registrations, daily_deliveries, daily_doors, chat_activity, last_active_days)
STATS_TABLES = (*ROLLUP_TABLES, boards)
