"""The webhook receipt insert: one statement that stores a delivery unless its id was stored before.

INSERT … ON CONFLICT DO NOTHING RETURNING id works on PostgreSQL and on SQLite ≥ 3.35, so a
redelivery costs no exception and a race between two deliveries is settled by the unique index.
The statements are built once (this is the hot path of every webhook) and run autocommitted.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Insert
from sqlalchemy.dialects import postgresql, sqlite

from core.adapters.orm import webhook_receipts


def _statement(insert: Any) -> Insert:
    return (
        insert(webhook_receipts)
        .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
        .returning(webhook_receipts.c.id)
    )


_STATEMENTS: dict[str, Insert] = {"postgresql": _statement(postgresql.insert), "sqlite": _statement(sqlite.insert)}


def insert_receipt(engine: Engine, values: dict[str, Any]) -> int | None:
    """Store a receipt; its id, or None when (platform, delivery_id) is already stored."""
    try:
        statement = _STATEMENTS[engine.dialect.name]
    except KeyError:
        raise ValueError(f"receipts need PostgreSQL or SQLite, not {engine.dialect.name}") from None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(statement, values).scalar_one_or_none()


def store_receipt(
    engine: Engine,
    *,
    platform: str,
    topic: str | None,
    delivery_id: str | None,
    shop_domain: str | None,
    body: bytes,
    status: str,
    received_at: datetime,
    error: str | None = None,
    event_id: str | None = None,
    triggered_at: str | None = None,
) -> int | None:
    return insert_receipt(
        engine,
        {
            "platform": platform,
            "topic": topic,
            "delivery_id": delivery_id,
            "shop_domain": shop_domain,
            "body": body,
            "status": status,
            "event_id": event_id,
            "triggered_at": triggered_at,
            "error": error,
            "attempts": 0,
            "received_at": received_at,
        },
    )
