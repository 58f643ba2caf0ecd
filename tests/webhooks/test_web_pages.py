"""/healthz and the plain /admin page."""
from __future__ import annotations

import base64

from jobs.runtime import Runtime
from tests.support import fixture_bytes, post_shopify, run_jobs


def test_healthz_checks_database_and_redis(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_is_down(client, rt: Runtime, monkeypatch) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down() -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr(rt.redis, "ping", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error: ConnectionError"


def test_admin_is_hidden_outside_the_demo_without_a_password(client, monkeypatch) -> None:
    monkeypatch.delenv("FOREWARN_ADMIN_PASSWORD", raising=False)
    assert client.get("/admin").status_code == 404


def test_admin_lists_orders_shipments_and_the_webhook_log(client, rt: Runtime, monkeypatch) -> None:
    monkeypatch.setenv("FOREWARN_ADMIN_PASSWORD", "s3cret")
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    post_shopify(client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    post_shopify(client, "orders/create", b"{oops")
    run_jobs(rt.redis)
    assert client.get("/admin").status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret").decode()}
    page = client.get("/admin", headers=auth).get_data(as_text=True)
    assert "#9999" in page and "John Smith" in page
    assert "1z827wk74630" in page and "UPS" in page
    assert "rejected" in page and "not valid JSON" in page
