"""chat settings, delivery sources, probed video facts, cache by quality

- `users.video_quality` (best, balanced, saver; default best) and `users.caption_description`
  (default on): the chat's /settings.
- `videos.source` and `music.source` (chat, inline, guest): the door a delivery came through, filled
  from `is_inline` for existing rows (`is_inline` stays for operators' scripts).
- `videos.codec`, `videos.height`, `videos.has_audio`: what the downloaded file holds (NULL when unknown).
- `media_cache.quality` joins the key: video kinds are cached per quality (existing entries were all the
  best rendition), other kinds (slideshows, sounds) have no renditions and use the fixed value "any".
  Downgrading keeps the best and "any" entries and forgets the others (they would collide).
- `stats_daily_doors`: the stats bot's daily rollup of successful deliveries per door, with the silent and
  HEVC videos among them; closed days already rolled up are counted from the raw rows here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIDEO_CACHE_KINDS = ("video", "video_document")
ANY_QUALITY = "any"
BEST_QUALITY = "best"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("video_quality", sa.String(length=16), server_default="best", nullable=False))
        batch.add_column(sa.Column("caption_description", sa.Boolean(), server_default=sa.true(), nullable=False))
    for table in ("videos", "music"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source", sa.String(length=16), server_default="chat", nullable=False))
        op.execute(sa.text(f"UPDATE {table} SET source = 'inline' WHERE is_inline"))
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("codec", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("has_audio", sa.Boolean(), nullable=True))

    with op.batch_alter_table("media_cache") as batch:
        batch.add_column(sa.Column("quality", sa.String(length=16), server_default=ANY_QUALITY, nullable=False))
    op.execute(
        sa.text("UPDATE media_cache SET quality = :best WHERE kind IN :kinds").bindparams(
            sa.bindparam("kinds", VIDEO_CACHE_KINDS, expanding=True), best=BEST_QUALITY
        )
    )
    _media_cache_key(["video_id", "kind", "quality"], drop_default=True)

    op.create_table(
        "stats_daily_doors",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("door", sa.String(length=16), nullable=False),
        sa.Column("deliveries", sa.BigInteger(), nullable=False),
        sa.Column("silent", sa.BigInteger(), nullable=False),
        sa.Column("hevc", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "door", name=op.f("pk_stats_daily_doors")),
    )
    _count_rolled_up_doors()


def downgrade() -> None:
    op.drop_table("stats_daily_doors")
    op.execute(
        sa.text("DELETE FROM media_cache WHERE quality NOT IN (:best, :any)").bindparams(
            best=BEST_QUALITY, any=ANY_QUALITY
        )
    )
    _media_cache_key(["video_id", "kind"], drop_default=False)
    with op.batch_alter_table("media_cache") as batch:
        batch.drop_column("quality")
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("has_audio")
        batch.drop_column("height")
        batch.drop_column("codec")
        batch.drop_column("source")
    with op.batch_alter_table("music") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("caption_description")
        batch.drop_column("video_quality")


def _media_cache_key(columns: list[str], *, drop_default: bool) -> None:
    """Replace the primary key of `media_cache` (SQLite rebuilds the table for it)."""
    with op.batch_alter_table("media_cache", recreate="auto") as batch:
        batch.drop_constraint("pk_media_cache", type_="primary")
        batch.create_primary_key("pk_media_cache", columns)
        if drop_default:
            batch.alter_column("quality", existing_type=sa.String(length=16), server_default=None)


def _count_rolled_up_doors() -> None:
    """Fill the new rollup for the days the other rollups already hold (before the progress horizon).
    No row of those days has a probed codec or sound yet, so their silent and HEVC counts are 0."""
    is_postgres = op.get_bind().dialect.name == "postgresql"
    day = "CAST(timezone('UTC', created_at) AS DATE)" if is_postgres else "date(created_at)"
    horizon = "(SELECT rolled_up_until FROM stats_rollup_progress WHERE id = 1)"
    op.execute(
        sa.text(
            f"""
            INSERT INTO stats_daily_doors (day, door, deliveries, silent, hevc)
            SELECT day, door, COUNT(*), 0, 0 FROM (
                SELECT {day} AS day, source AS door FROM videos WHERE outcome = 'success' AND created_at < {horizon}
                UNION ALL
                SELECT {day}, source FROM music WHERE outcome = 'success' AND created_at < {horizon}
            ) AS delivered
            GROUP BY day, door
            """
        )
    )
