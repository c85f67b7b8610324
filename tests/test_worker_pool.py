"""Image conversion workers load the converter, not the entry script that started the bot; a worker that
dies breaks no later job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import worker_jobs
from tests.fakes import media
from tiktok_api.worker_pool import IdleReleasingPool, WorkerCrashedError

ROOT = Path(__file__).resolve().parent.parent

ENTRY_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path

    if __name__ != "__main__":  # a worker running this script again, as the whole bot would be imported
        Path(sys.argv[1]).with_suffix(".worker").write_text(__name__)

    async def convert() -> None:
        from tiktok_api.images import ImageConverter

        converter = ImageConverter()
        try:
            jpeg = await converter.jpeg(Path(sys.argv[1]).read_bytes())
        finally:
            await converter.close()
        Path(sys.argv[1]).with_suffix(".jpg").write_bytes(jpeg)

    if __name__ == "__main__":
        asyncio.run(convert())
    """
)


def test_a_heic_is_converted_by_a_worker_that_does_not_rerun_the_entry_script(tmp_path: Path) -> None:
    script = tmp_path / "entry.py"
    script.write_text(ENTRY_SCRIPT)
    heic = tmp_path / "slide.heic"
    heic.write_bytes(media.heic_bytes(2))

    result = subprocess.run(
        [sys.executable, str(script), str(heic)], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert media.image_size(heic.with_suffix(".jpg").read_bytes()) == media.image_size(media.heic_bytes(2))
    assert heic.with_suffix(".jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert not heic.with_suffix(".worker").exists()


async def test_a_worker_that_dies_fails_its_job_clearly_and_the_pool_serves_the_next_one() -> None:
    pool = IdleReleasingPool(max_workers=1, preload=["tests.worker_jobs"])
    try:
        with pytest.raises(WorkerCrashedError):
            await pool.run(worker_jobs.die)
        assert await pool.run(worker_jobs.slow_square, 7, 0.0) == 49
    finally:
        await pool.close()


async def test_a_worker_killed_while_the_pool_is_idle_costs_the_next_job_nothing() -> None:
    pool = IdleReleasingPool(max_workers=1, preload=["tests.worker_jobs"])
    try:
        assert await pool.run(worker_jobs.worker_pid) > 0
        os.kill(await pool.run(worker_jobs.worker_pid), signal.SIGKILL)
        await asyncio.sleep(0.5)  # the pool notices the death on its own
        assert await pool.run(worker_jobs.slow_square, 7, 0.0) == 49
    finally:
        await pool.close()


def _exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


async def test_jobs_share_one_worker_process_and_at_most_max_workers_run_at_once() -> None:
    pool = IdleReleasingPool(max_workers=2, preload=["tests.worker_jobs"])
    try:
        runs = await asyncio.gather(*(pool.run(worker_jobs.busy_interval, 0.3) for _ in range(5)))
    finally:
        await pool.close()

    assert len({pid for pid, _, _ in runs}) == 1
    moments = sorted({moment for _, started, ended in runs for moment in (started, ended)})
    running = [sum(started <= moment < ended for _, started, ended in runs) for moment in moments]
    assert max(running) == 2


async def test_a_failing_job_raises_its_own_error_and_an_unsendable_result_a_clear_one() -> None:
    pool = IdleReleasingPool(max_workers=1, preload=["tests.worker_jobs"])
    try:
        with pytest.raises(ValueError, match="no such slide"):
            await pool.run(worker_jobs.fail, "no such slide")
        with pytest.raises(RuntimeError, match="pickle"):
            await pool.run(worker_jobs.unpicklable_result)
        with pytest.raises(RuntimeError, match="could not be read"):
            await pool.run(worker_jobs.fail_oddly)
        assert await pool.run(worker_jobs.slow_square, 3, 0.0) == 9
    finally:
        await pool.close()


async def test_an_idle_worker_exits_and_the_next_job_starts_another() -> None:
    pool = IdleReleasingPool(max_workers=1, preload=["tests.worker_jobs"], idle_seconds=0.2)
    try:
        first = await pool.run(worker_jobs.worker_pid)
        for _ in range(100):
            if not _exists(first):
                break
            await asyncio.sleep(0.05)
        assert not _exists(first)  # exited and reaped: no zombie left behind
        second = await pool.run(worker_jobs.worker_pid)
        assert second != first and _exists(second)
    finally:
        await pool.close()
    assert not _exists(second)


async def test_the_worker_sees_none_of_the_bots_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:secret")
    monkeypatch.setenv("DB_URL", "postgresql://bot:password@db/bot")
    monkeypatch.setenv("PROXY_FILE", "/run/secrets/proxies")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    pool = IdleReleasingPool(max_workers=1, preload=["tests.worker_jobs"])
    try:
        names = await pool.run(worker_jobs.environment_names)
    finally:
        await pool.close()

    assert not {"BOT_TOKEN", "DB_URL", "PROXY_FILE"} & set(names)
    assert {"LC_ALL", "PATH", "PYTHONPATH", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"} <= set(names)
