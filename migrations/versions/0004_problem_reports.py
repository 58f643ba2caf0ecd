"""customers' problem reports and their photos; cases remember that a customer reported

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_reported_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('problem_reports',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('shop_id', ID, nullable=False),
    sa.Column('order_id', ID, nullable=False),
    sa.Column('case_id', ID, nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('locale', sa.String(length=20), nullable=True),
    sa.Column('photo_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_problem_reports_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_problem_reports_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_problem_reports_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_reports'))
    )
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.create_index('ix_problem_reports_order_id', ['order_id'], unique=False)

    op.create_table('report_photos',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('report_id', ID, nullable=False),
    sa.Column('case_id', ID, nullable=True),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_photos_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['problem_reports.id'], name=op.f('fk_report_photos_report_id_problem_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photos'))
    )
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.create_index('ix_report_photos_case_id', ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.drop_index('ix_report_photos_case_id')
    op.drop_table('report_photos')
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_reports_order_id')
    op.drop_table('problem_reports')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('customer_reported_at')
