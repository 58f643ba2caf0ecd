"""Wix's documented example events mapped to core events; variants are those examples with only the fields under
test changed, following the eCom Order and Order With Fulfillments objects (tests/fixtures/wix/SOURCES.md)."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.wix import mapping
from connectors.wix.connector import WixConnector
from connectors.wix.verify import verify_webhook
from core.domain import events
from core.ports import MissingFields, PayloadRejected
from tests.support import fixture_bytes, fixture_json

SITE = "8e9d6b70-6eb9-4ab4-a62d-e033063e2f05"  # Wix sites are keyed by their app instance id
connector = WixConnector()
UTC = timezone.utc


def events_for(event_type: str, payload: dict[str, Any] | bytes) -> list[events.Event]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return list(connector.to_events(SITE, event_type, connector.parse(event_type, body, SITE)))


def approved() -> dict[str, Any]:
    return fixture_json("wix/ecom_order_approved.data.json")


def fulfillments_updated() -> dict[str, Any]:
    return fixture_json("wix/ecom_fulfillments_updated.data.json")


# -- orders ------------------------------------------------------------------------------------------------


def test_wixs_order_approved_example_is_an_order_placed_with_customer_address_items_and_money() -> None:
    [placed] = events_for("wix.ecom.v1.order_approved", fixture_bytes("wix/ecom_order_approved.data.json"))
    assert isinstance(placed, events.OrderPlaced) and (placed.platform, placed.shop_domain) == ("wix", SITE)
    o = placed.order
    assert (o.platform_order_id, o.name, o.number) == ("880fa895-dfd5-4d50-a2d4-971b03fd4b86", "#10002", "10002")
    assert o.placed_at == datetime(2022, 12, 21, 13, 30, 36, 798000, tzinfo=UTC)
    assert o.updated_at == datetime(2022, 12, 21, 13, 30, 39, 75000, tzinfo=UTC)
    c = o.customer
    assert (c.platform_customer_id, c.name, c.email, c.phone, c.locale) == (
        "24de6f0b-60ce-4faa-9138-2e39f1415615", "Jane Doe", "janedoe@gmail.com", "0555555555", "en"
    )
    a = o.shipping_address
    assert a is not None
    assert (a.name, a.city, a.region, a.postal_code, a.country_code) == ("Jane Doe", "New York", "NY", "10173", "US")
    [item] = o.line_items
    assert (item.platform_line_item_id, item.title, item.quantity, item.sku, item.requires_shipping) == (
        "00000000-0000-0000-0000-000000000001", "Shirt", 1, "364115376135191", True
    )
    # this example has only the deprecated totalPrice
    assert (o.currency, o.total_price) == ("USD", Decimal("10.00"))
    assert (o.financial_status, o.fulfillment_status, o.cancelled_at, o.cancel_reason) == ("pending", None, None, None)


def test_order_created_carries_the_order_in_created_event_entity() -> None:
    """Order Created: entityFqdn wix.ecom.v1.order, slug created, `createdEvent.entity`
    (https://dev.wix.com/docs/rest/api-reference/wix-e-commerce/orders/order-created)."""
    event = approved()
    order = event.pop("actionEvent")["body"]["order"]
    event.update(slug="created", createdEvent={"entity": {**order, "status": "INITIALIZED"}})
    [placed] = events_for("wix.ecom.v1.order_created", event)
    assert isinstance(placed, events.OrderPlaced)
    assert placed.order.name == "#10002" and placed.order.cancelled_at is None


def test_payment_status_updated_carries_the_paid_order() -> None:
    [updated] = events_for("wix.ecom.v1.order_payment_status_updated",
                           fixture_bytes("wix/ecom_order_payment_status_updated.data.json"))
    assert isinstance(updated, events.OrderUpdated)
    assert (updated.order.financial_status, updated.order.total_price) == ("paid", Decimal("10.00"))
    assert updated.order.updated_at == datetime(2022, 12, 21, 13, 37, 43, 380000, tzinfo=UTC)


def test_an_order_without_shippable_items_has_nothing_to_ship_and_no_address() -> None:
    """Wix's Order Updated example is a gift-card order: `physicalProperties.shippable` false, no shippingInfo."""
    [updated] = events_for("wix.ecom.v1.order_updated", fixture_bytes("wix/ecom_order_updated.data.json"))
    assert isinstance(updated, events.OrderUpdated)
    o = updated.order
    assert [(li.title, li.requires_shipping) for li in o.line_items] == [("eGift Card", False)]
    assert o.shipping_address is None
    assert (o.financial_status, o.fulfillment_status, o.total_price) == ("paid", "fulfilled", Decimal("25.0"))
    assert o.customer.name == "Jane Doe"  # from the billing contact


def test_a_canceled_order_is_cancelled_when_its_cancel_activity_says() -> None:
    [cancelled] = events_for("wix.ecom.v1.order_canceled", fixture_bytes("wix/ecom_order_canceled.data.json"))
    assert isinstance(cancelled, events.OrderCancelled)
    o = cancelled.order
    assert o.cancelled_at == datetime(2022, 12, 21, 13, 49, 24, 613000, tzinfo=UTC)  # the ORDER_CANCELED activity
    assert o.cancel_reason == "canceled"
    assert o.financial_status == "paid"


def test_a_canceled_order_without_its_activity_is_cancelled_at_its_last_update() -> None:
    event = fixture_json("wix/ecom_order_canceled.data.json")
    event["actionEvent"]["body"]["order"]["activities"] = []
    [cancelled] = events_for("wix.ecom.v1.order_canceled", event)
    assert cancelled.order.cancelled_at == datetime(2022, 12, 21, 13, 49, 24, 613000, tzinfo=UTC)
    event["actionEvent"]["body"]["order"]["status"] = "APPROVED"  # the event says canceled, whatever the status
    [cancelled] = events_for("wix.ecom.v1.order_canceled", event)
    assert cancelled.order.cancelled_at == cancelled.order.updated_at


def test_an_order_updated_to_canceled_is_an_update_that_closes_the_order() -> None:
    canceled_order = fixture_json("wix/ecom_order_canceled.data.json")["actionEvent"]["body"]["order"]
    event = {**fixture_json("wix/ecom_order_updated.data.json"), "updatedEvent": {"currentEntity": canceled_order}}
    [updated] = events_for("wix.ecom.v1.order_updated", event)
    assert isinstance(updated, events.OrderUpdated)
    assert updated.order.cancelled_at == datetime(2022, 12, 21, 13, 49, 24, 613000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payment", "expected"),
    [("NOT_PAID", "pending"), ("PENDING", "pending"), ("PARTIALLY_PAID", "partially_paid"), ("PAID", "paid"),
     ("PARTIALLY_REFUNDED", "partially_refunded"), ("FULLY_REFUNDED", "refunded"), ("UNSPECIFIED", None),
     (None, None)],
)
def test_payment_status_maps_to_the_cores_financial_status(payment: str | None, expected: str | None) -> None:
    event = approved()
    event["actionEvent"]["body"]["order"]["paymentStatus"] = payment
    assert events_for("wix.ecom.v1.order_approved", event)[0].order.financial_status == expected


@pytest.mark.parametrize(("number", "name"), [(10096, "#10096"), ("", "#880fa895-dfd5-4d50-a2d4-971b03fd4b86"),
                                              (None, "#880fa895-dfd5-4d50-a2d4-971b03fd4b86")])
def test_the_order_is_named_by_its_number_else_its_id(number: Any, name: str) -> None:
    event = approved()
    event["actionEvent"]["body"]["order"]["number"] = number
    assert events_for("wix.ecom.v1.order_approved", event)[0].order.name == name


def test_a_partially_fulfilled_order_says_so() -> None:
    event = approved()
    event["actionEvent"]["body"]["order"]["fulfillmentStatus"] = "PARTIALLY_FULFILLED"
    assert events_for("wix.ecom.v1.order_approved", event)[0].order.fulfillment_status == "partial"


def test_newer_orders_recipient_info_is_the_destination_when_there_is_no_shipping_destination() -> None:
    event = approved()
    order = event["actionEvent"]["body"]["order"]
    del order["shippingInfo"]
    order["recipientInfo"] = {
        "address": {"country": "ca", "subdivision": "CA-QC", "city": "Montréal", "postalCode": "H2X 1Y4"},
        "contactDetails": {"firstName": "Marie", "lastName": "Tremblay", "phone": "+1 514 555 0199"},
    }
    del order["billingInfo"]
    o = events_for("wix.ecom.v1.order_approved", event)[0].order
    assert o.shipping_address is not None
    assert (o.shipping_address.name, o.shipping_address.region, o.shipping_address.country_code) == (
        "Marie Tremblay", "QC", "CA"
    )
    assert (o.customer.name, o.customer.phone) == ("Marie Tremblay", "+1 514 555 0199")


def test_items_without_the_shippable_flag_ship_when_they_are_physical_products() -> None:
    event = approved()
    order = event["actionEvent"]["body"]["order"]
    shirt = order["lineItems"][0]
    del shirt["physicalProperties"]
    ebook = {**copy.deepcopy(shirt), "id": "00000000-0000-0000-0000-000000000002", "itemType": {"preset": "DIGITAL"},
             "productName": {"original": "", "translated": "Guide"}}
    custom = {"id": "00000000-0000-0000-0000-000000000003", "quantity": 2}
    order["lineItems"] = [shirt, ebook, custom]
    items = events_for("wix.ecom.v1.order_approved", event)[0].order.line_items
    assert [(li.title, li.requires_shipping, li.sku) for li in items] == [
        ("Shirt", True, None), ("Guide", False, None), ("item 00000000-0000-0000-0000-000000000003", False, None)
    ]


# -- fulfillments ------------------------------------------------------------------------------------------------


def test_wixs_fulfillments_updated_example_is_one_shipment_with_its_items() -> None:
    [created] = events_for("wix.ecom.v1.fulfillments_updated", fixture_bytes("wix/ecom_fulfillments_updated.data.json"))
    assert isinstance(created, events.ShipmentCreated)
    f = created.fulfillment
    assert (f.platform_fulfillment_id, f.platform_order_id) == (
        "e110b73a-6896-4327-b5dd-87b4a2e7eaf3", "1241d17c-82e1-4a6d-9fae-bd6d2a8073e5"
    )
    assert (f.tracking_numbers, f.carrier, f.carrier_raw) == (("12345",), "ups", "ups")
    assert f.tracking_urls == ("https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums=12345",)
    assert f.created_at == datetime(2023, 1, 25, 13, 45, 20, 753000, tzinfo=UTC)
    assert f.updated_at == datetime(2023, 1, 25, 13, 45, 21, 129908, tzinfo=UTC)  # the event's time
    assert [(i.platform_line_item_id, i.quantity) for i in f.items] == [("00000000-0000-0000-0000-000000000001", 1)]


def test_partial_fulfillments_are_one_shipment_each_with_their_own_quantities() -> None:
    """Three fulfillments of one order of 3 shirts and 1 mug: two parcels with Wix's preset providers, one
    marked fulfilled without tracking (a Fulfillment's `trackingInfo` is optional)."""
    event = fulfillments_updated()
    shirt, mug = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"
    event["updatedEvent"]["currentEntity"]["fulfillments"] = [
        {"id": "f-1", "createdDate": "2023-01-25T13:45:20.753Z", "lineItems": [{"id": shirt, "quantity": 2}],
         "trackingInfo": {"trackingNumber": "9400111899560000000000", "shippingProvider": "usps",
                          "trackingLink": "https://tools.usps.com/go/TrackConfirmAction.action?tLabels=9400111899560000000000"}},
        {"id": "f-2", "createdDate": "2023-01-26T09:00:00Z", "lineItems": [{"id": shirt, "quantity": 1},
                                                                           {"id": mug, "quantity": 1}],
         "trackingInfo": {"trackingNumber": "7023210039414604", "shippingProvider": "canadaPost"}},
        {"id": "f-3", "createdDate": "2023-01-26T10:00:00Z", "lineItems": [{"id": mug, "quantity": 1}]},
    ]
    found = events_for("wix.ecom.v1.fulfillments_updated", event)
    assert [type(e) for e in found] == [events.ShipmentCreated] * 3
    first, second, untracked = (e.fulfillment for e in found)
    assert (first.carrier, first.tracking_numbers) == ("usps", ("9400111899560000000000",))
    assert [(i.platform_line_item_id, i.quantity) for i in first.items] == [(shirt, 2)]
    assert (second.carrier, second.carrier_raw, second.tracking_urls) == ("canadapost", "canadaPost", ())
    assert [(i.platform_line_item_id, i.quantity) for i in second.items] == [(shirt, 1), (mug, 1)]
    assert (untracked.tracking_numbers, untracked.carrier) == ((), None)
    assert {f.platform_order_id for f in (first, second, untracked)} == {"1241d17c-82e1-4a6d-9fae-bd6d2a8073e5"}


def test_free_text_providers_are_normalized_and_links_that_are_not_web_addresses_dropped() -> None:
    event = fulfillments_updated()
    [fulfillment] = event["updatedEvent"]["currentEntity"]["fulfillments"]
    fulfillment["trackingInfo"] = {"trackingNumber": " RR123456785GB ", "shippingProvider": "Royal Mail",
                                   "trackingLink": "javascript:alert(1)"}
    [created] = events_for("wix.ecom.v1.fulfillments_updated", event)
    assert (created.fulfillment.carrier, created.fulfillment.tracking_numbers, created.fulfillment.tracking_urls) == (
        "royalmail", ("RR123456785GB",), ()
    )


def test_an_order_whose_last_fulfillment_was_deleted_lists_none() -> None:
    event = fulfillments_updated()
    event["updatedEvent"]["currentEntity"]["fulfillments"] = []
    assert events_for("wix.ecom.v1.fulfillments_updated", event) == []


def test_legacy_stores_fulfillment_events_map_to_shipments() -> None:
    [created] = events_for("FulfillmentCreated", fixture_bytes("wix/stores_fulfillment_created.data.json"))
    assert isinstance(created, events.ShipmentCreated)
    f = created.fulfillment
    assert (f.platform_fulfillment_id, f.platform_order_id) == (
        "ca4abdc6-ac46-430a-8db9-9c866fa11a50", "8234d6e7-d92f-4c0d-b973-8fadec29fa47"
    )
    assert (f.tracking_numbers, f.carrier, f.carrier_raw) == (("1234-5678-9101-1121-3141-51",), "usps", "usps")
    assert f.created_at == f.updated_at == datetime(2019, 12, 10, 15, 3, 30, 800000, tzinfo=UTC)
    assert (f.items, f.status) == ((), None)  # the legacy event names no items; its status is the order's

    [updated] = events_for("FulfillmentUpdated", fixture_bytes("wix/stores_fulfillment_updated.data.json"))
    assert isinstance(updated, events.ShipmentUpdated)
    assert updated.fulfillment.platform_fulfillment_id == f.platform_fulfillment_id
    assert (updated.fulfillment.updated_at, updated.fulfillment.tracking_numbers) == (None, f.tracking_numbers)


# -- routing, uninstall, rejection ----------------------------------------------------------------------------


def test_the_event_types_handled_are_the_order_fulfillment_and_legacy_ones() -> None:
    assert connector.platform == "wix"
    assert connector.topics == {
        "wix.ecom.v1.order_created", "wix.ecom.v1.order_approved", "wix.ecom.v1.order_updated",
        "wix.ecom.v1.order_payment_status_updated", "wix.ecom.v1.order_canceled", "wix.ecom.v1.fulfillments_updated",
        "FulfillmentCreated", "FulfillmentUpdated",
    }


def test_the_apps_removal_is_recognised_and_left_to_the_endpoint() -> None:
    assert mapping.is_uninstall("AppRemoved")
    assert not any(mapping.is_uninstall(t) for t in ("AppInstalled", "wix.ecom.v1.order_canceled", "appremoved", ""))
    assert "AppRemoved" not in connector.topics
    removed = fixture_json("wix/app_instance_removed.data.json")
    assert connector.to_events(SITE, "AppRemoved", connector.parse("AppRemoved", json.dumps(removed).encode())) == []


def test_event_types_forewarn_does_not_act_on_map_to_nothing() -> None:
    body = fixture_bytes("wix/ecom_checkout_template_updated.data.json")
    assert "wix.ecom.v1.checkout_template_updated" not in connector.topics
    assert events_for("wix.ecom.v1.checkout_template_updated", body) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"not json", "not valid JSON"), (b"[1]", "not an object"), (b"{}", "missing required fields: actionEvent")],
)
def test_bodies_that_are_not_usable_json_are_rejected(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason):
        events_for("wix.ecom.v1.order_approved", body)


