"""The stats bot end to end: stats.py's dispatcher long-polls the fake Telegram and reads PostgreSQL
seeded with the known rows of `tests/plugins/stats.py` (timed from the real clock)."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image

from data.models import Video
from data.repositories.stats import Metric, Period, Span
from stats.keyboards import GraphButton, PeriodButton, Section, SectionButton
from tests.fakes.telegram import ApiCall, FakeTelegram, Misbehaviour
from tests.plugins.stats import (
    STATS_OPERATOR,
    STRANGER,
    RunningStatsBot,
    load_stats_root,
    seed_extraction_failures,
    seed_known_rows,
)

ALL_BUTTONS = {
    *(SectionButton(section=section).pack() for section in Section),
    *(PeriodButton(period=period).pack() for period in Period),
    *(GraphButton(metric=metric, span=span).pack() for metric in Metric for span in Span),
}


@pytest.fixture
async def seeded(db_sessions) -> None:
    await seed_known_rows(db_sessions, datetime.now(UTC))


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cells(text: str, label: str, *, after: str | None = None) -> list[str]:
    """The cells right of `label` in the first table line that starts with it (below the line `after`)."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in plain(text).splitlines()]
    if after is not None:
        rows = rows[[row[0] for row in rows].index(after) :]
    for row in rows:
        if row[0] == label:
            return row[1:]
    raise AssertionError(f"no line {label!r} in:\n{plain(text)}")


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def current(tg: FakeTelegram, message: dict) -> dict:
    """The message as the chat shows it now (after any edits)."""
    return next(shown for shown in tg.messages(message["chat"]["id"]) if shown["message_id"] == message["message_id"])


def to_operator(method: str):
    return lambda call: call.params.get("chat_id") == STATS_OPERATOR


async def open_menu(bot: RunningStatsBot) -> dict:
    bot.tg.send_message(STATS_OPERATOR, "/stats")
    call = await bot.tg.wait_for_call("sendMessage", to_operator("sendMessage"))
    return call.result


async def press(bot: RunningStatsBot, message: dict, data: str, method: str = "editMessageText") -> ApiCall:
    before = len(bot.tg.calls_of(method))
    bot.tg.press_button(STATS_OPERATOR, message, data)
    calls = await bot.tg.wait_for_calls(method, before + 1)
    return calls[-1]


async def test_the_menu_arrives_through_a_gateway_page_and_a_reset(seeded, stats_bot: RunningStatsBot) -> None:
    stats_bot.tg.misbehave_next("sendMessage", Misbehaviour.HTML_502)
    stats_bot.tg.misbehave_next("sendMessage", Misbehaviour.RESET)
    stats_bot.tg.send_message(STATS_OPERATOR, "/stats")
    call = await stats_bot.tg.wait_for_call("sendMessage", lambda sent: sent.ok, timeout=15)
    assert set(buttons(call.result)) >= {SectionButton(section=section).pack() for section in Section}
    assert [call.ok for call in stats_bot.tg.calls_of("sendMessage")][-3:] == [False, False, True]


# ---- access ----


