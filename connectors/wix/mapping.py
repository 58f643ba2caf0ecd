"""Wix events → core DTOs and events (pure).

Input is the inner domain event of a webhook (see verify.py), validated by schemas.py. Event types are
`{entityFqdn}_{slug}`, as Wix's REST reference lists them (wix-incubator/wix-rest-docs
`all/all-apis/orders.service.json` and `order-fulfillments.service.json`, `eventType` of each webhook):
wix.ecom.v1.order_approved, _updated, _canceled, _payment_status_updated and wix.ecom.v1.fulfillments_updated.
`wix.ecom.v1.order_created` (entityFqdn wix.ecom.v1.order, slug created, `createdEvent.entity`, documented at
https://dev.wix.com/docs/rest/api-reference/wix-e-commerce/orders/order-created) follows the same rule.
Wix recommends Order Approved for new orders; Order Created also arrives for orders not yet approved.

The legacy (deprecated) Stores events and the app-removed event use another envelope whose `eventType` is a
bare name, as Wix documents for its app events ("PaidPlanPurchased", apps.service.json). Their names here,
`FulfillmentCreated`, `FulfillmentUpdated` and `AppRemoved`, are the names of their documented messages; that
Wix sends exactly these strings is not confirmed by a Wix example.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.domain import events
from core.domain.carriers import carrier_code
from core.domain.values import Address, LineItem, ShipmentItem
from core.ports import CustomerData, FulfillmentData, OrderData

PLATFORM = "wix"

ORDER_CREATED = "wix.ecom.v1.order_created"
ORDER_APPROVED = "wix.ecom.v1.order_approved"
ORDER_UPDATED = "wix.ecom.v1.order_updated"
ORDER_PAYMENT_STATUS_UPDATED = "wix.ecom.v1.order_payment_status_updated"
ORDER_CANCELED = "wix.ecom.v1.order_canceled"
FULFILLMENTS_UPDATED = "wix.ecom.v1.fulfillments_updated"
LEGACY_FULFILLMENT_CREATED = "FulfillmentCreated"
LEGACY_FULFILLMENT_UPDATED = "FulfillmentUpdated"
APP_INSTANCE_REMOVED = "AppRemoved"

#: Each order event: the core event it stands for, and where the whole order is in its domain event.
ORDER_EVENTS: dict[str, tuple[type[events.OrderPlaced | events.OrderUpdated | events.OrderCancelled], tuple[str, ...]]] = {
    ORDER_CREATED: (events.OrderPlaced, ("createdEvent", "entity")),
    ORDER_APPROVED: (events.OrderPlaced, ("actionEvent", "body", "order")),
    ORDER_UPDATED: (events.OrderUpdated, ("updatedEvent", "currentEntity")),
    ORDER_PAYMENT_STATUS_UPDATED: (events.OrderUpdated, ("actionEvent", "body", "order")),
    ORDER_CANCELED: (events.OrderCancelled, ("actionEvent", "body", "order")),
}
LEGACY_FULFILLMENT_EVENTS: dict[str, type[events.ShipmentCreated | events.ShipmentUpdated]] = {
    LEGACY_FULFILLMENT_CREATED: events.ShipmentCreated,
    LEGACY_FULFILLMENT_UPDATED: events.ShipmentUpdated,
}

#: Wix's paymentStatus → the vocabulary the core shares with Shopify (detection treats paid,
#: partially_refunded and authorized as paid).
FINANCIAL_STATUS = {
    "NOT_PAID": "pending",
    "PENDING": "pending",
    "PARTIALLY_PAID": "partially_paid",
    "PAID": "paid",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "FULLY_REFUNDED": "refunded",
}
FULFILLMENT_STATUS = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}
CANCELED = "CANCELED"


def is_uninstall(event_type: str) -> bool:
    """The app was removed from the site (App Instance Removed); the webhook endpoint handles it itself."""
    return event_type == APP_INSTANCE_REMOVED


def text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def dig(data: Mapping[str, Any] | None, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


# -- the order ------------------------------------------------------------------------------------------------


def destination(order: Mapping[str, Any]) -> Mapping[str, Any]:
    """Where the parcel goes: the chosen shipping option's destination, else the newer `recipientInfo`; {} for
    pickup and digital orders."""
    for found in (dig(order, "shippingInfo", "logistics", "shippingDestination"), order.get("recipientInfo")):
        if isinstance(found, Mapping) and isinstance(found.get("address"), Mapping):
            return found
    return {}


def region(subdivision: str | None, country: str | None) -> str | None:
    """Wix's ISO 3166-2 subdivision ("US-NY") as the bare code the other platforms give ("NY")."""
    if subdivision and country and subdivision.upper().startswith(f"{country.upper()}-"):
        return subdivision[len(country) + 1:] or None
    return subdivision


