"""QueueManager: per-chat limits, the global cap, round-robin between chats, and cancellation safety."""

from __future__ import annotations

import asyncio

import pytest

from misc.runtime.queue_manager import QueueFullError, QueueManager

WAIT = 5


async def settle() -> None:
    """Let every ready task run until it blocks again."""
    for _ in range(5):
        await asyncio.sleep(0)


class Jobs:
    """Starts jobs that hold their slot until released, and records the order in which they began."""

    def __init__(self, queue: QueueManager) -> None:
        self.queue = queue
        self.started: list[str] = []
        self.running: set[str] = set()
        self.max_running = 0
        self.refused: list[str] = []
        self._release: dict[str, asyncio.Event] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, chat_id: int) -> asyncio.Task[None]:
        self._release[name] = asyncio.Event()
        task = asyncio.create_task(self._run(name, chat_id))
        self.tasks[name] = task
        return task

    async def _run(self, name: str, chat_id: int) -> None:
        try:
            await self._hold_slot(name, chat_id)
        except QueueFullError:
            self.refused.append(name)

    async def _hold_slot(self, name: str, chat_id: int) -> None:
        async with self.queue.job(chat_id):
            self.started.append(name)
            self.running.add(name)
            self.max_running = max(self.max_running, len(self.running))
            try:
                await self._release[name].wait()
            finally:
                self.running.discard(name)

    def finish(self, name: str) -> None:
        self._release[name].set()

    def finish_all(self) -> None:
        for event in self._release.values():
            event.set()

    async def join(self) -> None:
        await asyncio.wait_for(asyncio.gather(*self.tasks.values(), return_exceptions=True), WAIT)


async def test_chat_over_its_limit_is_refused_at_once_with_the_count() -> None:
    queue = QueueManager(max_per_chat=2, max_total=10)
    jobs = Jobs(queue)
    jobs.start("a1", 1)
    jobs.start("a2", 1)
    await settle()

    with pytest.raises(QueueFullError) as refused:
        async with queue.job(1):
            pytest.fail("a third job must not be admitted")
    assert refused.value.in_progress == 2
    assert queue.in_progress(1) == 2

    jobs.finish_all()
    await jobs.join()


async def test_limit_of_one_chat_does_not_affect_another() -> None:
    queue = QueueManager(max_per_chat=1, max_total=10)
    jobs = Jobs(queue)
    jobs.start("a", 1)
    jobs.start("b", 2)
    await settle()

    assert sorted(jobs.started) == ["a", "b"]
    jobs.finish_all()
    await jobs.join()


async def test_waiting_jobs_count_against_the_chat_limit() -> None:
    queue = QueueManager(max_per_chat=2, max_total=1)
    jobs = Jobs(queue)
    jobs.start("other", 9)
    jobs.start("a1", 1)
    jobs.start("a2", 1)
    await settle()

    assert jobs.started == ["other"]
    assert queue.in_progress(1) == 2
    with pytest.raises(QueueFullError):
        async with queue.job(1):
            pass
    jobs.finish_all()
    await jobs.join()


async def test_zero_per_chat_means_no_limit() -> None:
    queue = QueueManager(max_per_chat=0, max_total=100)
    jobs = Jobs(queue)
    for index in range(50):
        jobs.start(f"a{index}", 1)
    await settle()

    assert len(jobs.started) == 50
    assert queue.in_progress(1) == 50
    jobs.finish_all()
    await jobs.join()


async def test_never_more_than_max_total_jobs_run_and_all_of_them_finish() -> None:
    queue = QueueManager(max_per_chat=0, max_total=3)
    jobs = Jobs(queue)
    for index in range(10):
        jobs.start(f"j{index}", index % 4)
    await settle()
    assert queue.active() == 3
    assert queue.waiting() == 7

    while len(jobs.started) < 10:
        for name in list(jobs.running):
            jobs.finish(name)
        await settle()
    jobs.finish_all()
    await jobs.join()

    assert jobs.max_running == 3
    assert sorted(jobs.started) == sorted(f"j{index}" for index in range(10))
    assert (queue.active(), queue.waiting()) == (0, 0)


async def test_the_slot_is_held_until_the_block_exits() -> None:
    queue = QueueManager(max_per_chat=0, max_total=1)
    jobs = Jobs(queue)
    jobs.start("upload", 1)
    jobs.start("next", 2)
    await settle()
    assert jobs.started == ["upload"]

    jobs.finish("upload")
    await settle()
    assert jobs.started == ["upload", "next"]
    jobs.finish_all()
    await jobs.join()


