"""Wix app instances

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('wix_installations',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('instance_id', sa.String(length=64), nullable=False),
    sa.Column('shop_id', ID, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sync_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_wix_installations_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wix_installations')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_wix_installations_instance_id'))
    )


def downgrade() -> None:
    op.drop_table('wix_installations')
