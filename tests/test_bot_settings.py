"""/settings: one message of buttons edited in place; group admins only; captions without the description."""

from __future__ import annotations

from data.kinds import DeliverySource
from data.locales import Locales
from tests.bot_checks import buttons, callback_data, eventually, user_row, video_rows

USER = 1014
ADMIN = 2014
GROUP = -1014014
POST_ID = "7350000000000001401"
SLIDESHOW_ID = "7350000000000001402"
LOCALES = Locales.load()
MAIN_VIEW = ["settings:langs:", "settings:mode:file", "settings:quality:best", "settings:quality:balanced",
             "settings:quality:saver", "settings:desc:off"]  # fmt: skip


def texts(params: dict) -> list[str]:
    return [button["text"] for button in buttons(params)]


async def open_menu(fake_telegram, chat_id: int, **sender) -> dict:
    fake_telegram.send_message(chat_id, "/settings", **sender)
    return await fake_telegram.wait_for_call("sendMessage")


async def test_settings_shows_the_chat_settings_as_buttons(fake_telegram, tt_bot) -> None:
    menu = await open_menu(fake_telegram, USER)
    assert menu.params["text"] == LOCALES.text("en", "settings_title")
    assert callback_data(menu.params) == MAIN_VIEW
    assert all(len(data.encode()) < 64 for data in callback_data(menu.params))
    labels = texts(menu.params)
    assert labels[2] == "✅ " + LOCALES.text("en", "settings_quality_best")
    assert LOCALES.text("en", "settings_description_on") in labels


async def test_a_quality_press_edits_the_message_and_stores_the_quality(fake_telegram, tt_bot, db_sessions) -> None:
    menu = await open_menu(fake_telegram, USER)
    fake_telegram.press_button(USER, menu.result, "settings:quality:saver")

    edit = await fake_telegram.wait_for_call("editMessageText")
    assert edit.params["message_id"] == menu.result["message_id"]
    assert "✅ " + LOCALES.text("en", "settings_quality_saver") in texts(edit.params)
    assert LOCALES.text("en", "settings_quality_best") in texts(edit.params)  # no longer ticked
    assert (await user_row(db_sessions, USER)).video_quality == "saver"
    assert fake_telegram.calls_of("answerCallbackQuery")


async def test_file_mode_and_description_toggle_in_place(fake_telegram, tt_bot, db_sessions) -> None:
    menu = await open_menu(fake_telegram, USER)
    fake_telegram.press_button(USER, menu.result, "settings:desc:off")
    first = await fake_telegram.wait_for_call("editMessageText")
    assert "settings:desc:on" in callback_data(first.params)
    assert LOCALES.text("en", "settings_description_off") in texts(first.params)

    fake_telegram.press_button(USER, first.result, "settings:mode:file")
    second = (await fake_telegram.wait_for_calls("editMessageText", 2))[1]
    assert "settings:mode:video" in callback_data(second.params)
    user = await user_row(db_sessions, USER)
    assert (user.caption_description, user.file_mode) == (False, True)


async def test_language_opens_the_list_and_a_choice_redraws_the_menu_in_it(fake_telegram, tt_bot, db_sessions) -> None:
    menu = await open_menu(fake_telegram, USER)
    fake_telegram.press_button(USER, menu.result, "settings:langs:")
    listing = await fake_telegram.wait_for_call("editMessageText")
    assert sorted(callback_data(listing.params)) == sorted(
        [f"settings:lang:{code}" for code in LOCALES.languages] + ["settings:main:"]
    )

    fake_telegram.press_button(USER, listing.result, "settings:lang:uk")
    redrawn = (await fake_telegram.wait_for_calls("editMessageText", 2))[1]
    assert redrawn.params["text"] == LOCALES.text("uk", "settings_title")
    assert callback_data(redrawn.params) == MAIN_VIEW
    assert (await user_row(db_sessions, USER)).language == "uk"


