"""PostgreSQL-only indexes for the admin's shipments page: its search box and its newest-first order

The shipments page searches order names, customer names and tracking numbers with `LIKE '%…%'`; on a
100,000-parcel shop that read every row (bench/admin.py: 600–900 ms). PostgreSQL's pg_trgm answers it from
GIN indexes. The list's order, `shipped_at DESC NULLS LAST, id DESC`, is walked from an index only when the
index has that very order (0008's ascending one reads back as NULLS FIRST); SQLite cannot declare NULLS LAST
and needs none. pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where the role
may not, the indexes are skipped with a warning — the search still works, only slower. SQLite has none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from __future__ import annotations

import logging

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
#: The expressions must stay exactly those of core/services/shipment_search.py's queries.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_shipments_tracking_trgm ON shipments USING gin (lower(tracking_number) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_orders_search_trgm ON orders USING gin (lower(name || ' ' || "
    "coalesce(customer_first_name, '') || ' ' || coalesce(customer_last_name, '')) gin_trgm_ops)",
)


NEWEST_FIRST = ("CREATE INDEX IF NOT EXISTS ix_shipments_shop_newest ON shipments "
                "(shop_id, shipped_at DESC NULLS LAST, id DESC)")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.execute(text(NEWEST_FIRST))
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError as exc:
        log.warning("pg_trgm could not be created (%s): the admin's search works without its indexes, slower",
                    str(exc.orig).strip().splitlines()[0])
        return
    for statement in INDEXES:
        bind.execute(text(statement))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_shipments_shop_newest")
    op.execute("DROP INDEX IF EXISTS ix_orders_search_trgm")
    op.execute("DROP INDEX IF EXISTS ix_shipments_tracking_trgm")
