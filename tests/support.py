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
SECRET = "test-app-secret"
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
