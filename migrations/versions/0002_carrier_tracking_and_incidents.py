"""carrier tracking and incidents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('carrier_accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carrier', sa.String(length=40), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('credentials_ciphertext', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_carrier_accounts_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_accounts')),
    sa.UniqueConstraint('shop_id', 'carrier', name=op.f('uq_carrier_accounts_shop_id_carrier'))
    )
    op.create_table('incident_clusters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carrier', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_incident_clusters_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_clusters'))
    )
    with op.batch_alter_table('incident_clusters', schema=None) as batch_op:
        batch_op.create_index('ix_incident_clusters_shop_id_status', ['shop_id', 'status'], unique=False)

    op.create_table('lane_baselines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lane', sa.Text(), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('transit_p50', sa.Numeric(precision=8, scale=3, asdecimal=False), nullable=False),
    sa.Column('transit_p90', sa.Numeric(precision=8, scale=3, asdecimal=False), nullable=False),
    sa.Column('gap_p90', sa.Numeric(precision=8, scale=3, asdecimal=False), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_lane_baselines_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lane_baselines')),
    sa.UniqueConstraint('shop_id', 'lane', name=op.f('uq_lane_baselines_shop_id_lane'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shipment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clear_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cluster_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['cluster_id'], ['incident_clusters.id'], name=op.f('fk_incidents_cluster_id_incident_clusters'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_incidents_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_incidents_shipment_id_shipments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_incidents_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_order_id_status', ['order_id', 'status'], unique=False)
        batch_op.create_index('ix_incidents_shop_id_status', ['shop_id', 'status'], unique=False)

    op.create_table('tracking_polls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shipment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('carrier', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('polled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_tracking_polls_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_polls'))
    )
    with op.batch_alter_table('tracking_polls', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_polls_shipment_id', ['shipment_id'], unique=False)

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('running_late', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('signed_by', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('push_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('push_subscribed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('check_error', sa.Text(), nullable=True))

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy', sa.JSON(), nullable=True))

    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_tracking_events_shipment_id_occurred_at_raw_code'), ['shipment_id', 'occurred_at', 'raw_code'])



def downgrade() -> None:
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tracking_events_shipment_id_occurred_at_raw_code'), type_='unique')

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('policy')

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_column('check_error')
        batch_op.drop_column('status_since')
        batch_op.drop_column('push_subscribed_until')
        batch_op.drop_column('push_until')
        batch_op.drop_column('last_event_at')
        batch_op.drop_column('signed_by')
        batch_op.drop_column('running_late')

    with op.batch_alter_table('tracking_polls', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_polls_shipment_id')

    op.drop_table('tracking_polls')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_shop_id_status')
        batch_op.drop_index('ix_incidents_order_id_status')

    op.drop_table('incidents')
    op.drop_table('lane_baselines')
    with op.batch_alter_table('incident_clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_clusters_shop_id_status')

    op.drop_table('incident_clusters')
    op.drop_table('carrier_accounts')
