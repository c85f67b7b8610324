"""All routers of the download bot, included in one place in a deliberate order."""

from __future__ import annotations

from aiogram import Router

from handlers import admin, broadcast, errors, get_music, get_video, inline, settings, start, unsupported


def build_root_router() -> Router:
    root = Router(name="root")
    # Commands first, then feature routers; catch-all hints for unsupported content go last.
    # Admin routers carry their own admin filter; the guard swallows admin commands from everyone else.
    root.include_routers(*_detached(errors.router))
    root.include_routers(*_detached(admin.router, broadcast.router, admin.guard_router))
    root.include_routers(*_detached(start.router, settings.router))
    root.include_routers(*_detached(get_video.router, get_music.router))
    root.include_routers(*_detached(inline.router))
    root.include_routers(*_detached(unsupported.router))
    return root


def _detached(*routers: Router) -> tuple[Router, ...]:
    """Feature routers are built once, at import; an app built again in the same process (the tests, the
    benchmark) takes them over from the previous, closed app, which aiogram has no public call for."""
    for router in routers:
        parent = router.parent_router
        if parent is not None:
            parent.sub_routers.remove(router)
            router._parent_router = None
    return routers
