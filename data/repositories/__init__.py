"""Repositories own the SQL. Each method opens a short session of its own, so no connection is held
while a download runs (hundreds of parallel downloads must not exhaust the pool)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.repositories.broadcasts import BroadcastRepository
from data.repositories.deliveries import DeliveryRepository
from data.repositories.media_cache import MediaCacheRepository
from data.repositories.users import UserRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    users: UserRepository
    broadcasts: BroadcastRepository
    deliveries: DeliveryRepository
    media_cache: MediaCacheRepository

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Repositories:
        return cls(
            users=UserRepository(sessions),
            broadcasts=BroadcastRepository(sessions),
            deliveries=DeliveryRepository(sessions),
            media_cache=MediaCacheRepository(sessions),
        )
