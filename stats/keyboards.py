"""Buttons of the stats bot, with typed callback data."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from data.repositories.stats import Metric, Period, Span


class Section(StrEnum):
    QUICK = "quick"
    DETAILS = "details"
    GRAPHS = "graphs"
    REFERRALS = "referrals"
    OTHER = "other"
    RELIABILITY = "reliability"
    SEARCH = "search"


class SectionButton(CallbackData, prefix="st"):
    section: Section


class PeriodButton(CallbackData, prefix="stp"):
    period: Period


class GraphButton(CallbackData, prefix="stg"):
    metric: Metric
    span: Span


SECTION_LABELS = {
    Section.QUICK: "📊 Quick stats",
    Section.DETAILS: "📅 By period",
    Section.GRAPHS: "📈 Graphs",
    Section.RELIABILITY: "✅ Reliability",
    Section.REFERRALS: "👥 Referrals",
    Section.OTHER: "🗂 Other",
    Section.SEARCH: "🔎 Find a chat",
}
PERIOD_LABELS = {Period.DAY: "24 h", Period.WEEK: "7 days", Period.MONTH: "30 days", Period.ALL: "All time"}
METRIC_LABELS = {Metric.REGISTRATIONS: "👤 Registrations", Metric.VIDEOS: "🎬 Videos", Metric.SOUNDS: "🎵 Sounds"}
SPAN_LABELS = {Span.DAILY: "24 h", Span.WEEKLY: "Week", Span.MONTHLY: "Month", Span.TOTAL: "Total"}
MENU_ROWS = (
    (Section.QUICK, Section.DETAILS),
    (Section.GRAPHS, Section.RELIABILITY),
    (Section.REFERRALS, Section.OTHER),
    (Section.SEARCH,),
)


def _section(section: Section, label: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=label or SECTION_LABELS[section], callback_data=SectionButton(section=section).pack()
    )


def _back_row() -> list[InlineKeyboardButton]:
    return [_section(Section.QUICK, "⬅️ Menu")]


def menu_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_section(section) for section in row] for row in MENU_ROWS])


def periods_keyboard(current: Period) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            text=f"• {label}" if period is current else label, callback_data=PeriodButton(period=period).pack()
        )
        for period, label in PERIOD_LABELS.items()
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row, _back_row()])


def graphs_keyboard() -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=f"{METRIC_LABELS[metric].split()[0]} {SPAN_LABELS[span]}",
                callback_data=GraphButton(metric=metric, span=span).pack(),
            )
            for span in Span
        ]
        for metric in Metric
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _back_row()])


def section_keyboard(section: Section) -> InlineKeyboardMarkup:
    """A refresh button for the section shown, and the way back to the menu."""
    return InlineKeyboardMarkup(inline_keyboard=[[_section(section, "🔄 Refresh"), *_back_row()]])


def search_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_back_row()])