@pytest.mark.parametrize(
    ("drop", "missing"),
    [
        (("id",), "actionEvent.body.order.id"),
        (("updatedDate",), "actionEvent.body.order.updatedDate"),
        (("lineItems",), "actionEvent.body.order.lineItems"),
        (("lineItems", 0, "quantity"), "actionEvent.body.order.lineItems.0.quantity"),
    ],
)
def test_an_order_without_what_the_mapping_needs_is_missing_fields(drop: tuple[Any, ...], missing: str) -> None:
    event = approved()
    parent: Any = event["actionEvent"]["body"]["order"]
    for key in drop[:-1]:
        parent = parent[key]
    del parent[drop[-1]]
    with pytest.raises(MissingFields, match=f"missing required fields: {missing}"):
        connector.parse("wix.ecom.v1.order_approved", json.dumps(event).encode())


def test_fulfillment_bodies_without_their_ids_are_missing_fields() -> None:
    event = fulfillments_updated()
    del event["updatedEvent"]["currentEntity"]["orderId"]
    del event["updatedEvent"]["currentEntity"]["fulfillments"][0]["lineItems"][0]["quantity"]
    with pytest.raises(MissingFields) as caught:
        connector.parse("wix.ecom.v1.fulfillments_updated", json.dumps(event).encode())
    assert "updatedEvent.currentEntity.orderId" in str(caught.value)
    assert "updatedEvent.currentEntity.fulfillments.0.lineItems.0.quantity" in str(caught.value)
    legacy = fixture_json("wix/stores_fulfillment_updated.data.json")
    del legacy["fulfillmentId"]
    with pytest.raises(MissingFields, match="fulfillmentId"):
        connector.parse("FulfillmentUpdated", json.dumps(legacy).encode())


