"""customer messages, their attempts, opt-outs and survey answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('messaging', sa.JSON(), nullable=True))
    op.create_table('messages',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('shop_id', ID, nullable=False),
    sa.Column('order_id', ID, nullable=False),
    sa.Column('incident_id', ID, nullable=True),
    sa.Column('case_id', ID, nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.Text(), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('suppression_reason', sa.String(length=20), nullable=True),
    sa.Column('send_at', WHEN, nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('provider_id', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('detected_at', WHEN, nullable=True),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('updated_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_messages_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_messages_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_messages_idempotency_key'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_messages_shop_id_status', ['shop_id', 'status'], unique=False)
    op.create_table('message_attempts',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('message_id', ID, nullable=False),
    sa.Column('attempted_at', WHEN, nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('provider_id', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_attempts_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_attempts'))
    )
    with op.batch_alter_table('message_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_message_attempts_message_id', ['message_id'], unique=False)
    op.create_table('opt_outs',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('shop_id', ID, nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_opt_outs_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opt_outs')),
    sa.UniqueConstraint('shop_id', 'address', name=op.f('uq_opt_outs_shop_id_address'))
    )
    op.create_table('survey_answers',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('shop_id', ID, nullable=False),
    sa.Column('order_id', ID, nullable=False),
    sa.Column('case_id', ID, nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_survey_answers_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_survey_answers_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('order_id', name=op.f('uq_survey_answers_order_id'))
    )


def downgrade() -> None:
    op.drop_table('survey_answers')
    op.drop_table('opt_outs')
    with op.batch_alter_table('message_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_message_attempts_message_id')
    op.drop_table('message_attempts')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_shop_id_status')
        batch_op.drop_index('ix_messages_order_id')
    op.drop_table('messages')
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('messaging')