def address(block: Mapping[str, Any]) -> Address | None:
    data, contact = block.get("address") or {}, block.get("contactDetails") or {}
    country, city, postal = text(data.get("country")), text(data.get("city")), text(data.get("postalCode"))
    if not (country or city or postal):
        return None
    name = " ".join(p for p in (text(contact.get("firstName")), text(contact.get("lastName"))) if p) or None
    return Address(
        name=name,
        city=city,
        region=region(text(data.get("subdivision")), country),
        postal_code=postal,
        country_code=country.upper() if country else None,
    )


def customer(order: Mapping[str, Any]) -> CustomerData:
    """The buyer: email and contact from `buyerInfo`; name and phone from the billing contact, else the
    recipient's; language from `buyerLanguage` (the one the buyer chose on a multilingual site)."""
    buyer = order.get("buyerInfo") or {}
    contacts = [dig(order, "billingInfo", "contactDetails"), destination(order).get("contactDetails")]
    contacts = [c for c in contacts if isinstance(c, Mapping)]

    def first(key: str) -> str | None:
        return next((v for c in contacts if (v := text(c.get(key)))), None)

    return CustomerData(
        platform_customer_id=text(buyer.get("contactId")),
        first_name=first("firstName"),
        last_name=first("lastName"),
        email=text(buyer.get("email")),
        phone=first("phone"),
        locale=text(order.get("buyerLanguage")),
    )


def line_title(item: Mapping[str, Any]) -> str:
    name = item.get("productName") or {}
    return text(name.get("original")) or text(name.get("translated")) or f"item {item['id']}"


def shippable(item: Mapping[str, Any]) -> bool:
    """`physicalProperties.shippable` says so; an item without it ships only if it is a physical product
    (gift cards, services and digital files do not)."""
    flag = dig(item, "physicalProperties", "shippable")
    if flag is not None:
        return bool(flag)
    return (text(dig(item, "itemType", "preset")) or "").upper() == "PHYSICAL"


def line_items(order: Mapping[str, Any]) -> tuple[LineItem, ...]:
    return tuple(
        LineItem(
            platform_line_item_id=li["id"],
            title=line_title(li),
            quantity=li["quantity"],
            sku=text(dig(li, "physicalProperties", "sku")),
            requires_shipping=shippable(li),
        )
        for li in order.get("lineItems", ())
    )


def total(order: Mapping[str, Any]) -> Decimal | None:
    """`priceSummary.total`, or `totalPrice` (deprecated for it, and the only one in older events)."""
    for key in ("total", "totalPrice"):
        amount = dig(order, "priceSummary", key, "amount")
        if amount is not None:
            return amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return None


def financial_status(order: Mapping[str, Any]) -> str | None:
    status = (text(order.get("paymentStatus")) or "").upper()
    if not status or status == "UNSPECIFIED":
        return None
    return FINANCIAL_STATUS.get(status, status.lower())


def cancelled_at(order: Mapping[str, Any]) -> datetime | None:
    """When a CANCELED order was cancelled: its ORDER_CANCELED activity, else its last update."""
    if (text(order.get("status")) or "").upper() != CANCELED:
        return None
    times = [a.get("createdDate") for a in order.get("activities") or () if (a.get("type") or "") == "ORDER_CANCELED"]
    return max((t for t in times if t is not None), default=None) or order.get("updatedDate")


def order_name(order: Mapping[str, Any]) -> str:
    return f"#{text(order.get('number')) or order['id']}"


