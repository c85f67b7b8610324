"""The stats bot for operators (DESIGN.md §6): routers, keyboards, texts, graphs and the scheduler.
It reads the main bot's database through `data.repositories.stats` and imports nothing of `handlers/`."""

from __future__ import annotations

from aiogram import Router

from stats import access, charts, menu, search


def build_stats_router() -> Router:
    root = Router(name="stats")
    # Every router carries the STATS_IDS filter; search comes last because any text is a search, and the
    # unclaimed-buttons router after it answers strangers' presses (empty) so their clients stop spinning.
    # Routers are made per app: aiogram lets a router join only one parent.
    root.include_routers(menu.create_router(), charts.create_router(), search.create_router())
    root.include_routers(access.create_unclaimed_buttons_router())
    return root
