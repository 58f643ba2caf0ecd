"""WooCommerce webhook payloads → core DTOs and events (pure).

Payload: the REST v3 order (https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties), validated
by schemas.py. Its `*_gmt` dates are UTC without an offset and arrive here aware. WooCommerce itself has no
fulfillments: the tracking numbers live in order meta written by shipment-tracking plugins (see `fulfillments`).
"""
from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from core.domain import events
from core.domain.carriers import carrier_code
from core.domain.values import Address, LineItem, ShipmentItem
from core.ports import CustomerData, FulfillmentData, OrderData

PLATFORM = "woocommerce"

ORDER_TOPICS = {
    "order.created": events.OrderPlaced,
    "order.updated": events.OrderUpdated,
    "order.restored": events.OrderUpdated,  # back from the trash
}
DELETED_TOPIC = "order.deleted"  # also sent when an order is moved to the trash

#: Order statuses after which the order is no longer going to ship. `trash` is what a trashed order reports
#: if it is read before its `order.deleted` arrives.
CLOSED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
#: Paid without `date_paid_gmt` (cash on delivery sets it only on completion). The last four are Advanced
#: Shipment Tracking's statuses (zorem/woo-advanced-shipment-tracking, class-…-settings.php; `shipped` is Pro's).
PAID_STATUSES = frozenset({"processing", "completed", "shipped", "delivered", "updated-tracking", "partial-shipped"})
FULFILLED_STATUSES = frozenset({"completed", "shipped", "delivered", "updated-tracking"})

#: Order meta naming the customer's language, by plugin, each confirmed in that plugin's source:
#: WPML's WooCommerce Multilingual (`WCML_Orders::KEY_LANGUAGE`, a WPML code such as "fr" or "pt-br") and
#: TranslatePress (`TRP_Woocommerce_Emails::save_language_on_checkout`, a WordPress locale such as "fr_FR").
LANGUAGE_META_KEYS = ("wpml_language", "trp_language")

#: WooCommerce Shipment Tracking's order meta, also read and written by Advanced Shipment Tracking.
TRACKING_META_KEY = "_wc_shipment_tracking_items"
#: Shipment Tracking before it kept a list: one parcel per order, in flat meta.
FLAT_TRACKING_KEYS = ("_tracking_number", "_tracking_provider", "_custom_tracking_provider", "_custom_tracking_link",
                      "_date_shipped")


def meta(order: Mapping[str, Any], key: str) -> Any:
    """The value of an order meta key, the first if it repeats (as `$order->get_meta($key, true)`); None when
    absent. Also used on raw bodies (dedupe_key), hence the care with shapes."""
    entries = order.get("meta_data")
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and entry.get("key") == key:
            return entry.get("value")
    return None


def text(value: Any) -> str | None:
    """A trimmed string, or None for WooCommerce's many empty strings."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def address(data: Mapping[str, Any] | None) -> Address | None:
    """A shipping address. A virtual order's shipping block is all empty strings: that is no address."""
    data = data or {}
    country, city, postcode = text(data.get("country")), text(data.get("city")), text(data.get("postcode"))
    if not (country or city or postcode):
        return None
    name = " ".join(p for p in (text(data.get("first_name")), text(data.get("last_name"))) if p) or None
    return Address(
        name=name,
        city=city,
        region=text(data.get("state")),
        postal_code=postcode,
        country_code=country.upper() if country else None,
    )


def locale(order: Mapping[str, Any]) -> str | None:
    """WooCommerce orders carry no language; the multilingual plugins that record one are read here."""
    for key in LANGUAGE_META_KEYS:
        if found := text(meta(order, key)):
            return found
    return text(order.get("lang"))  # Polylang for WooCommerce (false when the order has no language)


def customer(order: Mapping[str, Any]) -> CustomerData:
    billing, shipping = order.get("billing") or {}, order.get("shipping") or {}
    customer_id = order.get("customer_id")
    return CustomerData(
        platform_customer_id=str(customer_id) if customer_id else None,  # 0 is a guest
        first_name=text(billing.get("first_name")) or text(shipping.get("first_name")),
        last_name=text(billing.get("last_name")) or text(shipping.get("last_name")),
        email=text(billing.get("email")),
        phone=text(billing.get("phone")) or text(shipping.get("phone")),
        locale=locale(order),
    )


def line_title(item: Mapping[str, Any]) -> str:
    # Names are stored as entered, entities included ("Ship Your Idea &ndash; Color: Black" in WooCommerce's
    # own sample order); customers should read a dash.
    return html.unescape(text(item.get("name")) or "") or f"item {item['id']}"


def ships(order: Mapping[str, Any]) -> bool:
    """An order without a shipping line (virtual or downloadable goods) has nothing to ship. WooCommerce says
    nothing per item, so the order decides for all of its items."""
    return bool(order.get("shipping_lines"))


