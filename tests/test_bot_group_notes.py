"""Private notes in groups (Bot API 10.2 ephemeral messages): the sender alone learns why, the group sees 😢."""

from __future__ import annotations

from typing import Any

from data.locales import Locales
from data.models import Outcome
from tests.bot_checks import user_row, video_rows
from tests.fakes.telegram import FakeTelegram

USER = 1014
ADMIN = 2014
OTHER = 3014
GROUP = -1001401401
POST_ID = "7350000000000001401"
LOCALES = Locales.load()
SAD = [{"type": "emoji", "emoji": "😢"}]


def is_note(call: Any) -> bool:
    return bool(call.params.get("ephemeral_message_parameters"))


async def test_a_deleted_post_in_a_group_gets_a_sad_reaction_and_a_note_only_the_sender_sees(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_status(POST_ID, 10204)
    message = fake_telegram.send_message(GROUP, post.url, user_id=USER, chat_type="supergroup", language_code="ru")

    note = await fake_telegram.wait_for_call("sendMessage", is_note, timeout=60)
    assert note.ok and note.params["ephemeral_message_parameters"]["receiver_user_id"] == USER
    [shown] = fake_telegram.ephemeral_messages(GROUP)
    assert shown["text"] == LOCALES.text("ru", "error_deleted")
    assert shown["receiver_user"]["id"] == USER
    assert shown["reply_to_message"]["message_id"] == message["message_id"]
    assert fake_telegram.reactions(GROUP, message["message_id"]) == SAD
    assert fake_telegram.messages(GROUP) == []  # the others in the group see nothing but the reaction
    rows = await video_rows(db_sessions)
    assert [(row.outcome, row.error_kind) for row in rows] == [(Outcome.FAILED, "deleted")]


async def test_where_telegram_refuses_the_note_the_reaction_alone_stays(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    fake_telegram.refuse_ephemeral_messages()
    post = fake_tiktok.add_status(POST_ID, 10216)
    message = fake_telegram.send_message(GROUP, post.url, user_id=USER, chat_type="supergroup")

    refused = await fake_telegram.wait_for_call("sendMessage", is_note, timeout=60)
    assert refused.error is not None and refused.error[0] == 400
    await fake_telegram.wait_for_call("setMessageReaction", lambda call: "😢" in str(call.params), timeout=10)
    assert fake_telegram.reactions(GROUP, message["message_id"]) == SAD
    await video_rows(db_sessions)
    assert [call.method for call in fake_telegram.calls_of("sendMessage")] == ["sendMessage"]  # no retry, no text
    assert fake_telegram.messages(GROUP) == [] and fake_telegram.ephemeral_messages(GROUP) == []


async def test_mode_by_a_member_who_is_not_an_admin_gets_a_private_note_and_changes_nothing(
    fake_telegram: FakeTelegram, tt_bot, db_sessions
) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    command = fake_telegram.send_message(GROUP, "/mode", user_id=USER, chat_type="supergroup", language_code="uk")

    await fake_telegram.wait_for_call("sendMessage", is_note)
    [shown] = fake_telegram.ephemeral_messages(GROUP)
    assert shown["text"] == LOCALES.text("uk", "admins_only")
    assert shown["receiver_user"]["id"] == USER
    assert shown["reply_to_message"]["message_id"] == command["message_id"]
    assert fake_telegram.messages(GROUP) == []
    group = await user_row(db_sessions, GROUP)
    assert group is None or group.file_mode is False


async def test_lang_by_a_member_who_is_not_an_admin_gets_a_private_note_and_no_menu(
    fake_telegram: FakeTelegram, tt_bot
) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.send_message(GROUP, "/lang", user_id=OTHER, chat_type="supergroup")

    await fake_telegram.wait_for_call("sendMessage", is_note)
    [shown] = fake_telegram.ephemeral_messages(GROUP)
    assert shown["text"] == LOCALES.text("en", "admins_only") and shown["receiver_user"]["id"] == OTHER
    assert fake_telegram.messages(GROUP) == []


async def test_a_refused_settings_note_leaves_the_group_quiet(fake_telegram: FakeTelegram, tt_bot) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.refuse_ephemeral_messages(403, "Forbidden: user is not a member of the chat")
    fake_telegram.send_message(GROUP, "/mode", user_id=USER, chat_type="supergroup")

    refused = await fake_telegram.wait_for_call("sendMessage", is_note)
    assert refused.error is not None
    fake_telegram.send_message(GROUP, "/mode", user_id=ADMIN, chat_type="supergroup")  # the next update is handled
    answer = await fake_telegram.wait_for_call("sendMessage", lambda call: not is_note(call))
    assert answer.params["text"] == LOCALES.text("en", "mode_file")
    assert [message["text"] for message in fake_telegram.messages(GROUP)] == [LOCALES.text("en", "mode_file")]


async def test_a_failure_in_a_private_chat_is_still_an_ordinary_message(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot
) -> None:
    post = fake_tiktok.add_status(POST_ID, 10204)
    fake_telegram.send_message(USER, post.url)

    answer = await fake_telegram.wait_for_call("sendMessage", timeout=60)
    assert answer.params["text"] == LOCALES.text("en", "error_deleted")
    assert not is_note(answer)
    assert [message["text"] for message in fake_telegram.messages(USER)] == [LOCALES.text("en", "error_deleted")]


async def test_a_failed_sound_press_in_a_group_tells_only_the_member_who_pressed(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot
) -> None:
    post = fake_tiktok.add_video(POST_ID)
    fake_telegram.send_message(GROUP, post.url, user_id=USER, chat_type="supergroup")
    video = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    for proxy in fake_tiktok.proxies:
        proxy.upstream_status = 403
    fake_telegram.press_button(OTHER, video.result, f"music:{POST_ID}")

    note = await fake_telegram.wait_for_call("sendMessage", is_note, timeout=60)
    assert note.params["ephemeral_message_parameters"]["receiver_user_id"] == OTHER
    [shown] = fake_telegram.ephemeral_messages(GROUP)
    assert shown["text"] == LOCALES.text("en", "error_network")
    assert shown["reply_to_message"]["message_id"] == video.result["message_id"]
    assert fake_telegram.reactions(GROUP, video.result["message_id"]) == SAD
    assert [call for call in fake_telegram.calls_of("sendMessage") if not is_note(call)] == []


async def test_a_failed_link_from_an_anonymous_admin_gets_the_reaction_and_no_note(
    fake_telegram: FakeTelegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    post = fake_tiktok.add_status(POST_ID, 10204)
    message = fake_telegram.send_message(GROUP, post.url, sender_chat=GROUP, chat_type="supergroup")

    await fake_telegram.wait_for_call("setMessageReaction", lambda call: "😢" in str(call.params), timeout=60)
    rows = await video_rows(db_sessions)
    assert [(row.outcome, row.error_kind) for row in rows] == [(Outcome.FAILED, "deleted")]
    assert fake_telegram.reactions(GROUP, message["message_id"]) == SAD
    assert fake_telegram.calls_of("sendMessage") == []  # Telegram's stand-in for the admin can receive nothing
