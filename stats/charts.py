"""Graph buttons: each answers with a PNG photo of the chosen metric and span."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from data.repositories.stats import StatsRepository
from stats import texts
from stats.access import operators_only
from stats.graphs import GraphRenderer
from stats.keyboards import GraphButton


async def send_graph(
    callback: CallbackQuery, callback_data: GraphButton, bot: Bot, stats: StatsRepository, graphs: GraphRenderer
) -> None:
    await callback.answer(texts.DRAWING)
    series = await stats.series(callback_data.metric, callback_data.span)
    png = await graphs.render(series)
    photo = BufferedInputFile(png, filename=f"{series.metric}-{series.span}.png")
    await bot.send_photo(callback.from_user.id, photo, caption=texts.graph_caption(series))


def create_router() -> Router:
    router = operators_only(Router(name="stats_graphs"))
    router.callback_query.register(send_graph, GraphButton.filter())
    return router