async def test_strangers_get_nothing_from_any_command_button_or_search(seeded, stats_bot: RunningStatsBot) -> None:
    tg = stats_bot.tg
    menu = await open_menu(stats_bot)
    pressed: set[str] = set()
    injected = 1

    async def stranger_presses_everything_on(message: dict) -> None:
        nonlocal injected
        calls_before = len(tg.calls)
        for data in buttons(message):
            tg.press_button(STRANGER, message, data)
            pressed.add(data)
            injected += 1
        await stats_bot.handled.wait_for(injected)
        # Each press is answered empty (the client stops spinning) and nothing else happens.
        answers = tg.calls[calls_before:]
        assert [call.method for call in answers] == ["answerCallbackQuery"] * len(buttons(message))
        assert [call.params.get("text") for call in answers] == [None] * len(answers)

    await stranger_presses_everything_on(menu)
    for section in (Section.DETAILS, Section.GRAPHS, Section.OTHER, Section.SEARCH):
        await press(stats_bot, current(tg, menu), SectionButton(section=Section.QUICK).pack())
        await press(stats_bot, current(tg, menu), SectionButton(section=section).pack())
        injected += 2
        await stats_bot.handled.wait_for(injected)
        await stranger_presses_everything_on(current(tg, menu))
        if section is Section.DETAILS:
            for period in Period:
                await press(stats_bot, current(tg, menu), PeriodButton(period=period).pack())
                injected += 1
                await stats_bot.handled.wait_for(injected)
                await stranger_presses_everything_on(current(tg, menu))
    assert pressed == ALL_BUTTONS

    calls_before = len(tg.calls)
    for text in ("/start", "/stats", "/user 101", "101", "-1001", "hello"):
        tg.send_message(STRANGER, text)
        injected += 1
    await stats_bot.handled.wait_for(injected)
    assert tg.calls[calls_before:] == []
    assert tg.messages(STRANGER) == []


# ---- figures ----


async def test_quick_stats_show_the_seeded_numbers(seeded, stats_bot: RunningStatsBot) -> None:
    text = (await open_menu(stats_bot))["text"]
    private = {label: cells(text, label, after="Private chats") for label in ("Registrations", "Videos", "Slideshows")}
    assert private == {"Registrations": ["4", "1"], "Videos": ["4", "2"], "Slideshows": ["1", "0"]}
    assert cells(text, "Sounds", after="Private chats") == ["2", "1"]
    assert cells(text, "Active chats", after="Private chats") == ["4", "2"]
    groups = [cells(text, label, after="Groups") for label in ("Registrations", "Videos", "Slideshows", "Sounds")]
    assert groups == [["2", "1"], ["2", "1"], ["0", "0"], ["1", "1"]]
    assert cells(text, "Active chats", after="Groups") == ["2", "1"]


PERIOD_ROWS = {
    Period.DAY: {
        "Registrations": ["1", "1"],
        "Active chats": ["2", "1"],
        "Videos": ["3", "1", "1", "8.8 KB"],
        "Slideshows": ["0", "1", "0", "0 B"],
        "Sounds": ["2", "0", "0", "300 B"],
    },
    Period.WEEK: {
        "Registrations": ["2", "1"],
        "Active chats": ["2", "1"],
        "Videos": ["4", "1", "1", "12.7 KB"],
        "Slideshows": ["1", "1", "0", "2.9 KB"],
        "Sounds": ["2", "0", "0", "300 B"],
    },
    Period.MONTH: {
        "Registrations": ["3", "2"],
        "Active chats": ["3", "2"],
        "Videos": ["5", "2", "1", "19.5 KB"],
        "Slideshows": ["1", "1", "0", "2.9 KB"],
        "Sounds": ["2", "1", "0", "300 B"],
    },
    Period.ALL: {
        "Registrations": ["4", "2"],
        "Active chats": ["4", "2"],
        "Videos": ["6", "2", "1", "20.0 KB"],
        "Slideshows": ["1", "1", "0", "2.9 KB"],
        "Sounds": ["3", "1", "0", "600 B"],
    },
}


@pytest.mark.parametrize("period", list(Period))
async def test_period_view_shows_each_period(seeded, stats_bot: RunningStatsBot, period: Period) -> None:
    menu = await open_menu(stats_bot)
    await press(stats_bot, menu, SectionButton(section=Section.DETAILS).pack())
    text = (await press(stats_bot, menu, PeriodButton(period=period).pack())).params["text"]
    assert {label: cells(text, label) for label in PERIOD_ROWS[period]} == PERIOD_ROWS[period]


async def test_referrals_top(seeded, stats_bot: RunningStatsBot) -> None:
    menu = await open_menu(stats_bot)
    text = (await press(stats_bot, menu, SectionButton(section=Section.REFERRALS).pack())).params["text"]
    assert "3 chats came through a referral link." in plain(text)
    assert cells(text, "ads") == ["2"]
    assert cells(text, "friends") == ["1"]