def line_items(order: Mapping[str, Any]) -> tuple[LineItem, ...]:
    shippable = ships(order)
    return tuple(
        LineItem(
            platform_line_item_id=li["id"],
            title=line_title(li),
            quantity=li["quantity"],
            sku=text(li.get("sku")),
            requires_shipping=shippable,
        )
        for li in order.get("line_items", ())
    )


def financial_status(order: Mapping[str, Any]) -> str:
    status = order["status"]
    if status == "refunded":
        return "refunded"
    if order.get("date_paid_gmt") is not None or status in PAID_STATUSES:
        return "partially_refunded" if order.get("refunds") else "paid"
    return "pending"


def fulfillment_status(order: Mapping[str, Any]) -> str | None:
    status = order["status"]
    if status in FULFILLED_STATUSES:
        return "fulfilled"
    return "partial" if status == "partial-shipped" else None


def order_name(order: Mapping[str, Any]) -> str:
    return f"#{text(order.get('number')) or order['id']}"


def order_data(order: Mapping[str, Any]) -> OrderData:
    status = order["status"]
    closed = status in CLOSED_STATUSES
    return OrderData(
        platform_order_id=order["id"],
        name=order_name(order),
        number=text(order.get("number")),
        updated_at=order["date_modified_gmt"],
        placed_at=order.get("date_created_gmt"),
        customer=customer(order),
        shipping_address=address(order.get("shipping")),
        line_items=line_items(order),
        currency=text(order.get("currency")),
        total_price=order.get("total"),
        financial_status=financial_status(order),
        fulfillment_status=fulfillment_status(order),
        # WooCommerce keeps no cancellation time: the change that made it so is the last modification.
        cancelled_at=order["date_modified_gmt"] if closed else None,
        cancel_reason=status if closed else None,
    )


# -- tracking ------------------------------------------------------------------------------------------------


