"""Statistics for operators, computed by the database (DESIGN.md §6).

Counting millions of raw rows for every all-time figure is too slow, so closed days are rolled up
once into small tables (`rollups`); every answer adds the raw rows since the rollup horizon, and
reads both in one snapshot, so a rollup that advances meanwhile is never counted twice.
"""

from data.repositories.stats.reports import (
    Audience,
    AudienceFigures,
    ChatActivity,
    ChatRecord,
    ChatReport,
    DeliveryTally,
    HistoryRow,
    Metric,
    OtherStats,
    Period,
    PeriodReport,
    QuickStats,
    ReferralReport,
    ReliabilityReport,
    Series,
    Source,
    Span,
    Timing,
)
from data.repositories.stats.repository import RELIABILITY_PERIODS, StatsRepository
from data.repositories.stats.rollups import ROLLUP_LAG, rollup_horizon
from data.repositories.stats.tables import STATS_METADATA, STATS_TABLES

__all__ = [
    "RELIABILITY_PERIODS",
    "ROLLUP_LAG",
    "STATS_METADATA",
    "STATS_TABLES",
    "Audience",
    "AudienceFigures",
    "ChatActivity",
    "ChatRecord",
    "ChatReport",
    "DeliveryTally",
    "HistoryRow",
    "Metric",
    "OtherStats",
    "Period",
    "PeriodReport",
    "QuickStats",
    "ReferralReport",
    "ReliabilityReport",
    "Series",
    "Source",
    "Span",
    "StatsRepository",
    "Timing",
    "rollup_horizon",
]
