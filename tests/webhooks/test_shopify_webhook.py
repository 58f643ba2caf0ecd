"""POST /webhooks/shopify through the Flask test client: verify, store a receipt, enqueue, answer."""
from __future__ import annotations

import json

from rq import Queue
from sqlalchemy import text

from jobs import queues
from jobs.runtime import Runtime
from tests.support import SECRET, fixture_bytes, post_shopify, run_jobs, shopify_headers

ORDER = fixture_bytes("shopify/orders_create.json")
FULFILLMENT = fixture_bytes("shopify/fulfillments_create.json")


def rows(rt: Runtime, sql: str) -> list[tuple]:
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def queued(rt: Runtime) -> int:
    return Queue(queues.INGEST, connection=rt.redis).count


def test_a_signed_order_is_stored_enqueued_and_ingested(client, rt: Runtime) -> None:
    response = post_shopify(client, "orders/create", ORDER, webhook_id="w-1")
    assert response.status_code == 200
    assert response.get_json()["result"] == "accepted"
    assert queued(rt) == 1
    run_jobs(rt.redis)
    assert rows(rt, "SELECT name, email, status FROM orders") == [("#9999", "jon@example.com", "cancelled")]
    assert rows(rt, "SELECT status, attempts FROM webhook_receipts") == [("processed", 1)]


def test_a_wrong_signature_is_401_and_stores_nothing(client, rt: Runtime) -> None:
    response = post_shopify(client, "orders/create", ORDER, secret="not-the-app-secret")
    assert response.status_code == 401
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(0,)]
    assert queued(rt) == 0


def test_a_missing_signature_is_401(client, rt: Runtime) -> None:
    headers = shopify_headers("orders/create", ORDER)
    del headers["X-Shopify-Hmac-Sha256"]
    assert client.post("/webhooks/shopify", data=ORDER, headers=headers).status_code == 401
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(0,)]


def test_a_signature_over_a_different_body_is_401(client, rt: Runtime) -> None:
    headers = shopify_headers("orders/create", ORDER)
    tampered = ORDER.replace(b"jon@example.com", b"eve@example.com")
    assert client.post("/webhooks/shopify", data=tampered, headers=headers).status_code == 401


def test_without_a_configured_secret_every_webhook_is_refused(sqlite_url: str) -> None:
    import fakeredis

    from tests.conftest import make_runtime
    from web import create_app

    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(), shopify_api_secret=None)
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    assert post_shopify(client, "orders/create", ORDER).status_code == 401


def test_unprefixed_and_lowercase_headers_are_accepted(client, rt: Runtime) -> None:
    unprefixed = {k.replace("X-Shopify-", "Shopify-"): v for k, v in shopify_headers("orders/create", ORDER).items()}
    assert client.post("/webhooks/shopify", data=ORDER, headers=unprefixed).status_code == 200
    lowered = {k.lower(): v for k, v in shopify_headers("orders/create", ORDER).items()}
    assert client.post("/webhooks/shopify", data=ORDER, headers=lowered).status_code == 200


def test_five_deliveries_of_the_same_webhook_make_one_receipt_one_job_one_order(client, rt: Runtime) -> None:
    results = [post_shopify(client, "orders/create", ORDER, webhook_id="same").get_json()["result"] for _ in range(5)]
    assert results == ["accepted"] + ["duplicate"] * 4
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(1,)]
    assert queued(rt) == 1
    run_jobs(rt.redis)
    assert post_shopify(client, "orders/create", ORDER, webhook_id="same").get_json()["result"] == "duplicate"
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(1,)]


def test_the_same_order_under_five_delivery_ids_is_still_one_order(client, rt: Runtime) -> None:
    for i in range(5):
        assert post_shopify(client, "orders/updated", ORDER, webhook_id=f"d{i}").status_code == 200
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(1,)]
    assert rows(rt, "SELECT count(*) FROM webhook_receipts WHERE status = 'processed'") == [(5,)]


def test_a_body_that_is_not_json_is_recorded_and_answered_400(client, rt: Runtime) -> None:
    response = post_shopify(client, "orders/create", b'{"id": 1, "line_items": [', webhook_id="broken")
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]
    [(status, error)] = rows(rt, "SELECT status, error FROM webhook_receipts")
    assert status == "rejected" and "not valid JSON" in error
    assert queued(rt) == 0
    # Shopify retries it: still one record, still 400
    assert post_shopify(client, "orders/create", b'{"id": 1, "line_items": [', webhook_id="broken").status_code == 400
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(1,)]