def tracking_items(order: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The order's tracking items: WooCommerce Shipment Tracking's `_wc_shipment_tracking_items` list
    (https://woocommerce.com/document/shipment-tracking/), which Advanced Shipment Tracking writes too
    (`add_tracking_item`/`save_tracking_items`), else the flat meta of Shipment Tracking's first versions."""
    listed = meta(order, TRACKING_META_KEY)
    if isinstance(listed, Mapping):  # a PHP array that lost its 0-based keys arrives as a JSON object
        listed = list(listed.values())
    if isinstance(listed, list):
        return [item for item in listed if isinstance(item, Mapping) and text(item.get("tracking_number"))]
    flat = {key.lstrip("_"): meta(order, key) for key in FLAT_TRACKING_KEYS}
    return [flat] if text(flat["tracking_number"]) else []


def shipped_at(value: Any) -> datetime | None:
    """`date_shipped`: a Unix timestamp (an int, or a numeric string once it went through wc_clean), or in some
    versions and imports a date such as "2026-07-10"; midnight UTC for a bare date."""
    value = text(value)
    if value is None:
        return None
    if value.isdigit():
        try:
            return datetime.fromtimestamp(int(value), tz=timezone.utc) if int(value) > 0 else None
        except (OverflowError, OSError, ValueError):
            return None
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%d-%m-%Y")):  # AST's own date format
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    return None


def tracking_url(item: Mapping[str, Any], number: str, order: Mapping[str, Any]) -> str | None:
    """The item's own link, if it has one: a custom provider's `custom_tracking_link` with Shipment Tracking's
    placeholders (`%1$s` number, `%2$s` postcode, `%3$s` country), or a resolved `tracking_link`. A predefined
    provider's link is not stored on the item; its carrier code is enough for tracking."""
    shipping, billing = order.get("shipping") or {}, order.get("billing") or {}
    link = text(item.get("custom_tracking_link")) or text(item.get("tracking_link"))
    if not link:
        return None
    postcode = text(shipping.get("postcode")) or text(billing.get("postcode")) or ""
    country = text(shipping.get("country")) or text(billing.get("country")) or ""
    for placeholder, value in (("%1$s", number), ("%2$s", postcode), ("%3$s", country)):
        link = link.replace(placeholder, quote(value, safe=""))
    return link if link.lower().startswith(("https://", "http://")) else None


def shippable_items(order: Mapping[str, Any]) -> tuple[ShipmentItem, ...]:
    chosen = [li for li in line_items(order) if li.requires_shipping] or list(line_items(order))
    return tuple(ShipmentItem(li.platform_line_item_id, li.title, li.quantity) for li in chosen)


def listed_items(order: Mapping[str, Any], products: Any) -> tuple[ShipmentItem, ...]:
    """Advanced Shipment Tracking's `products_list`: `[{"product": <variation or product id>, "qty": n}]` for
    the items in this parcel, matched to the order's line items (a product on two lines fills them in order)."""
    if not isinstance(products, (list, Mapping)):
        return ()
    wanted: dict[int, int] = {}
    for entry in products.values() if isinstance(products, Mapping) else products:
        try:
            product, qty = int(entry["product"]), int(entry["qty"])
        except (KeyError, TypeError, ValueError):
            continue
        wanted[product] = wanted.get(product, 0) + qty
    out: list[ShipmentItem] = []
    for li in order.get("line_items", ()):
        # AST names a variation by its own id; a parent product id is accepted too.
        product = next((p for p in (li.get("variation_id"), li.get("product_id")) if p and wanted.get(p)), None)
        take = min(wanted[product], li["quantity"]) if product else 0
        if take > 0:
            wanted[product] -= take
            out.append(ShipmentItem(li["id"], line_title(li), take))
    return tuple(out)


def fulfillment_id(order: Mapping[str, Any], item: Mapping[str, Any], number: str) -> str:
    """The item's `tracking_id` (an md5 the plugins assign once); for items without one, a derivation from the
    order and the number that every state of the order repeats."""
    return text(item.get("tracking_id")) or f"{order['id']}-{number}"


def fulfillments(order: Mapping[str, Any]) -> list[FulfillmentData]:
    """One FulfillmentData per tracking item of the order (cancelled orders included: their parcels may still
    be travelling).

    WooCommerce does not say which items went in which parcel. Advanced Shipment Tracking's `products_list`
    says so when the merchant used it; otherwise each parcel is taken to hold every shippable item, so that
    a second parcel does not look like the rest of a partial shipment and `partial` does not fire wrongly.
    """
    destination = address(order.get("shipping"))
    out: list[FulfillmentData] = []
    for item in tracking_items(order):
        number = text(item.get("tracking_number")) or ""
        provider = text(item.get("tracking_provider")) or text(item.get("custom_tracking_provider"))
        url = tracking_url(item, number, order)
        out.append(
            FulfillmentData(
                platform_fulfillment_id=fulfillment_id(order, item, number),
                platform_order_id=order["id"],
                updated_at=order["date_modified_gmt"],
                created_at=shipped_at(item.get("date_shipped")),
                name=order_name(order),
                tracking_numbers=(number,),
                tracking_urls=(url,) if url else (),
                carrier=carrier_code(provider, url, number),
                carrier_raw=provider,
                items=listed_items(order, item.get("products_list")) or shippable_items(order),
                destination=destination,
            )
        )
    return out


# -- events ------------------------------------------------------------------------------------------------


def to_events(shop_domain: str, topic: str, payload: Mapping[str, Any]) -> list[events.Event]:
    """The core events one (validated) webhook body stands for: the order, then one ShipmentCreated per
    tracking item (the core upserts fulfillments, so a repeated one is an update); [] for other topics."""
    if topic == DELETED_TOPIC:
        return [events.OrderDeleted(PLATFORM, shop_domain, payload["id"])]
    if topic not in ORDER_TOPICS:
        return []
    found: list[events.Event] = [ORDER_TOPICS[topic](PLATFORM, shop_domain, order_data(payload))]
    found += [events.ShipmentCreated(PLATFORM, shop_domain, f) for f in fulfillments(payload)]
    return found


#: The parts of an order whose change Forewarn acts on: two states that differ in any of them are two changes.
STATE_FIELDS = ("status", "billing", "shipping", "line_items", "shipping_lines", "date_paid_gmt", "date_completed_gmt")


def dedupe_key(topic: str, payload: Mapping[str, Any], delivery_id: str | None = None) -> str:
    """The receipt key of one state of an order, the same for every delivery of it (WooCommerce's delivery
    id is new on each one) and for the same state fetched by the health job: `order:{id}:{date_modified_gmt}:
    {digest}`, from the raw (unvalidated) body, whatever the topic (created, updated, restored or fetched).

    The digest covers what Forewarn acts on (STATE_FIELDS and the tracking meta): `date_modified_gmt` has only
    seconds, two saves within one second differ in it, and a plugin that saves only meta may leave it as it
    was. `order.deleted` bodies hold only the id: a deletion is keyed on its delivery (deleting, restoring
    and deleting again are three changes; taking one deletion twice is harmless).
    """
    if topic == DELETED_TOPIC:
        return f"{topic}:{payload['id']}:{delivery_id or ''}"
    state = [payload.get(k) for k in STATE_FIELDS] + [meta(payload, k) for k in (TRACKING_META_KEY, *FLAT_TRACKING_KEYS)]
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return f"order:{payload['id']}:{payload['date_modified_gmt']}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"