async def test_other_data_file_mode_languages_and_top_chats(seeded, stats_bot: RunningStatsBot) -> None:
    menu = await open_menu(stats_bot)
    text = plain((await press(stats_bot, menu, SectionButton(section=Section.OTHER).pack())).params["text"])
    assert "Chats: 6" in text
    assert "File mode on: 1 (16.7%)" in text
    assert "Blocked the bot: 1" in text
    assert cells(text, "en") == ["3", "50.0%"]
    assert cells(text, "unknown") == ["1", "16.7%"]
    top = [cells(text, f"{place}.") for place in range(1, 7)]
    assert top == [
        ["101", "private", "4"],
        ["-1001", "supergroup", "3"],
        ["102", "private", "3"],
        ["104", "private", "2"],
        ["-1002", "group", "1"],
        ["103", "private", "1"],
    ]


async def test_reliability_success_rate_error_kinds_and_percentiles(seeded, stats_bot: RunningStatsBot) -> None:
    menu = await open_menu(stats_bot)
    text = plain((await press(stats_bot, menu, SectionButton(section=Section.RELIABILITY).pack())).params["text"])
    day, week = text.split("Last 7 days")
    assert "5 of 7 attempts succeeded (71.4%)" in day
    assert cells(day, "deleted") == ["1"]
    assert cells(day, "network") == ["1"]
    assert cells(day, "Videos") == ["3", "900 ms", "1,200 ms"]
    assert cells(day, "Sounds") == ["2", "400 ms", "600 ms"]
    assert "7 of 9 attempts succeeded (77.8%)" in week
    assert cells(week, "Videos") == ["4", "900 ms", "1,500 ms"]
    assert cells(week, "Slideshows") == ["1", "2,500 ms", "2,500 ms"]
    assert cells(day, "In chats") == ["3"]
    assert cells(day, "Inline") == ["1"]
    assert cells(day, "Guest mode") == ["1"]
    assert "Silent videos: 1 · HEVC videos: 1" in day
    assert cells(week, "In chats") == ["5"]
    assert "Silent videos: 2 · HEVC videos: 2" in week
    assert "TikTok pages not read: 0 (0.0%) · content answers (deleted, private, …): 1" in day


async def test_reliability_shows_pages_not_read_apart_from_content_answers(
    seeded, db_sessions, stats_bot: RunningStatsBot
) -> None:
    await seed_extraction_failures(db_sessions, datetime.now(UTC))
    menu = await open_menu(stats_bot)
    text = plain((await press(stats_bot, menu, SectionButton(section=Section.RELIABILITY).pack())).params["text"])
    day, week = text.split("Last 7 days")

    assert "5 of 11 attempts succeeded (45.5%)" in day
    assert cells(day, "extraction") == ["2"]
    assert cells(day, "private") == ["1"]
    assert cells(day, "rate_limited") == ["1"]
    assert "TikTok pages not read: 2 (18.2%) · content answers (deleted, private, …): 2" in day
    assert "7 of 14 attempts succeeded (50.0%)" in week
    assert "TikTok pages not read: 3 (21.4%) · content answers (deleted, private, …): 2" in week


# ---- graphs ----

GRAPH_TOTALS = {
    (Metric.REGISTRATIONS, Span.DAILY): 2,
    (Metric.REGISTRATIONS, Span.WEEKLY): 3,
    (Metric.REGISTRATIONS, Span.MONTHLY): 5,
    (Metric.REGISTRATIONS, Span.TOTAL): 6,
    (Metric.VIDEOS, Span.DAILY): 3,
    (Metric.VIDEOS, Span.WEEKLY): 5,
    (Metric.VIDEOS, Span.MONTHLY): 6,
    (Metric.VIDEOS, Span.TOTAL): 7,
    (Metric.SOUNDS, Span.DAILY): 2,
    (Metric.SOUNDS, Span.WEEKLY): 2,
    (Metric.SOUNDS, Span.MONTHLY): 2,
    (Metric.SOUNDS, Span.TOTAL): 3,
}


