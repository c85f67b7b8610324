"""Persisted broadcast jobs and their recipients.

A recipient is claimed (a `broadcast_deliveries` row with the unique key (broadcast, chat)) before the
message goes out and settled after; a restarted or second process skips every claimed chat, so nobody
gets a broadcast twice. A claim that was never settled (the process died mid-send) stays `sending`
and is reported as unconfirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from data.models import Broadcast, BroadcastDelivery, User, utcnow
from data.repositories.records import record_from_row
from data.repositories.upsert import insert_for
from data.repositories.users import BROADCAST_AUDIENCE


class BroadcastStatus:
    PENDING = "pending"
    DONE = "done"
    ABORTED = "aborted"


class DeliveryStatus:
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


UNFINISHED = (BroadcastStatus.PENDING,)
_COUNTER_OF = {DeliveryStatus.SENT: "sent", DeliveryStatus.BLOCKED: "blocked", DeliveryStatus.FAILED: "failed"}


@dataclass(frozen=True, slots=True)
class BroadcastJob:
    id: int
    admin_chat_id: int
    from_chat_id: int
    message_id: int
    reply_markup: dict | None
    last_chat_id: int


@dataclass(frozen=True, slots=True)
class BroadcastTally:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unconfirmed: int = 0


class BroadcastRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self, admin_chat_id: int, from_chat_id: int, message_id: int, reply_markup: dict | None
    ) -> int | None:
        """A new pending job; None when this very message was already broadcast (a replayed confirmation)."""
        async with self._sessions() as session:
            existing = await session.scalar(
                select(Broadcast.id).where(Broadcast.from_chat_id == from_chat_id, Broadcast.message_id == message_id)
            )
            if existing is not None:
                return None
            job = Broadcast(
                admin_chat_id=admin_chat_id,
                from_chat_id=from_chat_id,
                message_id=message_id,
                reply_markup=reply_markup,
                status=BroadcastStatus.PENDING,
                last_chat_id=0,
                sent=0,
                blocked=0,
                failed=0,
                created_at=utcnow(),
            )
            session.add(job)
            await session.commit()
            return job.id

    async def audience_size(self) -> int:
        """How many chats a broadcast started now would reach: private users who have not blocked the bot."""
        async with self._sessions() as session:
            count = await session.scalar(select(func.count()).select_from(User).where(BROADCAST_AUDIENCE))
            return count or 0

    async def get(self, broadcast_id: int) -> BroadcastJob | None:
        async with self._sessions() as session:
            row = await session.get(Broadcast, broadcast_id)
            return record_from_row(BroadcastJob, row) if row else None

    async def next_unfinished(self) -> BroadcastJob | None:
        """The oldest job still to deliver (jobs run one after another so their pace adds up to one limit)."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(Broadcast).where(Broadcast.status.in_(UNFINISHED)).order_by(Broadcast.id).limit(1)
            )
            return record_from_row(BroadcastJob, row) if row else None

    async def claim(self, broadcast_id: int, chat_id: int) -> bool:
        """Record the recipient before sending; False when it was claimed already (by an earlier run)."""
        async with self._sessions() as session:
            statement = (
                insert_for(session, BroadcastDelivery)
                .values(broadcast_id=broadcast_id, chat_id=chat_id, status=DeliveryStatus.SENDING, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=[BroadcastDelivery.broadcast_id, BroadcastDelivery.chat_id])
                .returning(BroadcastDelivery.chat_id)
            )
            claimed = (await session.execute(statement)).scalar_one_or_none() is not None
            await session.commit()
            return claimed

    async def release(self, broadcast_id: int, chat_id: int) -> None:
        """Undo a claim whose send surely did not happen (the job stops before reaching this chat)."""
        async with self._sessions() as session:
            await session.execute(
                BroadcastDelivery.__table__.delete().where(
                    BroadcastDelivery.broadcast_id == broadcast_id,
                    BroadcastDelivery.chat_id == chat_id,
                    BroadcastDelivery.status == DeliveryStatus.SENDING,
                )
            )
            await session.commit()

    async def settle(self, broadcast_id: int, chat_id: int, status: str, error: str | None = None) -> None:
        """Store a recipient's outcome, bump the job's counter and move its resume point, in one transaction."""
        counter = _COUNTER_OF[status]
        async with self._sessions() as session:
            await session.execute(
                update(BroadcastDelivery)
                .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.chat_id == chat_id)
                .values(status=status, error=error[:1000] if error else None)
            )
            column = getattr(Broadcast, counter)
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id)
                .values(
                    {
                        counter: column + 1,
                        # Several workers may run one job: the resume point only ever moves forward.
                        "last_chat_id": case((Broadcast.last_chat_id < chat_id, chat_id), else_=Broadcast.last_chat_id),
                    }
                )
            )
            await session.commit()

    async def tally(self, broadcast_id: int) -> BroadcastTally:
        async with self._sessions() as session:
            rows = await session.execute(
                select(BroadcastDelivery.status, func.count())
                .where(BroadcastDelivery.broadcast_id == broadcast_id)
                .group_by(BroadcastDelivery.status)
            )
            counts: dict[str, int] = {status: count for status, count in rows}
        return BroadcastTally(
            sent=counts.get(DeliveryStatus.SENT, 0),
            blocked=counts.get(DeliveryStatus.BLOCKED, 0),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            unconfirmed=counts.get(DeliveryStatus.SENDING, 0),
        )

    async def finish(self, broadcast_id: int, status: str = BroadcastStatus.DONE) -> bool:
        """Close the job; True for the one caller that did (several workers may reach the end together)."""
        async with self._sessions() as session:
            closed = await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status.in_(UNFINISHED))
                .values(status=status, finished_at=utcnow())
                .returning(Broadcast.id)
            )
            won = closed.scalar_one_or_none() is not None
            await session.commit()
            return won
