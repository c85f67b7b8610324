"""The fake Telegram Bot API, checked through the real aiogram client and a real polling Dispatcher."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedVideo,
    InputMediaPhoto,
    InputMediaVideo,
    InputTextMessageContent,
    Message,
    ReactionTypeEmoji,
    ReplyParameters,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from PIL import Image

from tests.fakes.telegram import FakeTelegram, UploadedFile

VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8


def jpeg(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def keyboard(*callback_data: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=data, callback_data=data) for data in callback_data]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def make_bot(tg: FakeTelegram) -> Bot:
    api = TelegramAPIServer.from_base(tg.base_url, is_local=tg.is_local)
    return Bot(tg.token, session=AiohttpSession(api=api), default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(fake_telegram)
    yield bot
    await bot.session.close()


@asynccontextmanager
async def polling(tg: FakeTelegram, bot: Bot, *routers: Router) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher()
    dispatcher.include_routers(*routers)
    task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False))
    await tg.wait_for_call("getMe")  # polling has started once it asked who it is
    try:
        yield dispatcher
    finally:
        await dispatcher.stop_polling()
        await task


def echo_router() -> Router:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"<b>echo:</b> {message.text}")

    return router


# --------------------------------------------------------------------------- basics


async def test_get_me_decodes_into_aiogram_user(fake_telegram: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == fake_telegram.bot_id == 123456
    assert me.is_bot is True
    assert me.username == "tt_test_bot"
    assert me.supports_inline_queries is True
    assert me.can_read_all_group_messages is True


async def test_private_message_reaches_handler_and_answer_is_recorded(fake_telegram: FakeTelegram, bot: Bot) -> None:
    async with polling(fake_telegram, bot, echo_router()):
        fake_telegram.send_message(42, "hello there")
        # the poll is held for 10 s: a 2 s deadline proves that an injected update wakes it up
        call = await fake_telegram.wait_for_call("sendMessage", lambda c: c.params["chat_id"] == 42, timeout=2)

    assert call.params["text"] == "<b>echo:</b> hello there"
    assert call.result["text"] == "echo: hello there"
    assert call.result["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert [m["text"] for m in fake_telegram.messages(42)] == ["echo: hello there"]


async def test_updates_are_confirmed_by_offset_and_not_delivered_twice(fake_telegram: FakeTelegram, bot: Bot) -> None:
    seen: list[str] = []
    router = Router()

    @router.message()
    async def remember(message: Message) -> None:
        seen.append(message.text or "")

    async with polling(fake_telegram, bot, router):
        for number in range(30):
            fake_telegram.send_message(7, f"message {number}")
        await fake_telegram.wait_until_consumed(timeout=5)
        fake_telegram.send_message(7, "last")
        await fake_telegram.wait_until_consumed(timeout=5)
        await asyncio.sleep(0)  # let the dispatcher run the handler task for the last update

    assert seen[:30] == [f"message {n}" for n in range(30)]
    assert seen.count("last") <= 1 and len(seen) <= 31


async def test_idle_polling_bot_does_not_spin(fake_telegram: FakeTelegram, bot: Bot) -> None:
    async with polling(fake_telegram, bot, echo_router()):
        polls_before = len(fake_telegram.poll_times)
        await asyncio.sleep(1.0)  # a window to count requests in, not a wait for an event
        polls_during_second = len(fake_telegram.poll_times) - polls_before

    assert polls_during_second <= 2


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    stranger = Bot("999:WRONG", session=AiohttpSession(api=api))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_json_and_query_string_bodies_and_unknown_method(fake_telegram: FakeTelegram) -> None:
    base = f"{fake_telegram.base_url}/bot{fake_telegram.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/sendMessage", json={"chat_id": 5, "text": "json body"}) as response:
            sent = await response.json()
        async with http.get(f"{base}/sendMessage", params={"chat_id": "5", "text": "42"}) as response:
            by_query = await response.json()
        async with http.post(f"{base}/noSuchMethod") as response:
            unknown = (response.status, await response.json())

    assert sent["ok"] is True and sent["result"]["text"] == "json body"
    assert by_query["result"]["text"] == "42"
    assert fake_telegram.calls_of("sendMessage")[1].params == {"chat_id": 5, "text": "42"}
    assert unknown == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


# --------------------------------------------------------------------------- files


async def test_send_video_records_the_uploaded_bytes(fake_telegram: FakeTelegram, bot: Bot) -> None:
    thumbnail = jpeg(320, 180)
    message = await bot.send_video(
        42,
        BufferedInputFile(VIDEO_BYTES, "clip.mp4"),
        width=720,
        height=1280,
        duration=9,
        supports_streaming=True,
        thumbnail=BufferedInputFile(thumbnail, "thumb.jpg"),
        caption="<a href='https://www.tiktok.com/@u/video/1'>video</a>",
    )

    call = fake_telegram.calls_of("sendVideo")[0]
    uploaded = call.file("video")
    assert isinstance(uploaded, UploadedFile)
    assert uploaded.data == VIDEO_BYTES and uploaded.filename == "clip.mp4"
    assert call.file("thumbnail").data == thumbnail
    assert call.params["supports_streaming"] is True and call.params["width"] == 720
    assert message.video is not None
    assert (message.video.width, message.video.height, message.video.duration) == (720, 1280, 9)
    assert message.video.file_size == len(VIDEO_BYTES)
    assert message.video.thumbnail is not None and message.video.thumbnail.width == 320
    assert message.caption == "video"
    assert message.caption_entities[0].url == "https://www.tiktok.com/@u/video/1"
    assert fake_telegram.file_bytes(message.video.file_id) == VIDEO_BYTES


async def test_thumbnail_that_breaks_telegram_rules_is_dropped(fake_telegram: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_video(
        1, BufferedInputFile(VIDEO_BYTES, "v.mp4"), thumbnail=BufferedInputFile(jpeg(640, 360), "big.jpg")
    )

    assert message.video is not None and message.video.thumbnail is None


async def test_media_group_resolves_attached_parts(fake_telegram: FakeTelegram, bot: Bot) -> None:
    first, second = jpeg(100, 80), jpeg(80, 100)
    earlier = await bot.send_photo(9, BufferedInputFile(jpeg(), "p.jpg"))
    assert earlier.photo is not None
    reused_id = earlier.photo[-1].file_id

    album = await bot.send_media_group(
        9,
        media=[
            InputMediaPhoto(media=BufferedInputFile(first, "1.jpg"), caption="<i>one</i>"),
            InputMediaPhoto(media=BufferedInputFile(second, "2.jpg")),
            InputMediaPhoto(media=reused_id),
        ],
    )

    parts = fake_telegram.calls_of("sendMediaGroup")[0].media_files()
    assert [p.data for p in parts[:2] if isinstance(p, UploadedFile)] == [first, second]
    assert parts[2] == reused_id
    assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
    assert album[0].caption == "one" and album[0].photo[-1].width == 100
    assert album[2].photo == earlier.photo
    assert fake_telegram.file_bytes(album[1].photo[-1].file_id) == second


async def test_album_must_have_two_to_ten_items(fake_telegram: FakeTelegram, bot: Bot) -> None:
    photo = (await bot.send_photo(3, BufferedInputFile(jpeg(), "p.jpg"))).photo[-1].file_id

    with pytest.raises(TelegramBadRequest, match="Too much messages"):
        await bot.send_media_group(3, media=[InputMediaPhoto(media=photo)] * 11)
    with pytest.raises(TelegramBadRequest, match="2-10"):
        await bot.send_media_group(3, media=[InputMediaPhoto(media=photo)])


async def test_photo_must_be_a_real_image(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(3, BufferedInputFile(b"not an image", "p.jpg"))


async def test_resend_by_file_id_until_file_ids_are_forgotten(fake_telegram: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_video(5, BufferedInputFile(VIDEO_BYTES, "v.mp4"), width=1, height=1, duration=1)
    assert first.video is not None

    again = await bot.send_video(6, first.video.file_id)
    assert again.video == first.video
    with pytest.raises(TelegramBadRequest, match="can't use file of type Video as Photo"):
        await bot.send_photo(6, first.video.file_id)

    fake_telegram.forget_file_ids()
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_video(6, first.video.file_id)
    fresh = await bot.send_video(6, BufferedInputFile(VIDEO_BYTES, "v.mp4"))
    assert fresh.video is not None and fresh.video.file_id != first.video.file_id


async def test_get_file_serves_the_uploaded_bytes(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(4, BufferedInputFile(b"%PDF-1.4 tiny", "doc.pdf"))
    assert sent.document is not None and sent.document.file_name == "doc.pdf"

    file = await bot.get_file(sent.document.file_id)
    downloaded = await bot.download_file(file.file_path)

    assert file.file_path.startswith("documents/") and file.file_path.endswith(".pdf")
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4 tiny"


async def test_local_server_mode_answers_absolute_paths(fake_telegram: FakeTelegram) -> None:
    fake_telegram.is_local = True
    local_bot = make_bot(fake_telegram)
    try:
        sent = await local_bot.send_audio(4, BufferedInputFile(b"ID3 audio", "a.mp3"), title="T", performer="P")
        file = await local_bot.get_file(sent.audio.file_id)
        downloaded = await local_bot.download_file(file.file_path)
    finally:
        await local_bot.session.close()

    assert (sent.audio.title, sent.audio.performer) == ("T", "P")
    assert file.file_path.startswith("/")
    assert downloaded is not None and downloaded.read() == b"ID3 audio"


async def test_upload_over_50_mb_is_too_large_for_the_cloud_server(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(4, BufferedInputFile(bytes(50 * 1024 * 1024 + 1), "big.bin"))

    assert fake_telegram.calls_of("sendDocument")[0].error == (413, "Request Entity Too Large")


# --------------------------------------------------------------------------- scripted failures


async def test_scripted_429_raises_retry_after_once(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendVideo", 429, "Too Many Requests: retry after 3")

    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_video(1, BufferedInputFile(VIDEO_BYTES, "v.mp4"))
    await bot.send_video(1, BufferedInputFile(VIDEO_BYTES, "v.mp4"))

    assert raised.value.retry_after == 3
    assert [c.error for c in fake_telegram.calls_of("sendVideo")] == [(429, "Too Many Requests: retry after 3"), None]


async def test_scripted_403_hits_only_the_named_chat(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=42, times=None)

    await bot.send_message(41, "fine")
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError, match="blocked"):
            await bot.send_message(42, "blocked")

    assert [m["text"] for m in fake_telegram.messages(41)] == ["fine"]
    assert fake_telegram.messages(42) == []


async def test_scripted_server_errors_and_predicates(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.fail_next("sendMessage", 500, "Internal Server Error")
    fake_telegram.fail_when("sendMessage", lambda p: "secret" in p["text"], 502, "Bad Gateway")

    with pytest.raises(TelegramServerError):
        await bot.send_message(1, "first")
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(1, "a secret")
    await bot.send_message(1, "a secret again")

    with pytest.raises(TelegramEntityTooLarge):
        fake_telegram.fail_next("sendDocument", 413, "Request Entity Too Large")
        await bot.send_document(1, BufferedInputFile(b"x", "x.bin"))


async def test_user_who_blocked_the_bot_cannot_be_written_to(fake_telegram: FakeTelegram, bot: Bot) -> None:
    update = fake_telegram.block_bot(77)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(77, "hi")
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"


# --------------------------------------------------------------------------- replies, edits, limits


async def test_reply_to_deleted_message_needs_allow_sending_without_reply(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    question = fake_telegram.send_message(42, "https://vm.tiktok.com/ZM123/")
    alive = await bot.send_message(42, "working", reply_parameters=ReplyParameters(message_id=question["message_id"]))
    fake_telegram.delete_user_message(42, question["message_id"])

    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(42, "done", reply_parameters=ReplyParameters(message_id=question["message_id"]))
    tolerant = ReplyParameters(message_id=question["message_id"], allow_sending_without_reply=True)
    sent = await bot.send_message(42, "done", reply_parameters=tolerant)

    assert alive.reply_to_message is not None and alive.reply_to_message.text == question["text"]
    assert sent.text == "done" and sent.reply_to_message is None


async def test_text_and_caption_limits_count_parsed_characters(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fits = await bot.send_message(1, "<b>" + "a" * 4096 + "</b>")
    assert fits.text is not None and len(fits.text) == 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_video(1, BufferedInputFile(VIDEO_BYTES, "v.mp4"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, "   ")


async def test_broken_html_is_rejected_like_telegram(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(1, "nickname <script>")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag"):
        await bot.send_message(1, "<b>open")
    escaped = await bot.send_message(1, "a &lt;b&gt; &amp; c")
    assert escaped.text == "a <b> & c"


async def test_callback_data_over_64_bytes_is_rejected(fake_telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "pick", reply_markup=keyboard("x" * 65))
    sent = await bot.send_message(1, "pick", reply_markup=keyboard("x" * 64))
    assert sent.reply_markup is not None


async def test_edit_with_identical_content_is_not_modified(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(1, "status", reply_markup=keyboard("music:1"))

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="status", chat_id=1, message_id=sent.message_id, reply_markup=keyboard("music:1")
        )
    edited = await bot.edit_message_text(text="status", chat_id=1, message_id=sent.message_id)

    assert isinstance(edited, Message) and edited.reply_markup is None  # no markup in the edit removes it
    assert fake_telegram.messages(1)[0].get("reply_markup") is None


async def test_deleted_bot_message_is_gone(fake_telegram: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(1, "⏳")
    assert await bot.delete_message(1, sent.message_id) is True

    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(1, sent.message_id)
    assert fake_telegram.messages(1) == []


# --------------------------------------------------------------------------- reactions


async def test_reactions_are_tracked_and_validated(fake_telegram: FakeTelegram, bot: Bot) -> None:
    user_message = fake_telegram.send_message(42, "https://vm.tiktok.com/ZM1/")
    message_id = user_message["message_id"]

    for emoji in ("👀", "👨‍💻"):
        await bot.set_message_reaction(42, message_id, reaction=[ReactionTypeEmoji(emoji=emoji)])
    assert fake_telegram.reactions(42, message_id) == [{"type": "emoji", "emoji": "👨‍💻"}]
    await bot.set_message_reaction(42, message_id, reaction=[])

    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(42, message_id, reaction=[ReactionTypeEmoji(emoji="🤖")])
    with pytest.raises(TelegramBadRequest, match="REACTIONS_TOO_MANY"):
        two = [ReactionTypeEmoji(emoji="👀"), ReactionTypeEmoji(emoji="😢")]
        await bot.set_message_reaction(42, message_id, reaction=two)
    assert fake_telegram.reaction_history(42, message_id) == [["👀"], ["👨‍💻"], []]
    assert fake_telegram.reactions(42, message_id) == []


async def test_chat_without_reactions_refuses_them(fake_telegram: FakeTelegram, bot: Bot) -> None:
    group_message = fake_telegram.send_message(-1001, "https://vm.tiktok.com/x/", chat_type="supergroup", user_id=5)
    fake_telegram.set_reactions_allowed(-1001, False)

    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(-1001, group_message["message_id"], reaction=[ReactionTypeEmoji(emoji="👀")])
    chat = await bot.get_chat(-1001)
    assert chat.available_reactions == []


# --------------------------------------------------------------------------- buttons and inline mode


async def test_button_press_reaches_callback_handler_and_is_answered(fake_telegram: FakeTelegram, bot: Bot) -> None:
    pressed: list[CallbackQuery] = []
    router = Router()

    @router.callback_query(F.data.startswith("music:"))
    async def on_music(query: CallbackQuery) -> None:
        pressed.append(query)
        await query.answer("Sending the sound…")

    sent = await bot.send_message(42, "video", reply_markup=keyboard("music:123"))
    with pytest.raises(LookupError, match="no button"):
        fake_telegram.press_button(42, sent.model_dump(), "music:999")

    async with polling(fake_telegram, bot, router):
        update = fake_telegram.press_button(42, fake_telegram.messages(42)[0], "music:123")
        answer = await fake_telegram.wait_for_call("answerCallbackQuery", timeout=2)

    assert answer.result is True and answer.params["text"] == "Sending the sound…"
    assert pressed[0].message is not None and pressed[0].message.message_id == sent.message_id
    assert pressed[0].chat_instance
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(update["callback_query"]["id"])


async def test_inline_answer_rejects_result_ids_over_64_bytes(fake_telegram: FakeTelegram, bot: Bot) -> None:
    def article(result_id: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            id=result_id, title="Not a link", input_message_content=InputTextMessageContent(message_text="no")
        )

    router = Router()

    @router.inline_query()
    async def answer(query: InlineQuery) -> None:
        result_id = "x" * 65 if query.query == "long" else "ok"
        try:
            await query.answer([article(result_id)], cache_time=0)
        except TelegramBadRequest:
            await query.answer([article("fallback")], cache_time=0)

    async with polling(fake_telegram, bot, router):
        fake_telegram.inline_query(7, "long")
        calls = await fake_telegram.wait_for_calls("answerInlineQuery", 2, timeout=2)

    assert calls[0].error == (400, "Bad Request: RESULT_ID_INVALID")
    assert calls[1].ok and calls[1].params["results"][0]["id"] == "fallback"


async def test_chosen_result_with_keyboard_is_an_editable_inline_message(fake_telegram: FakeTelegram, bot: Bot) -> None:
    stored = await bot.send_video(-100500, BufferedInputFile(VIDEO_BYTES, "v.mp4"))
    assert stored.video is not None
    query = fake_telegram.inline_query(7, "https://vm.tiktok.com/ZM1/")["inline_query"]
    results = [
        InlineQueryResultArticle(
            id="plain", title="t", input_message_content=InputTextMessageContent(message_text="plain")
        ),
        InlineQueryResultCachedVideo(
            id="vid", video_file_id=stored.video.file_id, title="Video", reply_markup=keyboard("wait")
        ),
    ]
    await bot.answer_inline_query(query["id"], results, cache_time=0)

    plain = fake_telegram.chosen_inline_result(7, "plain", query["query"])["chosen_inline_result"]
    chosen = fake_telegram.chosen_inline_result(7, "vid", query["query"])["chosen_inline_result"]
    inline_id = chosen["inline_message_id"]
    with pytest.raises(TelegramBadRequest, match="inline message"):
        upload = InputMediaVideo(media=BufferedInputFile(VIDEO_BYTES, "new.mp4"))
        await bot.edit_message_media(media=upload, inline_message_id=inline_id)
    edited = await bot.edit_message_media(
        media=InputMediaVideo(media=stored.video.file_id, caption="done"), inline_message_id=inline_id
    )

    assert "inline_message_id" not in plain
    assert edited is True
    assert fake_telegram.inline_message(inline_id)["caption"] == "done"
    with pytest.raises(TelegramBadRequest, match="MESSAGE_ID_INVALID"):
        await bot.edit_message_text(text="x", inline_message_id="AgAAAunknown")


# --------------------------------------------------------------------------- chats, commands, copies


async def test_group_admins_and_anonymous_admin_messages(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.set_chat_admins(-1002, [10, 11])
    anonymous = fake_telegram.send_message(-1002, "/mode", chat_type="supergroup", sender_chat=-1002)

    owner = await bot.get_chat_member(-1002, 10)
    admin = await bot.get_chat_member(-1002, 11)
    member = await bot.get_chat_member(-1002, 12)

    assert isinstance(owner, ChatMemberOwner) and isinstance(admin, ChatMemberAdministrator)
    assert member.status == "member"
    assert len(await bot.get_chat_administrators(-1002)) == 2
    assert anonymous["sender_chat"]["id"] == -1002 and anonymous["from"]["username"] == "GroupAnonymousBot"


async def test_privacy_mode_hides_plain_group_messages(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.privacy_mode = True
    fake_telegram.send_message(-1003, "https://vm.tiktok.com/x/", chat_type="supergroup", user_id=5)
    fake_telegram.send_message(-1003, "/start@other_bot", chat_type="supergroup", user_id=5)
    fake_telegram.send_message(-1003, "/start@tt_test_bot", chat_type="supergroup", user_id=5)

    updates = await bot.get_updates(timeout=0)

    assert [u.message.text for u in updates if u.message] == ["/start@tt_test_bot"]
    assert (await bot.get_me()).can_read_all_group_messages is False


async def test_commands_are_kept_per_scope_and_language(fake_telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands([BotCommand(command="lang", description="Язык")], language_code="ru")

    assert fake_telegram.commands[("default", "")] == [{"command": "start", "description": "Start"}]
    assert fake_telegram.commands[("default", "ru")][0]["command"] == "lang"
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["lang"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])


async def test_copy_message_copies_a_user_photo(fake_telegram: FakeTelegram, bot: Bot) -> None:
    original = fake_telegram.send_photo(900, caption="broadcast text")

    copied = await bot.copy_message(chat_id=901, from_chat_id=900, message_id=original["message_id"])

    [copy] = fake_telegram.messages(901)
    assert copy["message_id"] == copied.message_id
    assert copy["caption"] == "broadcast text" and copy["photo"] == original["photo"]
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(chat_id=901, from_chat_id=900, message_id=999)


async def test_max_calls_in_window_counts_a_burst(fake_telegram: FakeTelegram, bot: Bot) -> None:
    for number in range(5):
        await bot.send_message(1, f"burst {number}")

    assert fake_telegram.max_calls_in_window({"sendMessage"}, window=10.0) == 5
    assert fake_telegram.max_calls_in_window({"sendVideo"}, window=10.0) == 0
    assert fake_telegram.max_calls_in_window({"sendMessage"}, window=10.0, chat_id=2) == 0


# --------------------------------------------------------------------------- webhook


async def test_webhook_delivers_updates_and_executes_the_reply_method(fake_telegram: FakeTelegram, bot: Bot) -> None:
    router = Router()

    @router.message()
    async def reply_in_response(message: Message) -> object:
        return message.answer("from webhook response")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token="s3cret").register(app, "/hook")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
        fake_telegram.send_message(42, "hi")
        call = await fake_telegram.wait_for_call("sendMessage", timeout=5)
        info = await bot.get_webhook_info()
    finally:
        await runner.cleanup()

    assert call.params["text"] == "from webhook response" and call.params["chat_id"] == 42
    assert info.url.endswith("/hook") and info.pending_update_count == 0
    assert json.loads(json.dumps(fake_telegram.webhook))["secret_token"] == "s3cret"
