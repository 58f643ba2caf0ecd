"""Shopify webhook payloads → core DTOs and events (pure).

Payload shapes: the REST Order and Fulfillment resources Shopify sends as webhook bodies
(https://shopify.dev/docs/api/webhooks/2026-07). Timestamps carry the shop's offset; we keep them
aware and let the database store UTC.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.domain import events
from core.domain.carriers import carrier_code
from core.domain.values import Address, LineItem, ShipmentItem
from core.ports import CustomerData, FulfillmentData, OrderData

PLATFORM = "shopify"

ORDER_TOPICS = {
    "orders/create": events.OrderPlaced,
    "orders/updated": events.OrderUpdated,
    "orders/cancelled": events.OrderCancelled,
    # Same Order resource; handled so that a shop subscribed to them loses nothing.
    "orders/fulfilled": events.OrderUpdated,
    "orders/partially_fulfilled": events.OrderUpdated,
    "orders/paid": events.OrderUpdated,
}
FULFILLMENT_TOPICS = {
    "fulfillments/create": events.ShipmentCreated,
    "fulfillments/update": events.ShipmentUpdated,
}


def address(data: Mapping[str, Any] | None) -> Address | None:
    if not data:
        return None
    name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p) or None
    country = data.get("country_code")
    return Address(
        name=name,
        city=data.get("city"),
        region=data.get("province_code") or data.get("province"),
        postal_code=data.get("zip"),
        country_code=country.upper() if country else None,
    )


def customer(order: Mapping[str, Any]) -> CustomerData:
    c = order.get("customer") or {}
    return CustomerData(
        platform_customer_id=c.get("id"),
        first_name=c.get("first_name") or (order.get("shipping_address") or {}).get("first_name"),
        last_name=c.get("last_name") or (order.get("shipping_address") or {}).get("last_name"),
        # The order's own address is the one this order's mail goes to; the customer record may differ.
        email=order.get("email") or order.get("contact_email") or c.get("email"),
        phone=order.get("phone") or c.get("phone") or (order.get("shipping_address") or {}).get("phone"),
        locale=order.get("customer_locale") or c.get("locale"),
    )


def line_title(item: Mapping[str, Any]) -> str:
    return item.get("name") or item.get("title") or f"item {item['id']}"


def order_data(order: Mapping[str, Any]) -> OrderData:
    return OrderData(
        platform_order_id=order["id"],
        name=order["name"],
        number=order.get("order_number"),
        updated_at=order.get("updated_at") or order.get("created_at"),
        placed_at=order.get("created_at"),
        customer=customer(order),
        shipping_address=address(order.get("shipping_address")),
        line_items=tuple(
            LineItem(
                platform_line_item_id=li["id"],
                title=line_title(li),
                quantity=li["quantity"],
                sku=li.get("sku") or None,
                requires_shipping=li.get("requires_shipping") is not False,
            )
            for li in order.get("line_items", ())
        ),
        currency=order.get("currency"),
        total_price=order.get("total_price"),
        financial_status=order.get("financial_status"),
        fulfillment_status=order.get("fulfillment_status"),
        cancelled_at=order.get("cancelled_at"),
        cancel_reason=order.get("cancel_reason"),
        closed_at=order.get("closed_at"),
        status_url=order.get("order_status_url"),
    )


def tracking_numbers(fulfillment: Mapping[str, Any]) -> tuple[str, ...]:
    numbers = [n.strip() for n in (fulfillment.get("tracking_numbers") or []) if n and n.strip()]
    single = (fulfillment.get("tracking_number") or "").strip()
    if single and single not in numbers:
        numbers.insert(0, single)
    return tuple(numbers)


def fulfillment_data(fulfillment: Mapping[str, Any]) -> FulfillmentData:
    numbers = tracking_numbers(fulfillment)
    urls = tuple(u for u in (fulfillment.get("tracking_urls") or []) if u) or (
        (fulfillment["tracking_url"],) if fulfillment.get("tracking_url") else ()
    )
    raw_carrier = fulfillment.get("tracking_company") or None
    updated: datetime | None = fulfillment.get("updated_at") or fulfillment.get("created_at")
    return FulfillmentData(
        platform_fulfillment_id=fulfillment["id"],
        platform_order_id=fulfillment["order_id"],
        updated_at=updated,
        created_at=fulfillment.get("created_at"),
        name=fulfillment.get("name"),
        status=fulfillment.get("status"),
        shipment_status=fulfillment.get("shipment_status"),
        tracking_numbers=numbers,
        tracking_urls=urls,
        carrier=carrier_code(raw_carrier, urls[0] if urls else None, numbers[0] if numbers else None),
        carrier_raw=raw_carrier,
        service=fulfillment.get("service"),
        items=tuple(
            ShipmentItem(platform_line_item_id=li["id"], title=line_title(li), quantity=li["quantity"])
            for li in fulfillment.get("line_items", ())
        ),
        destination=address(fulfillment.get("destination")),
    )


#: Lifecycle and mandatory privacy-law topics (https://shopify.dev/docs/apps/build/privacy-law-compliance).
#: The shop is always the one of the verified `X-Shopify-Shop-Domain` header, never the body's.
LIFECYCLE_TOPICS = ("app/uninstalled", "customers/data_request", "customers/redact", "shop/redact")


def lifecycle_event(shop_domain: str, topic: str, payload: Mapping[str, Any]) -> events.Event:
    if topic == "app/uninstalled":
        return events.AppUninstalled(PLATFORM, shop_domain)
    if topic == "shop/redact":
        return events.ShopRedactRequested(PLATFORM, shop_domain)
    customer = payload.get("customer") or {}
    if topic == "customers/data_request":
        return events.CustomerDataRequested(
            PLATFORM, shop_domain, customer.get("id"), customer.get("email"), tuple(payload.get("orders_requested", ()))
        )
    return events.CustomerRedactRequested(
        PLATFORM, shop_domain, customer.get("id"), customer.get("email"), tuple(payload.get("orders_to_redact", ()))
    )


def to_events(shop_domain: str, topic: str, payload: Mapping[str, Any]) -> list[events.Event]:
    """The core events one (validated) webhook body stands for; [] for a topic Forewarn does not act on."""
    if topic in LIFECYCLE_TOPICS:
        return [lifecycle_event(shop_domain, topic, payload)]
    if topic in ORDER_TOPICS:
        found: list[events.Event] = [ORDER_TOPICS[topic](PLATFORM, shop_domain, order_data(payload))]
        found += [
            events.ShipmentUpdated(PLATFORM, shop_domain, fulfillment_data(f)) for f in payload.get("fulfillments", ())
        ]
        return found
    if topic in FULFILLMENT_TOPICS:
        return [FULFILLMENT_TOPICS[topic](PLATFORM, shop_domain, fulfillment_data(payload))]
    return []


#: Our lifecycle status → Shopify's FulfillmentEventStatus (GraphQL enum).
FULFILLMENT_EVENT_STATUS = {
    "in_transit": "IN_TRANSIT",
    "out_for_delivery": "OUT_FOR_DELIVERY",
    "delivered": "DELIVERED",
    "attempt_failed": "ATTEMPTED_DELIVERY",
    "available_for_pickup": "READY_FOR_PICKUP",
    "exception": "FAILURE",
}


def fulfillment_event_status(status: str, substatus: str | None) -> str | None:
    if substatus == "delayed":
        return "DELAYED"
    return FULFILLMENT_EVENT_STATUS.get(status)


def gid(kind: str, legacy_id: str) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"
