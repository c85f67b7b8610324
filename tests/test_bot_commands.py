"""/start (with and without a referral), /help, /mode and /lang (group admins only), the command menu."""

from __future__ import annotations

from data.locales import Locales
from tests.bot_checks import callback_data, eventually, user_row

USER = 1009
ADMIN = 2009
GROUP = -1009009
LOCALES = Locales.load()


async def test_start_with_a_deep_link_payload_stores_the_referral(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/start promo42", language_code="id")
    welcome = await fake_telegram.wait_for_call("sendMessage")
    assert welcome.params["text"] == LOCALES.text("id", "start_welcome")
    user = await user_row(db_sessions, USER)
    assert user is not None and user.referral == "promo42" and user.language == "id"


async def test_start_without_payload_registers_without_referral(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/start")
    await fake_telegram.wait_for_call("sendMessage")
    user = await user_row(db_sessions, USER)
    assert user is not None and user.referral is None


async def test_referral_is_taken_only_from_start(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/help")
    await fake_telegram.wait_for_call("sendMessage")
    fake_telegram.send_message(USER, "/start late_payload")
    await fake_telegram.wait_for_calls("sendMessage", 2)
    user = await user_row(db_sessions, USER)
    # /help registered nobody; /start then registers with its payload.
    assert user is not None and user.referral == "late_payload"
    fake_telegram.send_message(USER, "/start other")
    await fake_telegram.wait_for_calls("sendMessage", 3)
    assert (await user_row(db_sessions, USER)).referral == "late_payload"


async def test_help_names_the_bot(fake_telegram, tt_bot) -> None:
    fake_telegram.send_message(USER, "/help")
    answer = await fake_telegram.wait_for_call("sendMessage")
    assert answer.params["text"] == LOCALES.text("en", "help", bot_username=fake_telegram.bot_username)


async def test_telegram_language_picks_the_default_locale(fake_telegram, tt_bot) -> None:
    fake_telegram.send_message(USER, "/help", language_code="vi")
    answer = await fake_telegram.wait_for_call("sendMessage")
    assert answer.params["text"] == LOCALES.text("vi", "help", bot_username=fake_telegram.bot_username)


async def test_mode_toggles_between_files_and_videos(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/mode")
    first = await fake_telegram.wait_for_call("sendMessage")
    assert first.params["text"] == LOCALES.text("en", "mode_file")
    assert (await user_row(db_sessions, USER)).file_mode is True
    fake_telegram.send_message(USER, "/mode")
    second = (await fake_telegram.wait_for_calls("sendMessage", 2))[1]
    assert second.params["text"] == LOCALES.text("en", "mode_video")
    assert (await user_row(db_sessions, USER)).file_mode is False


async def test_mode_in_a_group_is_refused_to_members_who_are_not_admins(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.send_message(GROUP, "/mode", user_id=USER, chat_type="supergroup")
    answer = await fake_telegram.wait_for_call("sendMessage")
    assert answer.params["text"] == LOCALES.text("en", "admins_only")
    assert answer.params["ephemeral_message_parameters"] == {"receiver_user_id": USER}
    group = await user_row(db_sessions, GROUP)
    assert group is None or group.file_mode is False


async def test_mode_in_a_group_works_for_an_admin(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.send_message(GROUP, "/mode", user_id=ADMIN, chat_type="supergroup")
    answer = await fake_telegram.wait_for_call("sendMessage")
    assert answer.params["text"] == LOCALES.text("en", "mode_file")
    assert (await user_row(db_sessions, GROUP)).file_mode is True


async def test_mode_in_a_group_works_for_an_anonymous_admin(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.send_message(GROUP, "/mode", chat_type="supergroup", sender_chat=GROUP)
    answer = await fake_telegram.wait_for_call("sendMessage")
    assert answer.params["text"] == LOCALES.text("en", "mode_file")
    assert (await user_row(db_sessions, GROUP)).file_mode is True


async def test_lang_buttons_change_the_language(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/lang")
    menu = await fake_telegram.wait_for_call("sendMessage")
    assert menu.params["text"] == LOCALES.text("en", "lang_choose")
    assert sorted(callback_data(menu.params)) == sorted(f"lang:{code}" for code in LOCALES.languages)

    fake_telegram.press_button(USER, menu.result, "lang:ru")
    edit = await fake_telegram.wait_for_call("editMessageText")
    assert edit.params["text"] == LOCALES.text("ru", "lang_set")
    assert (await user_row(db_sessions, USER)).language == "ru"

    fake_telegram.send_message(USER, "hello", language_code="en")
    hint = (await fake_telegram.wait_for_calls("sendMessage", 2))[1]
    assert hint.params["text"] == LOCALES.text("ru", "not_a_link")


async def test_lang_button_with_an_unknown_code_changes_nothing(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.send_message(USER, "/start")
    await fake_telegram.wait_for_call("sendMessage")
    fake_telegram.send_message(USER, "/lang")
    menu = (await fake_telegram.wait_for_calls("sendMessage", 2))[1]
    # A client may send any callback data for a button: e.g. a crafted `lang:xx`.
    fake_telegram.add_update(
        {
            "callback_query": {
                "id": "crafted-1",
                "from": {"id": USER, "is_bot": False, "first_name": "User", "language_code": "en"},
                "message": menu.result,
                "chat_instance": "1",
                "data": "lang:xx",
            }
        }
    )
    await fake_telegram.wait_for_call("answerCallbackQuery")
    assert (await user_row(db_sessions, USER)).language == "en"
    assert fake_telegram.calls_of("editMessageText") == []


async def test_lang_in_a_group_is_for_admins(fake_telegram, tt_bot, db_sessions) -> None:
    fake_telegram.set_chat_admins(GROUP, [ADMIN])
    fake_telegram.send_message(GROUP, "/lang", user_id=ADMIN, chat_type="supergroup")
    menu = await fake_telegram.wait_for_call("sendMessage")
    fake_telegram.press_button(USER, menu.result, "lang:uk")
    refusal = await fake_telegram.wait_for_call("answerCallbackQuery")
    assert refusal.params["text"] == LOCALES.text("en", "admins_only")
    fake_telegram.press_button(ADMIN, menu.result, "lang:uk")
    await fake_telegram.wait_for_call("editMessageText")
    group = await eventually(lambda: user_row(db_sessions, GROUP), lambda found: found is not None)
    assert group.language == "uk"


async def test_command_menu_is_set_at_start_up_in_every_language(fake_telegram, tt_bot) -> None:
    await fake_telegram.wait_for_calls("setMyCommands", len(LOCALES.languages))
    for code in LOCALES.languages:
        language = "" if code == LOCALES.default else code
        commands = fake_telegram.commands[("default", language)]
        assert [command["command"] for command in commands] == ["start", "help", "settings", "mode", "lang"]
        assert commands[0]["description"] == LOCALES.text(code, "command_start")
