# syntax=docker/dockerfile:1
# One image for all three processes: main.py (default), stats.py, maintenance_bot.py.
ARG PYTHON_IMAGE=python:3.13-slim

# ---- Dependencies, exactly as uv.lock pins them ----
FROM ${PYTHON_IMAGE} AS dependencies
# Same uv release that wrote uv.lock.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# Only the lock and the project file: this layer is rebuilt when dependencies change, not when code does.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# ---- Runtime ----
FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH="/app/.venv/bin:${PATH}"
# /data: a writable place for an SQLite database (DB_URL=sqlite:////data/tt-bot.sqlite3) when no
# PostgreSQL is used; the code in /app stays read-only for the bot's user.
RUN groupadd --system --gid 10001 ttbot \
 && useradd --system --uid 10001 --gid ttbot --home-dir /data --no-create-home --shell /usr/sbin/nologin ttbot \
 && install -d -o ttbot -g ttbot -m 0750 /data
WORKDIR /app
COPY --from=dependencies /app/.venv /app/.venv
COPY . .
USER ttbot
# The process touches its heartbeat every 10 s once started; migrations may take a while on first start.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "healthcheck.py", "bot"]
CMD ["python", "main.py"]
