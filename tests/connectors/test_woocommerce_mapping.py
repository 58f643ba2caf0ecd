"""WooCommerce's sample order mapped to core events, with tracking meta as the shipment-tracking plugins store it."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from connectors.woocommerce import mapping
from connectors.woocommerce.connector import WooCommerceConnector
from core.domain import events
from core.ports import MissingFields, PayloadRejected
from tests.support import fixture_bytes, fixture_json

SHOP = "example.com"
connector = WooCommerceConnector()


def events_for(topic: str, payload: dict[str, Any] | bytes) -> list[events.Event]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return list(connector.to_events(SHOP, topic, connector.parse(topic, body)))


def order(**changes: Any) -> dict[str, Any]:
    sample = fixture_json("woocommerce/order_create_response.json")
    sample.update(changes)
    return sample


def shipment_tracking_item() -> dict[str, Any]:
    """The vendor's REST tracking item as Shipment Tracking keeps it in order meta: the provider as stored
    (not the display name), no resolved link, and `date_shipped` as a Unix timestamp."""
    item = fixture_json("woocommerce/shipment_tracking_item_response.json")
    shipped = datetime.fromisoformat(item["date_shipped"]).replace(tzinfo=timezone.utc)
    return {
        "tracking_provider": "usps",
        "custom_tracking_provider": "",
        "custom_tracking_link": "",
        "tracking_number": item["tracking_number"],
        "date_shipped": int(shipped.timestamp()),
        "tracking_id": item["tracking_id"],
    }


def custom_provider_item() -> dict[str, Any]:
    """A second parcel with a custom provider, as Advanced Shipment Tracking saves it (numbers become strings
    through wc_clean)."""
    return {
        "tracking_provider": "",
        "custom_tracking_provider": "Royal Mail",
        "custom_tracking_link": "https://www.royalmail.com/track-your-item#/tracking-results/%1$s?pc=%2$s&c=%3$s",
        "tracking_number": "RR123456785GB",
        "tracking_product_code": "",
        "source": "",
        "date_shipped": "1783728000",
        "status_shipped": "2",
        "tracking_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    }


def with_tracking(sample: dict[str, Any], *items: dict[str, Any]) -> dict[str, Any]:
    sample["meta_data"] = [*sample["meta_data"], {"id": 13107, "key": "_wc_shipment_tracking_items", "value": list(items)}]
    return sample


# -- the order -------------------------------------------------------------------------------------------------


def test_the_vendor_sample_order_maps_customer_address_items_money_and_state() -> None:
    [placed] = events_for("order.created", fixture_bytes("woocommerce/order_create_response.json"))
    assert isinstance(placed, events.OrderPlaced)
    o = placed.order
    assert (o.platform_order_id, o.name, o.number) == ("727", "#727", "727")
    assert o.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=timezone.utc)  # the *_gmt value, made aware
    assert o.placed_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=timezone.utc)
    assert (o.customer.name, o.customer.email, o.customer.phone) == ("John Doe", "john.doe@example.com", "(555) 555-5555")
    assert o.customer.platform_customer_id is None  # customer_id 0: a guest
    assert o.customer.locale is None  # no multilingual plugin on this store
    assert o.shipping_address is not None
    assert (o.shipping_address.country_code, o.shipping_address.region, o.shipping_address.postal_code) == ("US", "CA", "94103")
    assert [(li.platform_line_item_id, li.title, li.quantity, li.sku) for li in o.line_items] == [
        ("315", "Woo Single #1", 2, None),
        ("316", "Ship Your Idea \u2013 Color: Black, Size: M Test", 1, "Bar3"),  # &ndash; decoded
    ]
    assert all(li.requires_shipping for li in o.line_items)
    assert (o.currency, o.total_price) == ("USD", Decimal("29.35"))
    assert (o.financial_status, o.fulfillment_status, o.cancelled_at) == ("paid", None, None)


def test_updated_and_restored_orders_are_order_updates() -> None:
    for topic in ("order.updated", "order.restored"):
        [updated] = events_for(topic, order())
        assert isinstance(updated, events.OrderUpdated)


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_statuses_that_end_an_order_close_it_at_its_last_modification(status: str) -> None:
    [updated] = events_for("order.updated", order(status=status, date_modified_gmt="2017-03-24T08:00:00"))
    o = updated.order
    assert o.cancelled_at == o.updated_at == datetime(2017, 3, 24, 8, 0, tzinfo=timezone.utc)
    assert o.cancel_reason == status
    assert o.financial_status == ("refunded" if status == "refunded" else "paid")  # the sample was paid


def test_payment_and_fulfilment_follow_the_status_and_the_paid_date() -> None:
    def state(**changes: Any) -> tuple[str | None, str | None]:
        [event] = events_for("order.updated", order(**changes))
        return event.order.financial_status, event.order.fulfillment_status

    assert state(status="pending", date_paid_gmt=None) == ("pending", None)
    assert state(status="on-hold", date_paid_gmt=None) == ("pending", None)  # bank transfer not yet received
    assert state(status="processing", date_paid_gmt=None) == ("paid", None)
    assert state(status="completed", date_completed_gmt="2017-03-23T10:00:00") == ("paid", "fulfilled")
    assert state(refunds=[{"id": 726, "reason": "", "total": "-10.00"}]) == ("partially_refunded", None)


def test_a_virtual_order_without_shipping_lines_has_nothing_to_ship() -> None:
    empty = {k: "" for k in ("first_name", "last_name", "company", "address_1", "address_2", "city", "state",
                             "postcode", "country")}
    [placed] = events_for("order.created", order(shipping_lines=[], shipping=empty))
    assert [li.requires_shipping for li in placed.order.line_items] == [False, False]
    assert placed.order.shipping_address is None


def test_the_customers_language_comes_from_the_multilingual_plugins_order_data() -> None:
    def language(*meta: tuple[str, Any], **changes: Any) -> str | None:
        sample = order(**changes)
        sample["meta_data"] += [{"id": 1, "key": k, "value": v} for k, v in meta]
        [event] = events_for("order.updated", sample)
        return event.order.customer.locale

    assert language(("wpml_language", "fr")) == "fr"  # WPML / WooCommerce Multilingual
    assert language(("trp_language", "de_DE")) == "de_DE"  # TranslatePress
    assert language(lang="es") == "es"  # Polylang for WooCommerce's REST field
    assert language(lang=False) is None  # Polylang's "no language"
    assert language(("wpml_language", "")) is None


def test_the_customer_falls_back_to_the_shipping_name() -> None:
    sample = order(customer_id=12)
    sample["billing"].update(first_name="", last_name="")
    [event] = events_for("order.updated", sample)
    assert (event.order.customer.name, event.order.customer.platform_customer_id) == ("John Doe", "12")


# -- tracking ------------------------------------------------------------------------------------------------------


def test_two_tracking_items_are_two_shipments_with_their_carriers_normalized() -> None:
    found = events_for("order.updated", with_tracking(order(), shipment_tracking_item(), custom_provider_item()))
    assert [type(e) for e in found] == [events.OrderUpdated, events.ShipmentCreated, events.ShipmentCreated]
    first, second = (e.fulfillment for e in found[1:])

    assert (first.platform_fulfillment_id, first.platform_order_id, first.name) == (
        "7f4978c390ee633c6294ae0f258656f9", "727", "#727"
    )
    assert first.tracking_numbers == ("9400111899560000000000",)
    assert (first.carrier, first.carrier_raw, first.tracking_urls) == ("usps", "usps", ())
    assert first.created_at == datetime(2026, 7, 10, tzinfo=timezone.utc)
    assert first.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=timezone.utc)
    assert first.destination is not None and first.destination.country_code == "US"

    assert second.platform_fulfillment_id == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert (second.carrier, second.carrier_raw) == ("royalmail", "Royal Mail")
    assert second.tracking_urls == (
        "https://www.royalmail.com/track-your-item#/tracking-results/RR123456785GB?pc=94103&c=US",
    )
    assert second.created_at == datetime(2026, 7, 11, tzinfo=timezone.utc)  # a timestamp that went through wc_clean

    # WooCommerce does not say what each parcel holds: every shippable item, so `partial` cannot misfire
    for f in (first, second):
        assert [(i.platform_line_item_id, i.quantity) for i in f.items] == [("315", 2), ("316", 1)]


def test_advanced_shipment_trackings_products_list_says_what_each_parcel_holds() -> None:
    singles = {**shipment_tracking_item(), "products_list": [{"product": 93, "qty": "2"}]}
    variation = {**custom_provider_item(), "products_list": [{"product": 23, "qty": 1}]}  # a variation id
    _, first, second = events_for("order.updated", with_tracking(order(), singles, variation))
    assert [(i.platform_line_item_id, i.title, i.quantity) for i in first.fulfillment.items] == [
        ("315", "Woo Single #1", 2)
    ]
    assert [(i.platform_line_item_id, i.quantity) for i in second.fulfillment.items] == [("316", 1)]
    by_parent = {**custom_provider_item(), "products_list": [{"product": 22, "qty": 1}]}  # the variation's parent
    _, parent = events_for("order.updated", with_tracking(order(), by_parent))
    assert [i.platform_line_item_id for i in parent.fulfillment.items] == ["316"]


def test_a_products_list_naming_nothing_in_the_order_falls_back_to_every_shippable_item() -> None:
    unknown = {**shipment_tracking_item(), "products_list": [{"product": 999, "qty": 1}]}
    blank = {**custom_provider_item(), "products_list": ""}  # AST stores '' when no products were chosen
    _, first, second = events_for("order.updated", with_tracking(order(), unknown, blank))
    assert len(first.fulfillment.items) == len(second.fulfillment.items) == 2


def test_the_oldest_shipment_trackings_flat_meta_is_one_shipment() -> None:
    sample = order()
    sample["meta_data"] += [
        {"id": 869, "key": "_tracking_provider", "value": "usps"},
        {"id": 870, "key": "_custom_tracking_provider", "value": ""},
        {"id": 871, "key": "_tracking_number", "value": "9400111899560000000000"},
        {"id": 872, "key": "_custom_tracking_link", "value": ""},
        {"id": 873, "key": "_date_shipped", "value": "1386720000"},
    ]
    _, created = events_for("order.updated", sample)
    f = created.fulfillment
    assert (f.platform_fulfillment_id, f.tracking_numbers, f.carrier) == (
        "727-9400111899560000000000", ("9400111899560000000000",), "usps"
    )
    assert f.created_at == datetime(2013, 12, 11, tzinfo=timezone.utc)


def test_items_without_a_tracking_number_are_not_parcels_and_ids_are_stable_without_tracking_id() -> None:
    no_id = {**custom_provider_item(), "tracking_id": ""}
    no_number = {**shipment_tracking_item(), "tracking_number": " "}
    _, created = events_for("order.updated", with_tracking(order(), no_id, no_number))
    again = events_for("order.updated", with_tracking(order(status="completed"), no_id, no_number))[1]
    assert created.fulfillment.platform_fulfillment_id == again.fulfillment.platform_fulfillment_id == "727-RR123456785GB"


def test_a_cancelled_orders_parcels_are_still_mapped() -> None:
    found = events_for("order.updated", with_tracking(order(status="cancelled"), shipment_tracking_item()))
    assert found[0].order.cancelled_at is not None
    assert isinstance(found[1], events.ShipmentCreated)


def test_a_custom_link_that_is_not_a_web_address_is_dropped() -> None:
    bad = {**custom_provider_item(), "custom_tracking_link": "javascript:alert(%1$s)"}
    _, created = events_for("order.updated", with_tracking(order(), bad))
    assert created.fulfillment.tracking_urls == ()
    assert created.fulfillment.carrier == "royalmail"


# -- deletion, rejection, dedupe ------------------------------------------------------------------------------------


def test_the_deleted_body_is_an_order_deleted_event() -> None:
    assert events_for("order.deleted", b'{"id": 727}') == [events.OrderDeleted("woocommerce", SHOP, "727")]


def test_a_whole_order_sent_as_deleted_is_refused() -> None:
    with pytest.raises(PayloadRejected, match="cannot be an order.deleted"):
        connector.parse("order.deleted", fixture_bytes("woocommerce/order_create_response.json"))


@pytest.mark.parametrize(
    ("topic", "body", "reason"),
    [
        ("order.created", b"not json", "not valid JSON"),
        ("order.created", b'webhook_id=3', "not valid JSON"),
        ("order.created", b"[727]", "not an object"),
        ("order.deleted", b"{}", "missing required fields: id"),
    ],
)
def test_bodies_that_are_not_usable_json_are_rejected(topic: str, body: bytes, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason):
        events_for(topic, body)


@pytest.mark.parametrize(
    ("drop", "missing"),
    [("date_modified_gmt", "date_modified_gmt"), ("status", "status"), ("id", "id"), ("line_items", "line_items")],
)
def test_an_order_without_what_the_mapping_needs_is_missing_fields(drop: str, missing: str) -> None:
    sample = order()
    del sample[drop]
    with pytest.raises(MissingFields, match=f"missing required fields: {missing}"):
        connector.parse("order.updated", json.dumps(sample).encode())


def test_a_line_item_without_quantity_is_missing_fields_and_bad_values_are_rejected_with_a_reason() -> None:
    sample = order()
    del sample["line_items"][0]["quantity"]
    with pytest.raises(MissingFields, match="line_items.0.quantity"):
        connector.parse("order.updated", json.dumps(sample).encode())
    with pytest.raises(PayloadRejected, match="date_modified_gmt: must be an ISO 8601"):
        events_for("order.updated", order(date_modified_gmt="yesterday"))
    with pytest.raises(PayloadRejected, match="id: must be an integer id"):
        events_for("order.updated", order(id=True))


def test_topics_forewarn_does_not_act_on_map_to_nothing() -> None:
    assert connector.to_events(SHOP, "product.updated", {"id": 1}) == []
    assert "product.updated" not in connector.topics
    assert connector.topics == {"order.created", "order.updated", "order.restored", "order.deleted"}


def test_the_dedupe_key_is_the_same_for_every_delivery_of_one_change_and_new_for_the_next() -> None:
    body = fixture_bytes("woocommerce/order_create_response.json")
    first = json.loads(body)
    redelivered = json.loads(json.dumps(first, separators=(",", ":"), sort_keys=True))
    assert mapping.dedupe_key("order.updated", first) == mapping.dedupe_key("order.updated", redelivered)
    assert mapping.dedupe_key("order.updated", first).startswith("order:727:2017-03-22T19:28:08:")
    newer = order(date_modified_gmt="2017-03-22T19:30:00")
    assert mapping.dedupe_key("order.updated", newer) != mapping.dedupe_key("order.updated", first)
    # one state is one state, however it arrived: by order.created, by order.updated or by the health job
    assert mapping.dedupe_key("order.created", first) == mapping.dedupe_key("order.updated", first)
    cancelled_same_second = order(status="cancelled")  # two saves within one second
    assert mapping.dedupe_key("order.updated", cancelled_same_second) != mapping.dedupe_key("order.updated", first)
    # a deletion is keyed on its delivery: delete, restore, delete again are three changes
    assert mapping.dedupe_key("order.deleted", {"id": 727}, "d1") != mapping.dedupe_key("order.deleted", {"id": 727}, "d2")


def test_tracking_saved_without_a_new_modified_date_still_gets_its_own_key() -> None:
    before = order()
    after = with_tracking(order(), shipment_tracking_item())
    two = with_tracking(order(), shipment_tracking_item(), custom_provider_item())
    keys = {mapping.dedupe_key("order.updated", o) for o in (before, after, two)}
    assert len(keys) == 3
    assert mapping.dedupe_key("order.updated", two).startswith("order:727:2017-03-22T19:28:08:")
    assert mapping.dedupe_key("order.updated", two) == mapping.dedupe_key(
        "order.updated", json.loads(json.dumps(two, sort_keys=True))
    )


@pytest.mark.parametrize(
    ("date_shipped", "expected"),
    [
        (1783641600, datetime(2026, 7, 10, tzinfo=timezone.utc)),  # Unix timestamp, as stored
        ("1783641600", datetime(2026, 7, 10, tzinfo=timezone.utc)),  # after wc_clean
        ("2026-07-10", datetime(2026, 7, 10, tzinfo=timezone.utc)),  # the REST API's form
        ("10-07-2026", datetime(2026, 7, 10, tzinfo=timezone.utc)),  # AST's d-m-Y
        ("", None),
        ("soon", None),
        ("99999999999999999999", None),
    ],
)
def test_the_shipped_date_is_read_in_each_form_the_plugins_store(date_shipped: Any, expected: datetime | None) -> None:
    item = {**shipment_tracking_item(), "date_shipped": date_shipped}
    _, created = events_for("order.updated", with_tracking(order(), item))
    assert created.fulfillment.created_at == expected
