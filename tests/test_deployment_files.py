"""Dockerfile, .dockerignore, docker-compose.yml and the container health probe.

Our machines have no Docker engine, so the container files are read as data and checked for the facts an
operator relies on; the health probe runs for real, as Docker would run it.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from misc.runtime.healthcheck import HEARTBEAT_MAX_AGE, Heartbeat, heartbeat_path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_BOT_API = "http://telegram-bot-api:8081"
# Which script each health-probe name belongs to.
PROBED_SCRIPTS = {"bot": "main.py", "stats": "stats.py", "maintenance": "maintenance_bot.py"}


# ---- Dockerfile ----


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    args: str


@dataclass(frozen=True, slots=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword == keyword]


def parse_dockerfile(text: str) -> list[Instruction]:
    """Logical instructions: continuation lines joined, comments and blank lines dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    return instructions


def dockerfile_stages(instructions: list[Instruction]) -> list[Stage]:
    """Stages with their base image, global ARG defaults substituted as `docker build` does."""
    global_args: dict[str, str] = {}
    stages: list[tuple[str, str | None, list[Instruction]]] = []
    for item in instructions:
        if item.keyword == "FROM":
            words = item.args.split()
            base = re.sub(r"\$\{(\w+)\}", lambda match: global_args.get(match.group(1), ""), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append((base, name, []))
        elif stages:
            stages[-1][2].append(item)
        elif item.keyword == "ARG" and "=" in item.args:
            key, _, value = item.args.partition("=")
            global_args[key] = value
    return [Stage(base, name, tuple(items)) for base, name, items in stages]


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runtime_stage(dockerfile: list[Instruction]) -> Stage:
    return dockerfile_stages(dockerfile)[-1]


def env_assignments(stage: Stage) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in stage.all("ENV"):
        for word in shlex.split(item.args):
            key, _, value = word.partition("=")
            values[key] = value
    return values


def test_every_stage_starts_from_a_slim_python_image(dockerfile: list[Instruction]) -> None:
    bases = [stage.base for stage in dockerfile_stages(dockerfile)]
    assert bases, "the Dockerfile has no FROM"
    for base in bases:
        assert re.fullmatch(r"python:3\.1[2-9]-slim", base), f"{base} is not a slim Python 3.12+ image"


def test_the_bot_runs_as_an_unprivileged_user(runtime_stage: Stage) -> None:
    users = runtime_stage.all("USER")
    assert users, "the runtime stage never switches away from root"
    assert users[-1].args.split(":")[0] not in {"root", "0"}
    assert any("useradd" in item.args for item in runtime_stage.all("RUN")), "the user is never created"
    keywords = [item.keyword for item in runtime_stage.instructions]
    assert keywords.index("USER") < keywords.index("CMD"), "USER must come before the command it protects"


def test_dependencies_are_installed_from_the_lock_file_before_the_source_is_copied(
    dockerfile: list[Instruction], runtime_stage: Stage
) -> None:
    def position(predicate) -> int:
        matches = [index for index, item in enumerate(dockerfile) if predicate(item)]
        assert matches, "instruction not found"
        return matches[0]

    uv_binary = position(lambda item: item.keyword == "COPY" and "ghcr.io/astral-sh/uv" in item.args)
    lock_copied = position(lambda item: item.keyword == "COPY" and "uv.lock" in item.args.split())
    synced = position(
        lambda item: (
            item.keyword == "RUN" and "uv sync" in item.args and "--frozen" in item.args and "--no-dev" in item.args
        )
    )
    source_copied = position(lambda item: item.keyword == "COPY" and item.args == ". .")
    assert uv_binary < synced and lock_copied < synced < source_copied
    # The runtime stage takes the environment built from the lock, not a fresh resolve.
    venv_copies = [
        item for item in runtime_stage.all("COPY") if item.args.startswith("--from=") and ".venv" in item.args
    ]
    assert venv_copies, "the runtime stage does not take the locked virtualenv"
    assert not any("pip install" in item.args for item in runtime_stage.all("RUN"))


def test_python_output_is_unbuffered_and_the_virtualenv_is_on_the_path(runtime_stage: Stage) -> None:
    env = env_assignments(runtime_stage)
    assert env.get("PYTHONUNBUFFERED") == "1"
    assert env.get("PATH", "").startswith("/app/.venv/bin:")


def test_the_image_probes_the_bot_heartbeat(runtime_stage: Stage) -> None:
    (healthcheck,) = runtime_stage.all("HEALTHCHECK")
    command = json.loads(healthcheck.args[healthcheck.args.index("CMD ") + len("CMD ") :])
    assert command == ["python", "healthcheck.py", "bot"]
    assert (ROOT / "healthcheck.py").is_file()


def test_the_default_command_is_the_download_bot(runtime_stage: Stage) -> None:
    (command,) = runtime_stage.all("CMD")
    assert json.loads(command.args) == ["python", "main.py"]


# ---- .dockerignore ----


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parent directories wins."""
    prefixes = [str(Path(*Path(path).parts[: depth + 1])) for depth in range(len(Path(path).parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").strip("/")
        candidates = {glob, glob.removeprefix("**/")}
        if any(fnmatchcase(prefix, candidate) for prefix in prefixes for candidate in candidates):
            excluded = not negated
    return excluded


@pytest.fixture(scope="module")
def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("path", [".env", ".env.production", ".venv/bin/python", "tt-bot.sqlite3", ".git/HEAD"])
def test_secrets_and_local_state_stay_out_of_the_image(dockerignore: list[str], path: str) -> None:
    assert dockerignore_excludes(dockerignore, path)


@pytest.mark.parametrize(
    "path",
    [
        "main.py",
        "maintenance_bot.py",
        "healthcheck.py",
        "pyproject.toml",
        "uv.lock",
        "misc/runtime/healthcheck.py",
        "data/config.py",
        "data/locale/en.json",
        "data/migrations/env.py",
    ],
)
def test_what_the_bot_needs_reaches_the_image(dockerignore: list[str], path: str) -> None:
    assert not dockerignore_excludes(dockerignore, path)


# ---- docker-compose.yml ----


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def services(compose_text: str) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(compose_text)["services"]


def our_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that run our image (built from the Dockerfile)."""
    return {name: service for name, service in services.items() if "build" in service}


def volume_targets(service: dict[str, Any]) -> dict[str, str]:
    """Container path → volume name, for the short (`name:/path[:ro]`) and the long syntax."""
    targets: dict[str, str] = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        targets[target] = source
    return targets


def env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_compose_runs_the_bots_the_database_and_a_bot_api_server(services: dict[str, dict[str, Any]]) -> None:
    assert {"bot", "stats", "postgres", "telegram-bot-api"} <= set(services)
    assert services["bot"]["command"] == ["python", "main.py"]
    assert services["stats"]["command"] == ["python", "stats.py"]
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name


def test_postgres_18_keeps_its_data_in_a_volume_where_the_image_expects_it(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    assert postgres["image"].split(":")[1].split(".")[0] == "18"
    assert volume_targets(postgres).get("/var/lib/postgresql"), "PostgreSQL 18 images store data below this path"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_the_bot_api_server_runs_in_local_mode_with_credentials_from_env(
    services: dict[str, dict[str, Any]],
) -> None:
    api = services["telegram-bot-api"]
    environment = api["environment"]
    assert str(environment["TELEGRAM_LOCAL"]).lower() in {"1", "true"}
    assert environment["TELEGRAM_API_ID"].startswith("${TELEGRAM_API_ID")
    assert environment["TELEGRAM_API_HASH"].startswith("${TELEGRAM_API_HASH")
    assert api["healthcheck"]["test"]
    # The bot reads the files the server stores, under the same absolute path the server reports.
    files = volume_targets(api)["/var/lib/telegram-bot-api"]
    assert volume_targets(services["bot"])["/var/lib/telegram-bot-api"] == files


def test_the_bot_talks_to_the_local_bot_api_server_and_to_postgres(services: dict[str, dict[str, Any]]) -> None:
    environment = services["bot"]["environment"]
    assert environment["TG_SERVER"] == LOCAL_BOT_API
    assert str(environment["TG_SERVER_LOCAL"]).lower() == "true"
    postgres = services["postgres"]["environment"]
    user, database = postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]
    for name in ("bot", "stats"):
        db_url = services[name]["environment"]["DB_URL"]
        assert re.fullmatch(rf"postgresql://{user}:\$\{{POSTGRES_PASSWORD[^}}]*\}}@postgres:5432/{database}", db_url)


def test_services_start_only_after_what_they_need_is_healthy(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "telegram-bot-api"} <= set(services["bot"]["depends_on"])
    assert "postgres" in services["stats"]["depends_on"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert rule["condition"] == "service_healthy", f"{name} → {dependency}"
            assert services[dependency].get("healthcheck", {}).get("test"), f"{dependency} has no health check"


def test_our_containers_get_their_settings_from_env_and_probe_their_own_heartbeat(
    services: dict[str, dict[str, Any]],
) -> None:
    ours = our_services(services)
    assert {"bot", "stats"} <= set(ours)
    for name, service in ours.items():
        env_files = service["env_file"] if isinstance(service["env_file"], list) else [service["env_file"]]
        assert ".env" in [item if isinstance(item, str) else item["path"] for item in env_files], name
        probe = service["healthcheck"]["test"]
        assert probe[:3] == ["CMD", "python", "healthcheck.py"], name
        assert service["command"] == ["python", PROBED_SCRIPTS[probe[3]]], f"{name} probes another process"


def test_every_variable_compose_passes_is_documented_in_env_example(
    compose_text: str, services: dict[str, dict[str, Any]]
) -> None:
    documented = env_example_names()
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", compose_text))
    assert {"POSTGRES_PASSWORD", "TELEGRAM_API_ID", "TELEGRAM_API_HASH"} <= interpolated
    passed_to_our_processes = {key for service in our_services(services).values() for key in service["environment"]}
    assert {"DB_URL", "TG_SERVER", "TG_SERVER_LOCAL"} <= passed_to_our_processes
    assert not (interpolated | passed_to_our_processes) - documented


def test_every_setting_the_bot_reads_is_documented_in_env_example() -> None:
    source = (ROOT / "data" / "config.py").read_text(encoding="utf-8")
    (function,) = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "load_settings"
    ]
    body = ast.get_source_segment(source, function) or ""
    read = set(re.findall(r"\bread\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", body))
    assert len(read) >= 25, "the settings reader changed shape; update this test's pattern"
    assert not read - env_example_names()


# ---- the health probe ----


BOT_ID, STATS_BOT_ID, OTHER_BOT_ID = 5001, 5002, 5003
PROBE_TOKENS = {"BOT_TOKEN": f"{BOT_ID}:main-secret", "STATS_BOT_TOKEN": f"{STATS_BOT_ID}:stats-secret"}


async def run_probe(process: str, temp_dir: Path) -> tuple[int, str]:
    """`python healthcheck.py <process>` as Docker runs it (tokens in the environment), with the heartbeat
    directory as its temp dir."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "healthcheck.py",
        process,
        cwd=ROOT,
        env={**os.environ, **PROBE_TOKENS, "TMPDIR": str(temp_dir)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(child.communicate(), timeout=30)
    return child.returncode or 0, output.decode()


async def test_a_running_process_is_healthy(tmp_path: Path) -> None:
    heartbeat = Heartbeat("bot", BOT_ID, directory=tmp_path)
    await heartbeat.start()
    try:
        code, output = await run_probe("bot", tmp_path)
    finally:
        await heartbeat.stop()
    assert (code, output.split(":")[0]) == (0, "healthy")


async def test_a_process_that_never_started_is_unhealthy(tmp_path: Path) -> None:
    code, output = await run_probe("stats", tmp_path)
    assert code == 1
    assert "no heartbeat" in output


async def test_a_stuck_process_is_unhealthy(tmp_path: Path) -> None:
    path = heartbeat_path("bot", BOT_ID, tmp_path)
    path.touch()
    stale = time.time() - 2 * HEARTBEAT_MAX_AGE
    os.utime(path, (stale, stale))
    code, output = await run_probe("bot", tmp_path)
    assert code == 1
    assert "last heartbeat" in output


async def test_a_stopped_process_is_unhealthy_at_once(tmp_path: Path) -> None:
    heartbeat = Heartbeat("maintenance", BOT_ID, directory=tmp_path)
    await heartbeat.start()
    await heartbeat.stop()
    code, _ = await run_probe("maintenance", tmp_path)
    assert code == 1


async def test_the_heartbeat_keeps_beating_while_the_loop_runs(tmp_path: Path) -> None:
    heartbeat = Heartbeat("bot", BOT_ID, interval=0.01, directory=tmp_path)
    await heartbeat.start()
    try:
        stale = time.time() - 2 * HEARTBEAT_MAX_AGE
        os.utime(heartbeat.path, (stale, stale))

        async def beaten_again() -> None:
            # A file's mtime has no event to await: look again until it moves (bounded by wait_for).
            while heartbeat.path.stat().st_mtime <= stale:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        await asyncio.wait_for(beaten_again(), timeout=5)
        code, _ = await run_probe("bot", tmp_path)
    finally:
        await heartbeat.stop()
    assert code == 0


async def test_an_unknown_process_name_is_a_usage_error(tmp_path: Path) -> None:
    code, output = await run_probe("nonsense", tmp_path)
    assert code == 2
    assert "usage" in output


async def test_each_probe_finds_its_own_bots_heartbeat_only(tmp_path: Path) -> None:
    # Another bot on the same host beats; ours has not started: ours is not healthy on the other's beat.
    other = Heartbeat("bot", OTHER_BOT_ID, directory=tmp_path)
    await other.start()
    try:
        code, output = await run_probe("bot", tmp_path)
        assert (code, "no heartbeat" in output) == (1, True)
        stats = Heartbeat("stats", STATS_BOT_ID, directory=tmp_path)
        await stats.start()
        try:
            assert (await run_probe("stats", tmp_path))[0] == 0
            assert (await run_probe("maintenance", tmp_path))[0] == 1
        finally:
            await stats.stop()
    finally:
        await other.stop()
