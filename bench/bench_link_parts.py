"""Where a link's CPU goes: the parts every delivered link pays for, each measured alone (prints figures).

    .venv/bin/python -m bench.bench_link_parts [--calls 600] [--videos 200]

The fake Telegram runs in its own process, so the CPU read here is the bot side's alone. Each part goes
through the same objects the bot uses: the `Bot` of `create_bot` with the retry middlewares installed,
and aiogram's `Dispatcher`. A link in a private chat costs, besides the TikTok side (see
bench_tiktok_client: page, video and cover through the proxies), three status reactions (👀, 👨‍💻,
cleared), one sendVideo upload, and the dispatch of its update.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import BufferedInputFile, Message, ReactionTypeEmoji, Update

from data.config import TelegramSettings
from misc.telegram.bot_factory import create_bot
from misc.telegram.limits import install_telegram_limits
from misc.telegram.startup_calls import retry_startup_calls
from tests.fakes import media

MEGABYTE = 1024 * 1024
USER = 1_000_001


def _serve_fake(connection: Connection) -> None:
    from tests.fakes.telegram import FakeTelegram

    async def serve() -> None:
        async with FakeTelegram() as telegram:
            message = telegram.send_message(USER, "https://www.tiktok.com/@bench/video/1")
            connection.send((telegram.token, telegram.base_url, message["message_id"]))
            await asyncio.get_running_loop().run_in_executor(None, connection.recv)  # until told to stop

    asyncio.run(serve())


async def _cpu_per_call(count: int, call: Callable[[int], Awaitable[Any]], concurrency: int = 10) -> float:
    """Milliseconds of this process's CPU per call, `concurrency` calls in flight as in a burst."""
    await call(0)  # warm-up: connections, parametrised models
    numbers = iter(range(count))

    async def worker() -> None:
        for number in numbers:
            await call(number)

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - started) / count * 1000


def _bot(token: str, server: str) -> Bot:
    settings = TelegramSettings(bot_token=token, stats_bot_token=None, server=server, server_is_local=False,
                                bot_tag="")  # fmt: skip
    bot = create_bot(token, settings)
    install_telegram_limits(bot, None)  # the retries; pacing only waits, it costs next to no CPU
    retry_startup_calls(bot)
    return bot


def _dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()
    router = Router()

    @router.message()
    async def handled(message: Message) -> None:
        return None

    dispatcher.include_router(router)
    return dispatcher


def _update(number: int, message_id: int) -> Update:
    return Update.model_validate({
        "update_id": number,
        "message": {
            "message_id": message_id, "date": 0, "text": "https://www.tiktok.com/@bench/video/1",
            "chat": {"id": USER, "type": "private", "first_name": "User"},
            "from": {"id": USER, "is_bot": False, "first_name": "User", "language_code": "en"},
            "entities": [{"type": "url", "offset": 0, "length": 37}],
        },
    })  # fmt: skip


async def measure(token: str, server: str, message_id: int, calls: int, videos: int) -> None:
    bot = _bot(token, server)
    video = media.mp4_bytes(MEGABYTE)
    dispatcher = _dispatcher()
    try:
        reactions = [[ReactionTypeEmoji(emoji="👀")], [ReactionTypeEmoji(emoji="👨‍💻")], []]

        async def react(number: int) -> None:
            await bot.set_message_reaction(USER, message_id, reaction=reactions[number % 3])

        async def send_video(number: int) -> None:
            await bot.send_video(USER, BufferedInputFile(video, "video.mp4"), width=1080, height=1920, duration=10,
                                 supports_streaming=True, reply_to_message_id=message_id)  # fmt: skip

        async def dispatch(number: int) -> None:
            await dispatcher.feed_update(bot, _update(number, message_id))

        figures = {
            "status reaction (setMessageReaction)": (await _cpu_per_call(calls, react), 3),
            "sendVideo, 1 MB upload": (await _cpu_per_call(videos, send_video), 1),
            "update parsed and dispatched (empty handler)": (await _cpu_per_call(calls * 5, dispatch), 1),
        }
        total = 0.0
        for name, (milliseconds, per_link) in figures.items():
            total += milliseconds * per_link
            print(f"  {name}: {milliseconds:.2f} ms CPU per call, {per_link} per link")
        print(f"  Telegram side of one link: {total:.1f} ms CPU (add the TikTok side from bench_tiktok_client)")
    finally:
        await bot.session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=600, help="reactions (and 5× as many dispatched updates)")
    parser.add_argument("--videos", type=int, default=200, help="sendVideo uploads of 1 MB")
    arguments = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    control, fake_end = context.Pipe()
    fake = context.Process(target=_serve_fake, args=(fake_end,))
    fake.start()
    token, server, message_id = control.recv()
    try:
        print(
            f"CPU per part of a link, bot side ({multiprocessing.cpu_count()} CPUs; fake Telegram in its own process)"
        )
        asyncio.run(measure(token, server, message_id, arguments.calls, arguments.videos))
    finally:
        control.send("stop")
        fake.join(timeout=30)


if __name__ == "__main__":
    main()
