"""an index on a shop's messages by sending time, for the admin overview

The overview counts the customers told of a problem in the last 30 days and the messages sent then; without
this index both read all of a shop's messages (bench/admin.py: about 80 ms of the overview's 230 ms on a shop
with 50,000 messages).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_messages_shop_id_sent_at', 'messages', ['shop_id', 'sent_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_messages_shop_id_sent_at', table_name='messages')
