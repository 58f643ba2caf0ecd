"""`forewarn replay`: a saved webhook body through parsing, mapping and the real ingest path (no signature
check), into a throw-away SQLite database; prints the normalized order and shipments."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from connectors import STORE_CONNECTORS
from core.adapters.db import make_engine, make_session_factory
from core.services.bootstrap import bootstrap
from core.services.unit_of_work import UnitOfWork
from core.services.views import order_view
from jobs.runtime import utcnow
from migrations import upgrade


def guess_topic(payload: dict[str, Any]) -> str | None:
    if "order_id" in payload and ("tracking_number" in payload or "tracking_numbers" in payload):
        return "fulfillments/create"
    if "entityFqdn" in payload and "slug" in payload:  # a Wix domain event: its type is `{entityFqdn}_{slug}`
        return f"{payload['entityFqdn']}_{payload['slug']}"
    if "date_modified_gmt" in payload and "line_items" in payload:  # a WooCommerce v3 order
        return "order.updated"
    if "line_items" in payload and "name" in payload:
        return "orders/cancelled" if payload.get("cancelled_at") else "orders/updated"
    return None


def replay(platform: str, path: Path, topic: str | None, shop: str) -> dict[str, Any]:
    if platform not in STORE_CONNECTORS:
        raise SystemExit(f"unknown platform {platform!r}; known: {', '.join(sorted(STORE_CONNECTORS))}")
    connector = STORE_CONNECTORS[platform]
    body = path.read_bytes()
    if topic is None:
        try:
            topic = guess_topic(json.loads(body))
        except ValueError:
            topic = None
        if topic is None:
            raise SystemExit("cannot tell the topic from the body; pass --topic")
    payload = connector.parse(topic, body)
    found = connector.to_events(shop, topic, payload)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/replay.sqlite3"
        upgrade(url)
        engine = make_engine(url)
        session_factory = make_session_factory(engine)
        bootstrap(session_factory, utcnow).handle(found)
        order_ids = {e.order.platform_order_id for e in found if hasattr(e, "order")} | {
            e.fulfillment.platform_order_id for e in found if hasattr(e, "fulfillment")
        }
        with UnitOfWork(session_factory) as uow:
            shop_row = uow.repo.shop(platform, shop)
            orders = [uow.repo.order(shop_row.id, oid) for oid in sorted(order_ids)] if shop_row else []
            result = {
                "platform": platform,
                "topic": topic,
                "shop": shop,
                "events": [type(e).__name__ for e in found],
                "orders": [order_view(o, uow.repo.shipments_of_order(o.id)) for o in orders if o],
            }
        engine.dispose()
    return result


def render_text(result: dict[str, Any]) -> str:
    lines = [f"{result['platform']} {result['topic']} → {', '.join(result['events']) or 'nothing to do'}"]
    for order in result["orders"]:
        c = order["customer"]
        head = f"Order {order['name']} (id {order['platform_order_id']}) — {order['status']}"
        if order["placeholder"]:
            head += " (known only through its fulfillment)"
        lines.append(head)
        if not order["placeholder"]:
            lines.append(f"  customer: {c['name'] or '—'} <{c['email'] or 'no email'}> locale {c['locale'] or '—'}")
            a = order["shipping_address"] or {}
            lines.append(f"  ship to:  {a.get('city') or '—'}, {a.get('region') or '—'}, {a.get('country_code') or '—'}")
            for li in order["line_items"]:
                lines.append(f"  item:     {li['quantity']} × {li['title']}")
        for s in order["shipments"]:
            lines.append(
                f"  shipment {s['name'] or ''} {s['tracking_number'] or '(no tracking number)'} "
                f"carrier {s['carrier'] or '?'} ({s['carrier_raw'] or '—'}) status {s['status']}"
                + (f"/{s['substatus']}" if s["substatus"] else "")
            )
            for it in s["items"]:
                lines.append(f"      contains {it['quantity']} × {it['title']}")
    return "\n".join(lines)