async def test_cancelled_waiting_job_releases_its_chat_count_and_takes_no_slot() -> None:
    queue = QueueManager(max_per_chat=1, max_total=1)
    jobs = Jobs(queue)
    jobs.start("running", 1)
    waiting = jobs.start("cancelled", 2)
    jobs.start("after", 3)
    await settle()
    assert queue.in_progress(2) == 1

    waiting.cancel()
    await settle()
    assert queue.in_progress(2) == 0
    assert queue.waiting() == 1

    jobs.finish("running")
    await settle()
    assert jobs.started == ["running", "after"]
    # The chat can queue again right away: its count was given back.
    jobs.start("again", 2)
    jobs.finish_all()
    await jobs.join()
    assert "again" in jobs.started
    assert (queue.active(), queue.waiting(), queue.in_progress(2)) == (0, 0, 0)


async def test_cancelled_running_job_releases_its_slot_and_its_chat_count() -> None:
    queue = QueueManager(max_per_chat=1, max_total=1)
    jobs = Jobs(queue)
    running = jobs.start("running", 1)
    jobs.start("next", 2)
    await settle()

    running.cancel()
    await settle()

    assert jobs.started == ["running", "next"]
    assert queue.in_progress(1) == 0
    assert queue.active() == 1
    jobs.finish_all()
    await jobs.join()
    assert queue.active() == 0


async def test_job_cancelled_right_after_being_handed_a_slot_passes_the_slot_on() -> None:
    queue = QueueManager(max_per_chat=0, max_total=1)
    jobs = Jobs(queue)
    jobs.start("first", 1)
    handed = jobs.start("handed", 2)
    jobs.start("third", 3)
    await settle()

    # Finishing "first" hands its slot to "handed", which is cancelled before it can resume.
    jobs.finish("first")
    await asyncio.sleep(0)
    handed.cancel()
    await settle()

    assert "handed" not in jobs.started
    assert jobs.started == ["first", "third"]
    assert queue.active() == 1
    jobs.finish_all()
    await jobs.join()
    assert (queue.active(), queue.waiting()) == (0, 0)


async def test_a_chat_with_one_link_is_not_stuck_behind_a_burst_from_another_chat() -> None:
    queue = QueueManager(max_per_chat=0, max_total=2)
    jobs = Jobs(queue)
    for index in range(300):
        jobs.start(f"burst{index}", -100)
    await settle()
    jobs.start("single", 7)
    await settle()

    # Slots freed one at a time alternate between the chats that wait.
    for _ in range(3):
        for name in list(jobs.running):
            jobs.finish(name)
        await settle()
    assert "single" in jobs.started
    assert jobs.started.index("single") <= 4

    jobs.finish_all()
    await jobs.join()


async def test_slots_go_round_robin_between_waiting_chats_and_in_order_within_a_chat() -> None:
    queue = QueueManager(max_per_chat=0, max_total=1)
    jobs = Jobs(queue)
    jobs.start("blocker", 0)
    for chat in (1, 2, 3):
        for index in range(3):
            jobs.start(f"c{chat}-{index}", chat)
    await settle()

    while len(jobs.started) < 10:
        for name in list(jobs.running):
            jobs.finish(name)
        await settle()
    jobs.finish_all()
    await jobs.join()

    assert jobs.started[1:] == ["c1-0", "c2-0", "c3-0", "c1-1", "c2-1", "c3-1", "c1-2", "c2-2", "c3-2"]


async def test_burst_with_random_cancellations_leaves_nothing_behind() -> None:
    queue = QueueManager(max_per_chat=5, max_total=4)
    jobs = Jobs(queue)
    for index in range(400):
        jobs.start(f"j{index}", index % 60)
    await settle()
    assert len(jobs.refused) == 400 - 60 * 5
    for position, task in enumerate(jobs.tasks.values()):
        if position % 3 == 0:
            task.cancel()
    await settle()
    jobs.finish_all()
    await jobs.join()

    assert jobs.max_running <= 4
    assert (queue.active(), queue.waiting()) == (0, 0)
    assert all(queue.in_progress(chat) == 0 for chat in range(60))
    await asyncio.wait_for(queue.wait_idle(), WAIT)
    async with queue.job(1):
        assert queue.active() == 1


async def test_exception_inside_the_job_releases_everything() -> None:
    queue = QueueManager(max_per_chat=1, max_total=1)
    with pytest.raises(RuntimeError):
        async with queue.job(5):
            raise RuntimeError("download failed")
    assert (queue.active(), queue.in_progress(5)) == (0, 0)
    async with queue.job(5):
        assert queue.in_progress(5) == 1
