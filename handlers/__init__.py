"""All routers of the download bot, included in one place in a deliberate order."""

from __future__ import annotations

from aiogram import Router

from handlers import admin, broadcast, start


def build_root_router() -> Router:
    root = Router(name="root")
    # Commands first, then feature routers; catch-all hints for unsupported content go last.
    # Admin routers carry their own admin filter; the guard swallows admin commands from everyone else.
    root.include_routers(admin.router, broadcast.router, admin.guard_router)
    root.include_routers(start.router)
    return root
