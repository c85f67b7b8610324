"""All routers of the download bot, included in one place in a deliberate order."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin,
    broadcast,
    errors,
    expired_buttons,
    get_music,
    get_slideshow_video,
    get_video,
    guest,
    inline,
    settings,
    start,
    unsupported,
)


def build_root_router() -> Router:
    root = Router(name="root")
    # Commands first, then feature routers; catch-alls (hints for unsupported content, expired buttons) go last.
    # Admin routers carry their own admin filter; the guard swallows admin commands from everyone else.
    # Routers are made per app: aiogram lets a router join only one parent.
    root.include_routers(errors.create_router())
    root.include_routers(admin.create_router(), broadcast.create_router(), admin.create_guard_router())
    root.include_routers(start.create_router(), settings.create_router())
    root.include_routers(get_video.create_router(), get_music.create_router(), get_slideshow_video.create_router())
    root.include_routers(inline.create_router(), guest.create_router())
    root.include_routers(unsupported.create_router(), expired_buttons.create_router())
    return root