async def test_every_graph_arrives_as_a_png_photo_with_its_totals(seeded, stats_bot: RunningStatsBot) -> None:
    menu = await open_menu(stats_bot)
    graphs = (await press(stats_bot, menu, SectionButton(section=Section.GRAPHS).pack())).result
    for metric, span in GRAPH_TOTALS:
        stats_bot.tg.press_button(STATS_OPERATOR, graphs, GraphButton(metric=metric, span=span).pack())
    photos = await stats_bot.tg.wait_for_calls("sendPhoto", len(GRAPH_TOTALS), timeout=30)
    totals = {}
    for call in photos:
        upload = call.file("photo")
        assert upload is not None
        with Image.open(io.BytesIO(upload.data)) as image:
            assert image.format == "PNG"
            assert image.size == (1000, 500)
        metric, span = upload.filename.removesuffix(".png").split("-")
        totals[Metric(metric), Span(span)] = int(re.search(r"Total: ([\d,]+)", call.params["caption"])[1])
    assert totals == GRAPH_TOTALS
    assert all(call.params["chat_id"] == STATS_OPERATOR for call in photos)


# ---- search ----


async def test_search_by_id_shows_the_chat_and_sends_its_history_csv(seeded, stats_bot: RunningStatsBot) -> None:
    tg = stats_bot.tg
    tg.send_message(STATS_OPERATOR, "102")
    report = await tg.wait_for_call("sendMessage", to_operator("sendMessage"))
    text = plain(report.params["text"])
    assert "Chat 102" in text
    assert "Language: ru" in text
    assert "Referral: ads" in text
    assert cells(text, "Videos") == ["1", "1", "0", "3.9 KB"]
    assert cells(text, "Sounds") == ["0", "1", "0", "0 B"]
    document = await tg.wait_for_call("sendDocument", to_operator("sendDocument"))
    assert "3 deliveries" in document.params["caption"]
    upload = document.file("document")
    rows = list(csv.DictReader(io.StringIO(upload.data.decode())))
    assert [(row["kind"], row["outcome"], row["error_kind"]) for row in rows] == [
        ("video", "failed", "deleted"),
        ("video", "success", ""),
        ("music", "failed", "deleted"),
    ]
    assert rows[1]["bytes"] == "4000"
    assert rows[1]["duration_ms"] == "1500"


async def test_search_command_finds_a_group(seeded, stats_bot: RunningStatsBot) -> None:
    stats_bot.tg.send_message(STATS_OPERATOR, "/user -1002")
    report = await stats_bot.tg.wait_for_call("sendMessage", to_operator("sendMessage"))
    assert "Type: group" in plain(report.params["text"])
    await stats_bot.tg.wait_for_call("sendDocument", to_operator("sendDocument"))


async def test_non_numeric_search_gets_a_clear_message(seeded, stats_bot: RunningStatsBot) -> None:
    stats_bot.tg.send_message(STATS_OPERATOR, "john<b>")
    reply = await stats_bot.tg.wait_for_call("sendMessage", to_operator("sendMessage"))
    assert plain(reply.params["text"]).startswith("“john<b>” is not a chat id. Send digits only")


async def test_unknown_chat_id_is_reported_without_a_csv(seeded, stats_bot: RunningStatsBot) -> None:
    stats_bot.tg.send_message(STATS_OPERATOR, "555")
    reply = await stats_bot.tg.wait_for_call("sendMessage", to_operator("sendMessage"))
    assert plain(reply.params["text"]) == "No chat 555 in the database: it never used the bot."
    assert stats_bot.tg.calls_of("sendDocument") == []


# ---- scheduled messages ----

STATS_CHAT = -1009990001


def board_sends(tg: FakeTelegram) -> list[ApiCall]:
    return [call for call in tg.calls_of("sendMessage") if call.params["chat_id"] == STATS_CHAT]


