"""WooCommerce installations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('woo_installations',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('store_url', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('shop_id', ID, nullable=True),
    sa.Column('admin_email', sa.Text(), nullable=True),
    sa.Column('credentials_ciphertext', sa.Text(), nullable=True),
    sa.Column('key_permissions', sa.String(length=20), nullable=True),
    sa.Column('webhook_secret_ciphertext', sa.Text(), nullable=True),
    sa.Column('webhooks', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('health_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('health_error', sa.Text(), nullable=True),
    sa.Column('reconnect_of', ID, nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_woo_installations_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_woo_installations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_woo_installations_public_id'))
    )
    with op.batch_alter_table('woo_installations', schema=None) as batch_op:
        batch_op.create_index('ix_woo_installations_shop_id', ['shop_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('woo_installations', schema=None) as batch_op:
        batch_op.drop_index('ix_woo_installations_shop_id')
    op.drop_table('woo_installations')
