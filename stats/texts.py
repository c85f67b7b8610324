"""Operator-facing texts (English on purpose: operators are not users, and these never reach them).

Tables go into <pre> blocks so the numbers line up in Telegram's monospace font.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from data.kinds import DeliverySource
from data.repositories.stats import (
    Audience,
    AudienceFigures,
    ChatReport,
    OtherStats,
    Period,
    PeriodReport,
    ReferralReport,
    ReliabilityReport,
    Series,
    Source,
)
from stats.graphs import graph_title

AUDIENCE_TITLES = {Audience.PRIVATE: "Private chats", Audience.GROUP: "Groups"}
SOURCE_TITLES = {Source.VIDEO: "Videos", Source.SLIDESHOW: "Slideshows", Source.MUSIC: "Sounds"}
DOOR_TITLES = {DeliverySource.CHAT: "In chats", DeliverySource.INLINE: "Inline", DeliverySource.GUEST: "Guest mode"}
PERIOD_TITLES = {
    Period.DAY: "Last 24 hours",
    Period.WEEK: "Last 7 days",
    Period.MONTH: "Last 30 days",
    Period.ALL: "All time",
}
FIGURE_ROWS = (
    ("Registrations", "registrations"),
    ("Videos", "videos"),
    ("Slideshows", "slideshows"),
    ("Sounds", "sounds"),
    ("Active chats", "active_chats"),
)

MENU_HINT = "Pick a section below."
GRAPHS_MENU = (
    "<b>📈 Graphs</b>\n"
    "👤 registrations · 🎬 videos and slideshows delivered · 🎵 sounds delivered\n"
    "24 h is per hour; week and month are per day; total is per month. Times are UTC."
)
SEARCH_PROMPT = (
    "<b>🔎 Find a chat</b>\nSend its id: digits for a user (like <code>123456789</code>), "
    "a minus sign first for a group (like <code>-1001234567890</code>)."
)
NOT_A_CHAT_ID = (
    "“{text}” is not a chat id. Send digits only, like <code>123456789</code>, "
    "or <code>-1001234567890</code> for a group."
)
CHAT_NOT_FOUND = "No chat <code>{chat_id}</code> in the database: it never used the bot."
HISTORY_CAPTION = "History of <code>{chat_id}</code>: {rows:,} deliveries, newest first."
HISTORY_CAPTION_CUT = "History of <code>{chat_id}</code>: the newest {rows:,} of {total:,} deliveries."
DRAWING = "Drawing…"
BOARD_OVERALL_TITLE = "📊 <b>tt-bot, all time</b>"
BOARD_DAILY_TITLE = "🕐 <b>tt-bot, last 24 hours</b>"


def number(value: int) -> str:
    return f"{value:,}"


def data_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned numbers, in a <pre> block."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]

    def aligned(column: int, cell: str) -> str:
        return cell.ljust(widths[column]) if column == 0 else cell.rjust(widths[column])

    lines = ["  ".join(aligned(column, cell) for column, cell in enumerate(row)) for row in rows]
    return "<pre>" + html.escape("\n".join(line.rstrip() for line in lines)) + "</pre>"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# ---- quick stats and boards ----


def figures_table(columns: Sequence[tuple[str, dict[Audience, AudienceFigures]]]) -> str:
    rows: list[list[str]] = []
    for audience in Audience:
        rows.append([AUDIENCE_TITLES[audience], *(title for title, _ in columns)])
        for label, field in FIGURE_ROWS:
            rows.append([f"  {label}", *(number(getattr(figures[audience], field)) for _, figures in columns)])
    return _table(rows)


def quick_stats(all_time: dict[Audience, AudienceFigures], last_24h: dict[Audience, AudienceFigures]) -> str:
    table = figures_table([("All time", all_time), ("24 h", last_24h)])
    return f"<b>📊 Quick stats</b>\n{table}\nDeliveries count successes; active chats asked for anything.\n{MENU_HINT}"


def board(title: str, figures: dict[Audience, AudienceFigures]) -> str:
    return f"{title}\n{figures_table([('', figures)])}"


# ---- by period ----


def period_report(report: PeriodReport) -> str:
    since = "since the first row" if report.since is None else f"since {_utc(report.since)}"
    chats = _table(
        [
            ["", "Private", "Groups"],
            ["Registrations", *(number(report.registrations[audience]) for audience in Audience)],
            ["Active chats", *(number(report.active_chats[audience]) for audience in Audience)],
        ]
    )
    deliveries = _table(
        [
            ["", "OK", "Failed", "Inline", "Data"],
            *(
                [
                    SOURCE_TITLES[source],
                    number(tally.succeeded),
                    number(tally.failed),
                    number(tally.inline),
                    data_size(tally.bytes),
                ]
                for source, tally in report.deliveries.items()
            ),
        ]
    )
    return f"<b>📅 {PERIOD_TITLES[report.period]}</b> ({since})\n{chats}\n{deliveries}"


# ---- referrals, other, reliability ----


def referrals(report: ReferralReport) -> str:
    head = f"<b>👥 Referrals</b>\n{number(report.referred)} chats came through a referral link."
    if not report.top:
        return head
    return f"{head}\n{_table([[payload, number(n)] for payload, n in report.top])}"


def other(stats: OtherStats) -> str:
    languages = _table(
        [[language or "unknown", number(n), percent(n, stats.chats)] for language, n in stats.languages] or [["—"]]
    )
    top = _table(
        [
            [f"{place}.", str(chat.chat_id), chat.chat_type or "?", number(chat.requests)]
            for place, chat in enumerate(stats.top_chats, start=1)
        ]
        or [["—"]]
    )
    return (
        "<b>🗂 Other</b>\n"
        f"Chats: {number(stats.chats)}\n"
        f"File mode on: {number(stats.file_mode_chats)} ({percent(stats.file_mode_chats, stats.chats)})\n"
        f"Blocked the bot: {number(stats.blocked_chats)}\n"
        f"<b>Languages</b>\n{languages}\n"
        f"<b>Top chats</b> (requests, all time)\n{top}"
    )


def reliability(reports: Sequence[ReliabilityReport]) -> str:
    parts = ["<b>✅ Reliability</b>"]
    for report in reports:
        rate = percent(report.succeeded, report.attempts)
        parts.append(
            f"<b>{PERIOD_TITLES[report.period]}</b>: {number(report.succeeded)} of {number(report.attempts)} "
            f"attempts succeeded ({rate})"
        )
        if report.errors:
            errors = [[kind or "unknown", number(n)] for kind, n in report.errors]
            parts.append("Errors:\n" + _table(errors))
        parts.append(
            f"TikTok pages not read: {number(report.pages_unread)} ({percent(report.pages_unread, report.attempts)})"
            f" · content answers (deleted, private, …): {number(report.content_answers)}"
        )
        if report.timings:
            timings = [
                [SOURCE_TITLES[source], number(timing.samples), f"{timing.p50_ms:,} ms", f"{timing.p95_ms:,} ms"]
                for source, timing in report.timings.items()
            ]
            parts.append("Time per delivery:\n" + _table([["", "n", "p50", "p95"], *timings]))
        if report.doors:
            doors = [[DOOR_TITLES[door], number(n)] for door, n in report.doors.items()]
            parts.append("Deliveries by door:\n" + _table(doors))
        parts.append(f"Silent videos: {number(report.silent)} · HEVC videos: {number(report.hevc)}")
    return "\n".join(parts)


# ---- graphs ----


def graph_caption(series: Series) -> str:
    return (
        f"📈 {html.escape(graph_title(series))}\n"
        f"Total: {number(series.total)} · current bucket: {number(series.values[-1])}"
    )


# ---- one chat ----


def chat_report(report: ChatReport) -> str:
    lines = [f"<b>🔎 Chat <code>{report.chat_id}</code></b>"]
    record = report.record
    if record is None:
        lines.append("Not registered (deliveries only).")
    else:
        lines += [
            f"Type: {html.escape(record.chat_type)}",
            f"Language: {html.escape(record.language or 'unknown')}",
            f"Referral: {html.escape(record.referral) if record.referral else 'none'}",
            f"Registered: {_utc(record.registered_at)}",
            f"Last seen: {_utc(record.last_seen) if record.last_seen else 'never'}",
            f"File mode: {'on' if record.file_mode else 'off'}",
            f"Blocked the bot: {'yes' if record.blocked else 'no'}",
        ]
    rows = [["", "OK", "Failed", "Inline", "Data"]]
    for source, tally in report.deliveries.items():
        rows.append(
            [
                SOURCE_TITLES[source],
                number(tally.succeeded),
                number(tally.failed),
                number(tally.inline),
                data_size(tally.bytes),
            ]
        )
    lines.append(_table(rows))
    if report.first_request and report.last_request:
        lines.append(f"First request: {_utc(report.first_request)}\nLast request: {_utc(report.last_request)}")
    return "\n".join(lines)