def board_edits(tg: FakeTelegram, message_id: int) -> list[ApiCall]:
    return [call for call in tg.calls_of("editMessageText") if call.params["message_id"] == message_id]


async def test_stats_chat_messages_are_edited_on_their_schedule(
    start_stats_bot, fake_telegram: FakeTelegram, db_sessions, caplog: pytest.LogCaptureFixture
) -> None:
    tg = fake_telegram
    tg.add_chat(STATS_CHAT, "supergroup", title="Operators")
    await seed_known_rows(db_sessions, datetime.now(UTC))
    env = {"STATS_CHAT": str(STATS_CHAT), "STATS_OVERALL_INTERVAL": "0.3", "STATS_DAILY_INTERVAL": "0.1"}
    bot = await start_stats_bot(**env)
    sent = await tg.wait_for_calls("sendMessage", 2, predicate=lambda c: c.params["chat_id"] == STATS_CHAT)
    by_title = {plain(call.params["text"]).splitlines()[0]: call for call in sent}
    overall, daily = by_title["📊 tt-bot, all time"], by_title["🕐 tt-bot, last 24 hours"]
    overall_id, daily_id = overall.result["message_id"], daily.result["message_id"]
    assert cells(overall.params["text"], "Videos", after="Private chats") == ["4"]
    assert cells(daily.params["text"], "Videos", after="Private chats") == ["2"]

    # Nothing changed: Telegram answers "message is not modified", several times, and that is fine.
    await tg.wait_for_calls("editMessageText", 3, predicate=lambda c: c.params["message_id"] == daily_id)
    await tg.wait_for_calls("editMessageText", 2, predicate=lambda c: c.params["message_id"] == overall_id)
    assert all(call.error and "not modified" in call.error[1] for call in tg.calls_of("editMessageText"))

    async with db_sessions() as session:
        session.add(Video(chat_id=101, video_id="7123", kind="video", outcome="success", created_at=datetime.now(UTC)))
        await session.commit()
    changed = await tg.wait_for_call(
        "editMessageText", lambda c: c.params["message_id"] == daily_id and c.error is None
    )
    assert cells(changed.params["text"], "Videos", after="Private chats") == ["3"]
    changed = await tg.wait_for_call(
        "editMessageText", lambda c: c.params["message_id"] == overall_id and c.error is None
    )
    assert cells(changed.params["text"], "Videos", after="Private chats") == ["5"]
    assert len(board_sends(tg)) == 2
    assert [record for record in caplog.records if record.levelname in {"ERROR", "CRITICAL"}] == []

    # After a restart the same two messages are edited, not sent again.
    await bot.stop()
    edits_before = len(tg.calls_of("editMessageText"))
    await start_stats_bot(**env)
    await tg.wait_for_calls("editMessageText", edits_before + 2)
    assert len(board_sends(tg)) == 2


async def test_a_deleted_board_message_is_sent_again(start_stats_bot, fake_telegram: FakeTelegram, db_sessions) -> None:
    tg = fake_telegram
    tg.add_chat(STATS_CHAT, "supergroup", title="Operators")
    tg.fail_when("editMessageText", lambda params: True, 400, "Bad Request: message to edit not found", times=None)
    await start_stats_bot(STATS_CHAT=str(STATS_CHAT), STATS_OVERALL_INTERVAL="5", STATS_DAILY_INTERVAL="0.1")
    await tg.wait_for_calls("sendMessage", 4, predicate=lambda c: c.params["chat_id"] == STATS_CHAT)


# ---- process ----


def test_stats_py_stops_with_a_clear_message_without_its_token(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("STATS_BOT_TOKEN", raising=False)
    monkeypatch.setenv("BOT_TOKEN", "1:the-main-bot-token-is-no-substitute")
    assert load_stats_root().main([]) == 2
    assert "STATS_BOT_TOKEN is not set" in capsys.readouterr().err
