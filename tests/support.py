"""Helpers shared by the tests: fixture loading, signing, and running queued jobs."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from rq import Queue, SimpleWorker

from connectors.shopify.verify import webhook_signature
from jobs import queues

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = "test-app-secret-with-32-bytes-or-more"
API_KEY = "test-api-key"
SHOP = "teashop.myshopify.com"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def shopify_headers(
    topic: str, body: bytes, *, webhook_id: str | None = None, secret: str = SECRET, shop: str = SHOP
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": webhook_signature(secret, body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
    }


def post_shopify(client: Any, topic: str, payload: dict[str, Any] | bytes, **kwargs: Any) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/webhooks/shopify", data=body, headers=shopify_headers(topic, body, **kwargs))


def run_jobs(redis: Any) -> None:
    """Drain every queue in this process, as a worker would (burst mode)."""
    SimpleWorker([Queue(n, connection=redis) for n in queues.QUEUES], connection=redis).work(burst=True)


def session_token(shop: str = SHOP, *, secret: str = SECRET, audience: str = API_KEY, lifetime: int = 60,
                  nbf_offset: int = 0, **claims: Any) -> str:
    """An App Bridge session token as Shopify issues it (HS256 with the app secret)."""
    import time

    import jwt

    now = int(time.time())
    payload = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": audience,
        "sub": "42",
        "exp": now + lifetime,
        "nbf": now + nbf_offset,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": "session-1",
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm="HS256")


def signed_query(params: dict[str, str], secret: str = SECRET) -> dict[str, str]:
    """Query parameters signed the way Shopify signs install and app-load requests."""
    from connectors.shopify.oauth import query_hmac

    return {**params, "hmac": query_hmac(params, secret)}


def graphql_url(shop: str = SHOP) -> str:
    from connectors.shopify.client import API_VERSION

    return f"https://{shop}/admin/api/{API_VERSION}/graphql.json"


def install_shop(rt: Any, shop: str = SHOP, token: str = "shpat_test_token", write_back: bool = False) -> int:
    """A shop as the install flow leaves it, without going through Shopify."""
    from core.domain.events import ShopAuthorized

    from datetime import datetime, timezone

    from rq import Queue

    rt.bus.handle([ShopAuthorized("shopify", shop, rt.cipher.encrypt(token), "read_orders")])
    rt.redis.delete(Queue(queues.DEFAULT, connection=rt.redis).key)  # as if its webhook registration had run
    with rt.uow() as uow:
        stored = uow.repo.shop("shopify", shop)
        stored.write_back = write_back
        stored.webhooks_registered_at = datetime.now(timezone.utc)
        uow.commit()
        return stored.id


VOLATILE = {"id", "next_check_at"}


def snapshot(rt: Any) -> list[dict[str, Any]]:
    """Everything stored about orders and shipments, minus our own ids and scheduling times."""
    from core.services.views import order_view

    with rt.uow() as uow:
        views = [order_view(o, uow.repo.shipments_of_order(o.id)) for o in uow.repo.orders()]
    for view in views:
        view.pop("id")
        view["shipments"] = sorted(
            ({k: v for k, v in s.items() if k not in VOLATILE} for s in view["shipments"]),
            key=lambda s: (s["platform_fulfillment_id"], s["tracking_number"] or ""),
        )
    return views


def damaged_parcel(client: Any, rt: Any, before_report: Any = None, **order_changes: Any) -> tuple[int, int]:
    """Shopify's sample order and fulfillment through the webhooks and their jobs, then (after
    `before_report()`, if given) the parcel reported damaged: a case opens. Returns (order id, shipment id)."""
    from core.domain.events import IncidentOpened

    order = fixture_json("shopify/orders_create.json")
    order.update(cancelled_at=None, **order_changes)
    post_shopify(client, "orders/create", order)
    post_shopify(client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [shipment] = uow.repo.shipments()
        order_id, shipment_id, shop_id = shipment.order_id, shipment.id, uow.repo.order_by_id(shipment.order_id).shop_id
    if before_report is not None:
        before_report()
    rt.bus.handle([IncidentOpened(1, shop_id, order_id, shipment_id, "damaged", "UPS reports the parcel damaged")])
    return order_id, shipment_id
