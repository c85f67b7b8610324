"""Image conversion workers load the converter, not the entry script that started the bot."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.fakes import media

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
            converter.close()
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
