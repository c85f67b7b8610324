"""create initial tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 16:03:27.858459
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('admin_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('from_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('reply_markup', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    op.create_index(op.f('ix_broadcasts_status'), 'broadcasts', ['status'], unique=False)
    op.create_table('media_cache',
    sa.Column('video_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('file_ids', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('video_id', 'kind', name=op.f('pk_media_cache'))
    )
    op.create_table('music',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('video_id', sa.String(length=32), nullable=False),
    sa.Column('is_inline', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('bytes', sa.BigInteger(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_music'))
    )
    op.create_index(op.f('ix_music_chat_id'), 'music', ['chat_id'], unique=False)
    op.create_index(op.f('ix_music_created_at'), 'music', ['created_at'], unique=False)
    op.create_table('users',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_type', sa.String(length=16), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('referral', sa.String(length=64), nullable=True),
    sa.Column('file_mode', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('blocked', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_users'))
    )
    op.create_index(op.f('ix_users_referral'), 'users', ['referral'], unique=False)
    op.create_index(op.f('ix_users_registered_at'), 'users', ['registered_at'], unique=False)
    op.create_table('videos',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('video_id', sa.String(length=32), nullable=False),
    sa.Column('is_inline', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('error_kind', sa.String(length=32), nullable=True),
    sa.Column('bytes', sa.BigInteger(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_videos'))
    )
    op.create_index(op.f('ix_videos_chat_id'), 'videos', ['chat_id'], unique=False)
    op.create_index(op.f('ix_videos_created_at'), 'videos', ['created_at'], unique=False)
    op.create_index('ix_videos_kind_created_at', 'videos', ['kind', 'created_at'], unique=False)
    op.create_table('broadcast_deliveries',
    sa.Column('broadcast_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_deliveries_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('broadcast_id', 'chat_id', name=op.f('pk_broadcast_deliveries'))
    )


def downgrade() -> None:
    op.drop_table('broadcast_deliveries')
    op.drop_index('ix_videos_kind_created_at', table_name='videos')
    op.drop_index(op.f('ix_videos_created_at'), table_name='videos')
    op.drop_index(op.f('ix_videos_chat_id'), table_name='videos')
    op.drop_table('videos')
    op.drop_index(op.f('ix_users_registered_at'), table_name='users')
    op.drop_index(op.f('ix_users_referral'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_music_created_at'), table_name='music')
    op.drop_index(op.f('ix_music_chat_id'), table_name='music')
    op.drop_table('music')
    op.drop_table('media_cache')
    op.drop_index(op.f('ix_broadcasts_status'), table_name='broadcasts')
    op.drop_table('broadcasts')
