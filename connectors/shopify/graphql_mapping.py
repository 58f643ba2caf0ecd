"""GraphQL Admin API orders → the REST Order resource that webhooks carry (pure).

Reconciliation feeds what it fetches through the very same parse/to_events path as a webhook, so an
order recovered by polling ends in exactly the rows its webhooks would have written. Field names:
https://shopify.dev/docs/api/admin-graphql/latest/objects/Order
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FULFILLMENT_STATUS = {"UNFULFILLED": None, "PARTIALLY_FULFILLED": "partial", "FULFILLED": "fulfilled"}
#: FulfillmentDisplayStatus values that REST reports as `shipment_status`; the rest have no counterpart.
SHIPMENT_STATUSES = {
    "ATTEMPTED_DELIVERY", "CONFIRMED", "DELAYED", "DELIVERED", "FAILURE", "IN_TRANSIT", "LABEL_PRINTED",
    "LABEL_PURCHASED", "OUT_FOR_DELIVERY", "PICKED_UP", "READY_FOR_PICKUP", "CARRIER_PICKED_UP",
}


def legacy_id(gid: str | None) -> str | None:
    """'gid://shopify/LineItem/123' → '123'."""
    return gid.rsplit("/", 1)[-1] if gid else None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _address(a: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not a:
        return None
    return {
        "name": a.get("name"),
        "first_name": a.get("firstName"),
        "last_name": a.get("lastName"),
        "city": a.get("city"),
        "province": a.get("province"),
        "province_code": a.get("provinceCode"),
        "zip": a.get("zip"),
        "country_code": a.get("countryCodeV2"),
        "phone": a.get("phone"),
    }


def _nodes(connection: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    return list((connection or {}).get("nodes") or [])


def rest_order(node: Mapping[str, Any]) -> dict[str, Any]:
    order_id = node["legacyResourceId"]
    shipping = _address(node.get("shippingAddress"))
    customer = node.get("customer") or None
    money = ((node.get("totalPriceSet") or {}).get("shopMoney")) or {}
    return {
        "id": order_id,
        "name": node.get("name"),
        "email": node.get("email"),
        "phone": node.get("phone"),
        "customer_locale": node.get("customerLocale"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "cancelled_at": node.get("cancelledAt"),
        "cancel_reason": _lower(node.get("cancelReason")),
        "closed_at": node.get("closedAt"),
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": FULFILLMENT_STATUS.get(node.get("displayFulfillmentStatus") or "UNFULFILLED"),
        "currency": node.get("currencyCode") or money.get("currencyCode"),
        "total_price": money.get("amount"),
        "order_status_url": node.get("statusPageUrl"),
        "customer": None if customer is None else {
            "id": customer.get("legacyResourceId"),
            "first_name": customer.get("firstName"),
            "last_name": customer.get("lastName"),
            "email": customer.get("email"),
            "phone": customer.get("phone"),
            "locale": customer.get("locale"),
        },
        "shipping_address": shipping,
        "line_items": [
            {
                "id": legacy_id(li.get("id")),
                "name": li.get("name"),
                "title": li.get("title"),
                "sku": li.get("sku"),
                "quantity": li.get("quantity"),
                "requires_shipping": li.get("requiresShipping"),
            }
            for li in _nodes(node.get("lineItems"))
        ],
        "fulfillments": [rest_fulfillment(f, order_id, shipping) for f in node.get("fulfillments") or []],
    }


def rest_fulfillment(f: Mapping[str, Any], order_id: str, destination: dict[str, Any] | None) -> dict[str, Any]:
    tracking = list(f.get("trackingInfo") or [])
    numbers = [t.get("number") for t in tracking if t.get("number")]
    urls = [t.get("url") for t in tracking if t.get("url")]
    display = f.get("displayStatus")
    return {
        "id": f["legacyResourceId"],
        "order_id": order_id,
        "name": f.get("name"),
        "status": _lower(f.get("status")),
        "shipment_status": _lower(display) if display in SHIPMENT_STATUSES else None,
        "created_at": f.get("createdAt"),
        "updated_at": f.get("updatedAt"),
        "tracking_company": next((t.get("company") for t in tracking if t.get("company")), None),
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": numbers,
        "tracking_url": urls[0] if urls else None,
        "tracking_urls": urls,
        "destination": destination,
        "line_items": [
            {
                "id": legacy_id((fli.get("lineItem") or {}).get("id")),
                "name": (fli.get("lineItem") or {}).get("name"),
                "title": (fli.get("lineItem") or {}).get("title"),
                "quantity": fli.get("quantity"),
            }
            for fli in _nodes(f.get("fulfillmentLineItems"))
        ],
    }