def test_bad_values_are_rejected_with_a_reason() -> None:
    event = approved()
    event["actionEvent"]["body"]["order"]["updatedDate"] = "yesterday"
    with pytest.raises(PayloadRejected, match="updatedDate: must be an ISO 8601"):
        events_for("wix.ecom.v1.order_approved", event)
    event = approved()
    event["actionEvent"]["body"]["order"]["id"] = True
    with pytest.raises(PayloadRejected, match="id: must be a non-empty string id"):
        events_for("wix.ecom.v1.order_approved", event)
    event = approved()
    event["actionEvent"]["body"]["order"]["priceSummary"]["totalPrice"]["amount"] = "ten"
    with pytest.raises(PayloadRejected, match="priceSummary.totalPrice.amount"):
        events_for("wix.ecom.v1.order_approved", event)


def test_what_the_endpoint_unwraps_from_a_signed_webhook_is_what_the_connector_reads() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    inner = fixture_bytes("wix/ecom_fulfillments_updated.data.json").decode()
    claims = {"data": json.dumps({"eventType": "wix.ecom.v1.fulfillments_updated", "instanceId": SITE, "data": inner,
                                  "identity": json.dumps({"identityType": "APP", "appId": "app"})})}
    env = verify_webhook(jwt.encode(claims, key, algorithm="RS256").encode(), pem.decode(),
                         now=datetime.now(UTC))
    found = events_for(env.event_type, json.dumps(env.event).encode())
    assert [e.fulfillment.tracking_numbers for e in found] == [("12345",)]
    assert {e.shop_domain for e in found} == {env.instance_id}