def test_a_body_missing_required_fields_is_recorded_and_answered_422(client, rt: Runtime) -> None:
    payload = json.loads(ORDER)
    del payload["line_items"]
    response = post_shopify(client, "orders/create", payload)
    assert response.status_code == 422
    assert "line_items" in response.get_json()["error"]
    assert rows(rt, "SELECT status FROM webhook_receipts") == [("rejected",)]


def test_a_missing_topic_or_delivery_id_is_rejected(client, rt: Runtime) -> None:
    headers = shopify_headers("orders/create", ORDER)
    del headers["X-Shopify-Topic"]
    assert client.post("/webhooks/shopify", data=ORDER, headers=headers).status_code == 400
    headers = shopify_headers("orders/create", ORDER)
    del headers["X-Shopify-Webhook-Id"]
    assert client.post("/webhooks/shopify", data=ORDER, headers=headers).status_code == 400
    assert rows(rt, "SELECT status FROM webhook_receipts") == [("rejected",), ("rejected",)]


def test_a_foreign_shop_domain_is_rejected(client, rt: Runtime) -> None:
    response = post_shopify(client, "orders/create", ORDER, shop="shop.example.com")
    assert response.status_code == 400
    assert rows(rt, "SELECT status FROM webhook_receipts") == [("rejected",)]


def test_a_topic_forewarn_does_not_use_is_acknowledged_and_logged(client, rt: Runtime) -> None:
    response = post_shopify(client, "products/update", b'{"id": 1}')
    assert response.status_code == 200 and response.get_json()["result"] == "ignored"
    assert queued(rt) == 0


def test_out_of_order_webhooks_end_like_in_order_ones(client, rt: Runtime) -> None:
    assert post_shopify(client, "fulfillments/create", FULFILLMENT).status_code == 200
    run_jobs(rt.redis)
    assert rows(rt, "SELECT name, placeholder FROM orders") == [("#9999", True)]
    assert post_shopify(client, "orders/create", ORDER).status_code == 200
    run_jobs(rt.redis)
    assert rows(rt, "SELECT name, placeholder, email FROM orders") == [("#9999", False, "jon@example.com")]
    assert rows(rt, "SELECT tracking_number, carrier FROM shipments") == [("1z827wk74630", "ups")]


def test_when_redis_is_down_the_delivery_is_kept_and_the_sweep_enqueues_it(client, rt: Runtime, monkeypatch) -> None:
    from datetime import timedelta

    from redis.exceptions import ConnectionError as RedisConnectionError

    from jobs import tasks
    from webhooks import intake

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(intake.queues, "enqueue_ingest", down)
    assert post_shopify(client, "orders/create", ORDER).status_code == 200
    monkeypatch.undo()
    assert queued(rt) == 0
    assert rows(rt, "SELECT status FROM webhook_receipts") == [("received",)]

    monkeypatch.setattr(tasks, "STALE_RECEIPT_AFTER", timedelta(seconds=-1))
    assert tasks.sweep() == {"requeued_receipts": 1, "requeued_write_backs": 0}
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(1,)]


def test_when_the_database_is_down_the_answer_is_503_so_shopify_retries(client, rt: Runtime, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    from webhooks import intake

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(intake, "_store", down)
    response = post_shopify(client, "orders/create", ORDER)
    assert response.status_code == 503
    assert queued(rt) == 0


def test_the_known_good_shopify_vector_passes_the_endpoint(sqlite_url: str) -> None:
    """The sample from Shopify's own library, delivered with its documented headers and secret."""
    import dataclasses

    import fakeredis

    from tests.conftest import make_runtime
    from tests.support import fixture_json
    from web import create_app

    example = fixture_json("shopify/hmac_webhook_example.json")
    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis())
    runtime.settings = dataclasses.replace(runtime.settings, shopify_api_secret=example["secret"])
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    headers = dict(example["headers_used_in_test"])
    headers["X-Shopify-Shop-Domain"] = "shop1.myshopify.com"  # the JS test's .io domain is not a live shop domain
    response = client.post("/webhooks/shopify", data=example["raw_body"].encode(), headers=headers)
    assert response.status_code == 200 and response.get_json()["result"] == "ignored"  # products/create
    assert SECRET != example["secret"]