async def test_a_member_who_is_not_admin_is_refused_and_nothing_changes(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    menu = await open_menu(fake_telegram, GROUP, user_id=ADMIN, chat_type="supergroup")
    assert callback_data(menu.params) == MAIN_VIEW

    fake_telegram.press_button(USER, menu.result, "settings:quality:saver")
    refusal = await fake_telegram.wait_for_call("answerCallbackQuery")
    assert refusal.params["text"] == LOCALES.text("en", "admins_only")
    assert fake_telegram.calls_of("editMessageText") == []
    group = await user_row(db_sessions, GROUP)
    assert group is None or group.video_quality == "best"

    fake_telegram.press_button(ADMIN, menu.result, "settings:quality:saver")
    await fake_telegram.wait_for_call("editMessageText")
    group = await eventually(lambda: user_row(db_sessions, GROUP), lambda found: found is not None)
    assert group.video_quality == "saver"


async def test_settings_in_a_group_are_refused_to_a_member_who_is_not_admin(fake_telegram, tt_bot) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    answer = await open_menu(fake_telegram, GROUP, user_id=USER, chat_type="supergroup")
    assert answer.params["text"] == LOCALES.text("en", "admins_only")
    assert answer.params["ephemeral_message_parameters"]["receiver_user_id"] == USER
    assert callback_data(answer.params) == []
    assert fake_telegram.messages(GROUP) == []


async def test_an_anonymous_admin_opens_the_settings_and_changes_them(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    menu = await open_menu(fake_telegram, GROUP, chat_type="supergroup", sender_chat=GROUP)
    assert callback_data(menu.params) == MAIN_VIEW
    # The press of an anonymous admin comes from their own account, which is an administrator.
    fake_telegram.press_button(ADMIN, menu.result, "settings:desc:off")
    await fake_telegram.wait_for_call("editMessageText")
    group = await eventually(lambda: user_row(db_sessions, GROUP), lambda found: found is not None)
    assert group.caption_description is False


async def test_start_welcome_has_a_settings_button_that_opens_the_menu(fake_telegram, tt_bot) -> None:
    fake_telegram.send_message(USER, "/start")
    welcome = await fake_telegram.wait_for_call("sendMessage")
    assert callback_data(welcome.params) == ["settings:open:"]
    assert texts(welcome.params) == [LOCALES.text("en", "settings_button")]

    fake_telegram.press_button(USER, welcome.result, "settings:open:")
    menu = (await fake_telegram.wait_for_calls("sendMessage", 2))[1]
    assert menu.params["text"] == LOCALES.text("en", "settings_title")
    assert callback_data(menu.params) == MAIN_VIEW


async def test_a_forged_settings_value_changes_nothing(fake_telegram, tt_bot, db_sessions) -> None:
    menu = await open_menu(fake_telegram, USER)
    fake_telegram.add_update(
        {
            "callback_query": {
                "id": "forged-1",
                "from": {"id": USER, "is_bot": False, "first_name": "User", "language_code": "en"},
                "message": menu.result,
                "chat_instance": "1",
                "data": "settings:quality:8k",
            }
        }
    )
    await fake_telegram.wait_for_call("answerCallbackQuery")
    assert fake_telegram.calls_of("editMessageText") == []
    user = await user_row(db_sessions, USER)
    assert user is None or user.video_quality == "best"


async def test_captions_leave_the_description_out_when_it_is_turned_off(
    fake_telegram, fake_tiktok, tt_bot, db_sessions
) -> None:
    video = fake_tiktok.add_video(POST_ID, author="alice", desc="my secret description")
    slideshow = fake_tiktok.add_slideshow(SLIDESHOW_ID, author="bob", desc="another description")
    menu = await open_menu(fake_telegram, USER)
    fake_telegram.press_button(USER, menu.result, "settings:desc:off")
    await fake_telegram.wait_for_call("editMessageText")
    await eventually(lambda: user_row(db_sessions, USER), lambda found: found and not found.caption_description)

    fake_telegram.send_message(USER, video.url)
    sent = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert "@alice" in sent.params["caption"] and "my secret description" not in sent.params["caption"]
    [row] = await video_rows(db_sessions)
    assert row.source == DeliverySource.CHAT

    fake_telegram.send_message(USER, slideshow.url)
    await fake_telegram.wait_for_call("sendMediaGroup", timeout=30)
    caption = (await fake_telegram.wait_for_calls("sendMessage", 2, timeout=30))[1]
    assert "@bob" in caption.params["text"] and "another description" not in caption.params["text"]


async def test_captions_carry_the_description_by_default(fake_telegram, fake_tiktok, tt_bot) -> None:
    video = fake_tiktok.add_video(POST_ID, author="alice", desc="my public description")
    fake_telegram.send_message(USER, video.url)
    sent = await fake_telegram.wait_for_call("sendVideo", timeout=30)
    assert "my public description" in sent.params["caption"]
