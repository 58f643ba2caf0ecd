"""Shopify's sample payloads mapped to core events."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from connectors.shopify.connector import ShopifyConnector
from core.domain import events
from core.ports import MissingFields, PayloadRejected
from tests.support import fixture_bytes, fixture_json

SHOP = "teashop.myshopify.com"
connector = ShopifyConnector()


def events_for(topic: str, body: bytes) -> list[events.Event]:
    return list(connector.to_events(SHOP, topic, connector.parse(topic, body)))


def test_orders_create_sample_maps_customer_address_items_and_state() -> None:
    [placed] = events_for("orders/create", fixture_bytes("shopify/orders_create.json"))
    assert isinstance(placed, events.OrderPlaced)
    order = placed.order
    assert order.platform_order_id == "820982911946154508"
    assert order.name == "#9999"
    assert order.customer.name == "John Smith"
    assert order.customer.email == "jon@example.com"  # the order's own address, not the customer record's
    assert order.customer.locale == "en"
    assert order.shipping_address is not None
    assert (order.shipping_address.country_code, order.shipping_address.region) == ("US", "KY")
    assert [li.title for li in order.line_items][:2] == ["Aviator sunglasses", "Lens Protection Plan (2 Year)"]
    assert order.total_price == Decimal("404.95")
    assert order.cancelled_at == datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)
    assert order.updated_at is not None and order.updated_at.utcoffset() is not None


def test_fulfillments_create_sample_maps_tracking_carrier_and_items() -> None:
    [created] = events_for("fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    assert isinstance(created, events.ShipmentCreated)
    f = created.fulfillment
    assert (f.platform_fulfillment_id, f.platform_order_id) == ("123456", "820982911946154508")
    assert f.tracking_numbers == ("1z827wk74630",)
    assert (f.carrier, f.carrier_raw) == ("ups", "UPS")
    assert f.tracking_urls[0].startswith("https://www.ups.com/")
    assert len(f.items) == 5 and f.items[0].title == "Aviator sunglasses"
    assert f.destination is not None and f.destination.country_code == "US"


def test_an_order_that_lists_fulfillments_also_updates_their_shipments() -> None:
    order = fixture_json("shopify/orders_create.json")
    order["fulfillments"] = [fixture_json("shopify/fulfillments_create.json")]
    found = events_for("orders/updated", json.dumps(order).encode())
    assert [type(e) for e in found] == [events.OrderUpdated, events.ShipmentUpdated]


def test_cancelled_topic_maps_to_order_cancelled() -> None:
    [cancelled] = events_for("orders/cancelled", fixture_bytes("shopify/orders_create.json"))
    assert isinstance(cancelled, events.OrderCancelled)


def test_tracking_numbers_merge_the_single_and_the_list_without_duplicates() -> None:
    f = fixture_json("shopify/fulfillments_create.json")
    f.update(tracking_number="A1", tracking_numbers=["A1", "B2", " "])
    [created] = events_for("fulfillments/create", json.dumps(f).encode())
    assert created.fulfillment.tracking_numbers == ("A1", "B2")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"id": 1, "line_items": []}', "missing required fields: name"),
        (b'{"id": 1, "name": null, "line_items": []}', "missing required fields: name"),
        (b'{"id": true, "name": "#1", "line_items": []}', "id: must be an integer or string id"),
        (b'{"id": 1, "name": "#1", "line_items": [{"id": 5}]}', "missing required fields: line_items.0.quantity"),
        (b'{"id": 1, "name": "#1", "line_items": [{"id": 5, "quantity": "two"}]}', "line_items.0.quantity: Not a valid integer"),
    ],
)
def test_bodies_the_mapping_cannot_use_are_rejected_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason):
        events_for("orders/create", body)


def test_a_fulfillment_without_order_id_is_rejected() -> None:
    f = fixture_json("shopify/fulfillments_create.json")
    del f["order_id"]
    with pytest.raises(MissingFields, match="order_id"):
        connector.parse("fulfillments/create", json.dumps(f).encode())


def test_topics_forewarn_does_not_act_on_map_to_nothing() -> None:
    assert connector.to_events(SHOP, "products/update", {"id": 1}) == []


def test_lifecycle_and_privacy_samples_map_to_requests_for_the_header_shop() -> None:
    [uninstalled] = events_for("app/uninstalled", fixture_bytes("shopify/app_uninstalled.json"))
    assert uninstalled == events.AppUninstalled("shopify", SHOP)  # the sample's myshopify_domain is null
    [redact] = events_for("customers/redact", fixture_bytes("shopify/customers_redact.json"))
    assert isinstance(redact, events.CustomerRedactRequested)
    assert (redact.shop_domain, redact.platform_customer_id, redact.email) == (SHOP, "191167", "john@example.com")
    assert redact.order_ids == ("299938", "280263", "220458")
