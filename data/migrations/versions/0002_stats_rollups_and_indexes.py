"""stats rollups and indexes

The stats bot answers from daily rollups of closed days plus the raw rows of the last day or so,
so all-time figures stay fast on millions of rows. The rollup tables are written only by the stats
bot; the partial and language indexes serve its questions about `users`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_rollup_progress",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("rolled_up_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_rollup_progress")),
    )
    op.create_table(
        "stats_daily_registrations",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("registrations", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "audience", name=op.f("pk_stats_daily_registrations")),
    )
    op.create_table(
        "stats_daily_deliveries",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=False),
        sa.Column("is_inline", sa.Boolean(), nullable=False),
        sa.Column("deliveries", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "source", "audience", "outcome", "error_kind", "is_inline", name=op.f("pk_stats_daily_deliveries")
        ),
    )
    op.create_table(
        "stats_chat_activity",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_stats_chat_activity")),
    )
    op.create_index("ix_stats_chat_activity_last_day_chat_id", "stats_chat_activity", ["last_day", "chat_id"])
    op.create_index("ix_stats_chat_activity_top", "stats_chat_activity", [sa.text("requests DESC"), sa.text("chat_id")])
    op.create_table(
        "stats_last_active_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("chats", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "audience", name=op.f("pk_stats_last_active_days")),
    )
    op.create_table(
        "stats_boards",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "name", name=op.f("pk_stats_boards")),
    )
    op.create_index("ix_users_language", "users", ["language"])
    op.create_index(
        "ix_users_file_mode_on",
        "users",
        ["chat_id"],
        postgresql_where=sa.text("file_mode"),
        sqlite_where=sa.text("file_mode"),
    )
    op.create_index(
        "ix_users_blocked_on",
        "users",
        ["chat_id"],
        postgresql_where=sa.text("blocked"),
        sqlite_where=sa.text("blocked"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_blocked_on", table_name="users")
    op.drop_index("ix_users_file_mode_on", table_name="users")
    op.drop_index("ix_users_language", table_name="users")
    op.drop_table("stats_boards")
    op.drop_table("stats_last_active_days")
    op.drop_index("ix_stats_chat_activity_top", table_name="stats_chat_activity")
    op.drop_index("ix_stats_chat_activity_last_day_chat_id", table_name="stats_chat_activity")
    op.drop_table("stats_chat_activity")
    op.drop_table("stats_daily_deliveries")
    op.drop_table("stats_daily_registrations")
    op.drop_table("stats_rollup_progress")