def order_data(order: Mapping[str, Any]) -> OrderData:
    cancelled = cancelled_at(order)
    return OrderData(
        platform_order_id=order["id"],
        name=order_name(order),
        number=text(order.get("number")),
        updated_at=order.get("updatedDate"),
        placed_at=order.get("createdDate"),
        customer=customer(order),
        shipping_address=address(destination(order)),
        line_items=line_items(order),
        currency=text(order.get("currency")),
        total_price=total(order),
        financial_status=financial_status(order),
        fulfillment_status=FULFILLMENT_STATUS.get((text(order.get("fulfillmentStatus")) or "").upper()),
        cancelled_at=cancelled,
        cancel_reason="canceled" if cancelled else None,
    )


def order_of(event_type: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return dig(payload, *ORDER_EVENTS[event_type][1])


# -- fulfillments -------------------------------------------------------------------------------------------


def tracking(info: Mapping[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """(number, web link, provider as written) of a fulfillment's `trackingInfo`. The provider is one of
    Wix's presets (fedex, ups, usps, dhl, canadaPost) or the merchant's free text."""
    info = info or {}
    link = text(info.get("trackingLink"))
    if link and not link.lower().startswith(("https://", "http://")):
        link = None
    return text(info.get("trackingNumber")), link, text(info.get("shippingProvider"))


def fulfillment_data(
    order_id: str,
    fulfillment_id: str,
    info: Mapping[str, Any] | None,
    *,
    updated_at: datetime | None,
    created_at: datetime | None,
    items: tuple[ShipmentItem, ...] = (),
    status: str | None = None,
) -> FulfillmentData:
    number, link, provider = tracking(info)
    return FulfillmentData(
        platform_fulfillment_id=fulfillment_id,
        platform_order_id=order_id,
        updated_at=updated_at,
        created_at=created_at,
        status=status,
        tracking_numbers=(number,) if number else (),
        tracking_urls=(link,) if link else (),
        carrier=carrier_code(provider, link, number),
        carrier_raw=provider,
        items=items,
    )


def ecom_fulfillments(payload: Mapping[str, Any]) -> list[FulfillmentData]:
    """Every fulfillment of the order, as Order With Fulfillments Updated lists them after the change (each
    with its own items and quantities, so partial shipments stay partial). The event's time is each one's
    `updated_at`: an older event arriving late is then recognised as stale."""
    entity = payload["updatedEvent"]["currentEntity"]
    return [
        fulfillment_data(
            entity["orderId"],
            f["id"],
            f.get("trackingInfo"),
            updated_at=payload.get("eventTime"),
            created_at=f.get("createdDate"),
            items=tuple(ShipmentItem(li["id"], f"item {li['id']}", li["quantity"]) for li in f.get("lineItems", ())),
            status=text(f.get("status")),
        )
        for f in entity.get("fulfillments", ())
    ]


def legacy_fulfillment(event_type: str, payload: Mapping[str, Any]) -> FulfillmentData:
    """A legacy Stores FulfillmentCreated/FulfillmentUpdated body. It names no items: the core's rules see a
    parcel without contents. Its `fulfillmentStatus` is the order's, not this fulfillment's, so it is not kept."""
    created = payload.get("dateCreated")
    return fulfillment_data(
        payload["orderId"],
        payload["fulfillmentId"],
        payload.get("trackingInfo"),
        updated_at=created if event_type == LEGACY_FULFILLMENT_CREATED else None,
        created_at=created,
    )


# -- events ----------------------------------------------------------------------------------------------------


def to_events(shop_domain: str, event_type: str, payload: Mapping[str, Any]) -> list[events.Event]:
    """The core events one (validated) inner event stands for; [] for event types Forewarn does not act on,
    the app's removal included (the endpoint handles that before anything is stored)."""
    if event_type in ORDER_EVENTS:
        kind = ORDER_EVENTS[event_type][0]
        data = order_data(order_of(event_type, payload))
        if kind is events.OrderCancelled and data.cancelled_at is None:
            data = replace(data, cancelled_at=data.updated_at or payload.get("eventTime"), cancel_reason="canceled")
        return [kind(PLATFORM, shop_domain, data)]
    if event_type == FULFILLMENTS_UPDATED:
        return [events.ShipmentCreated(PLATFORM, shop_domain, f) for f in ecom_fulfillments(payload)]
    if event_type in LEGACY_FULFILLMENT_EVENTS:
        return [LEGACY_FULFILLMENT_EVENTS[event_type](PLATFORM, shop_domain, legacy_fulfillment(event_type, payload))]
    return []
