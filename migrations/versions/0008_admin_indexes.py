"""indexes for the admin's shipments page on a large shop

The shipments page lists a shop's parcels newest first, filtered by carrier and status, and offers the shop's
carriers as a filter (one index lookup per carrier). Without these, each of those read all of a shop's parcels:
bench/admin.py measured 360 ms median for the first page of a 100,000-parcel shop, 80–120 ms with them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_shipments_shop_id_carrier_status', 'shipments', ['shop_id', 'carrier', 'status'], unique=False)
    op.create_index('ix_shipments_shop_id_shipped_at', 'shipments', ['shop_id', 'shipped_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_shipments_shop_id_shipped_at', table_name='shipments')
    op.drop_index('ix_shipments_shop_id_carrier_status', table_name='shipments')
