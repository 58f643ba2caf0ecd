"""app/uninstalled and the three mandatory privacy webhooks, with Shopify's sample bodies."""
from __future__ import annotations

import json

from sqlalchemy import text

from jobs.runtime import Runtime
from tests.support import SHOP, fixture_bytes, fixture_json, install_shop, post_shopify, run_jobs, shopify_headers

ORDER = fixture_bytes("shopify/orders_create.json")
FULFILLMENT = fixture_bytes("shopify/fulfillments_create.json")


def rows(rt: Runtime, sql: str) -> list[tuple]:
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def seed(client, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    install_shop(rt)
    post_shopify(client, "orders/create", ORDER)
    post_shopify(client, "fulfillments/create", FULFILLMENT)
    run_jobs(rt.redis)


def redact_body(**changes: object) -> dict:
    """Shopify's customers/redact sample, for our shop and the sample order's customer."""
    body = fixture_json("shopify/customers_redact.json")
    body.update(shop_domain=SHOP)
    body["customer"].update(id=115310627314723954, email="jon@example.com")
    body["orders_to_redact"] = [820982911946154508]
    body.update(changes)
    return body


def test_uninstall_drops_the_token_and_stops_tracking(client, rt: Runtime) -> None:
    seed(client, rt)
    assert rows(rt, "SELECT count(*) FROM shipments WHERE next_check_at IS NOT NULL") == [(1,)]
    response = post_shopify(client, "app/uninstalled", fixture_bytes("shopify/app_uninstalled.json"))
    assert response.status_code == 200
    run_jobs(rt.redis)
    assert rows(rt, "SELECT status, token_ciphertext FROM shops") == [("uninstalled", None)]
    assert rows(rt, "SELECT count(*) FROM shipments WHERE next_check_at IS NOT NULL") == [(0,)]
    # a late retry of an older fulfillment webhook does not start tracking again
    post_shopify(client, "fulfillments/update", FULFILLMENT)
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM shipments WHERE next_check_at IS NOT NULL") == [(0,)]
    assert rows(rt, "SELECT count(*) FROM orders") == [(1,)]  # the data stays until shop/redact


def test_a_signed_order_body_resent_as_app_uninstalled_is_refused(client, rt: Runtime) -> None:
    seed(client, rt)
    response = post_shopify(client, "app/uninstalled", ORDER)
    assert response.status_code == 400
    run_jobs(rt.redis)
    assert rows(rt, "SELECT status FROM shops") == [("installed",)]


def test_privacy_webhooks_need_a_valid_signature(client, rt: Runtime) -> None:
    for topic, body in [("customers/redact", redact_body()), ("shop/redact", {"shop_id": 1, "shop_domain": SHOP}),
                        ("customers/data_request", {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 1}})]:
        assert post_shopify(client, topic, body, secret="wrong-secret-of-sufficient-length!!").status_code == 401
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(0,)]


def test_a_privacy_body_for_another_shop_is_refused(client, rt: Runtime) -> None:
    seed(client, rt)
    response = post_shopify(client, "shop/redact", {"shop_id": 9, "shop_domain": "victim.myshopify.com"})
    assert response.status_code == 400
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(1,)]


def test_a_data_request_records_an_export_of_everything_held(client, rt: Runtime) -> None:
    seed(client, rt)
    body = {"shop_id": 954889, "shop_domain": SHOP, "orders_requested": [820982911946154508],
            "customer": {"id": 115310627314723954, "email": "jon@example.com", "phone": None},
            "data_request": {"id": 9999}}
    assert post_shopify(client, "customers/data_request", body).status_code == 200
    run_jobs(rt.redis)
    [(kind, status, result)] = rows(rt, "SELECT kind, status, result FROM compliance_requests")
    export = json.loads(result) if isinstance(result, str) else result
    assert (kind, status) == ("customers/data_request", "done")
    [order] = export["orders"]
    assert order["name"] == "#9999" and order["customer"]["email"] == "jon@example.com"
    assert order["shipments"][0]["tracking_number"] == "1z827wk74630"


def test_a_customer_redaction_removes_personal_data_and_keeps_statistics(client, rt: Runtime) -> None:
    seed(client, rt)
    assert post_shopify(client, "customers/redact", redact_body()).status_code == 200
    run_jobs(rt.redis)
    [(first, last, email, phone, address, redacted, status)] = rows(
        rt, "SELECT customer_first_name, customer_last_name, email, phone, shipping_address, redacted, status FROM orders")
    assert (first, last, email, phone, bool(redacted), status) == (None, None, None, None, True, "cancelled")
    address = json.loads(address) if isinstance(address, str) else address
    assert address == {"name": None, "city": "Shippington", "region": "KY", "postal_code": None, "country_code": "US"}
    [(destination, carrier)] = rows(rt, "SELECT destination, carrier FROM shipments")
    assert "Steve" not in str(destination) and carrier == "ups"
    bodies = [b for (b,) in rows(rt, "SELECT body FROM webhook_receipts")]
    assert all(b"jon@example.com" not in bytes(b) for b in bodies)
    [(result,)] = rows(rt, "SELECT result FROM compliance_requests")
    assert (json.loads(result) if isinstance(result, str) else result)["orders_redacted"] == 1

    # Shopify retries an older orders/updated afterwards: the personal data stays gone
    post_shopify(client, "orders/updated", ORDER)
    run_jobs(rt.redis)
    assert rows(rt, "SELECT email, customer_first_name FROM orders") == [(None, None)]


def test_a_shop_redaction_deletes_the_shop_data_and_a_late_webhook_brings_nothing_back(client, rt: Runtime) -> None:
    seed(client, rt)
    post_shopify(client, "app/uninstalled", fixture_bytes("shopify/app_uninstalled.json"))
    assert post_shopify(client, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP}).status_code == 200
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(0,)]
    assert rows(rt, "SELECT count(*) FROM shipments") == [(0,)]
    assert rows(rt, "SELECT domain, status, name FROM shops") == [(SHOP, "redacted", None)]
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(0,)]
    [(kind, status)] = rows(rt, "SELECT kind, status FROM compliance_requests WHERE kind = 'shop/redact'")
    assert status == "done"

    post_shopify(client, "orders/updated", ORDER)
    run_jobs(rt.redis)
    assert rows(rt, "SELECT count(*) FROM orders") == [(0,)]
    assert rows(rt, "SELECT status, body FROM webhook_receipts") == [("ignored", b'{"redacted": true}')]


def test_a_stale_delivery_is_refused_as_a_replay(client, rt: Runtime) -> None:
    headers = shopify_headers("orders/create", ORDER)
    headers["X-Shopify-Triggered-At"] = "2025-01-01T00:00:00Z"
    response = client.post("/webhooks/shopify", data=ORDER, headers=headers)
    assert response.status_code == 400 and "longer ago" in response.get_json()["error"]
