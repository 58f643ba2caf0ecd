"""The demo's store: Shopify webhooks built from Shopify's own sample payloads (web/demo_samples/, copied
from the vendor samples in tests/fixtures/shopify/) with demo customers, carriers and tracking numbers
filled in, signed with the app secret and POSTed to the real endpoint, as Shopify would.

It also shows what a merchant should never have to worry about: a delivery repeated five times, a
fulfillment that arrives before its order, a corrected tracking number, a forged signature and a
broken body.
"""
from __future__ import annotations

import copy
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from connectors.shopify.verify import webhook_signature

log = logging.getLogger(__name__)
SAMPLES = Path(__file__).resolve().parent / "demo_samples"
DEMO_SHOP = "forewarn-demo.myshopify.com"


@dataclass(frozen=True)
class DemoCustomer:
    first: str
    last: str
    email: str
    locale: str
    city: str
    region: str
    country: str
    carrier: str
    tracking: str
    shipment_status: str | None
    #: How the carrier simulator plays this parcel's life (connectors/carriers/simulator.py).
    scenario: str


CUSTOMERS = [
    DemoCustomer("Sam", "Carter", "sam.carter@example.com", "en", "Louisville", "KY", "US", "UPS", "1Z999AA10123456784", None, "on_time"),
    DemoCustomer("Lucía", "Fernández", "lucia@example.es", "es", "Austin", "TX", "US", "FedEx", "794644790132", None, "late"),
    DemoCustomer("Maya", "Johnson", "maya.j@example.com", "en", "Portland", "OR", "US", "USPS", "9400111899223344556677", None, "failed_attempt_then_pickup"),
    DemoCustomer("Jonas", "Becker", "jonas.becker@example.de", "de", "Berlin", "BE", "DE", "DHL Express", "1234567890", None, "customs_hold"),
    DemoCustomer("Chloé", "Martin", "chloe.martin@example.ca", "fr", "Montréal", "QC", "CA", "Canada Post", "7023210039414604", None, "stuck"),
    DemoCustomer("Amara", "Okafor", "amara@example.co.uk", "en", "Leeds", "", "GB", "Royal Mail", "QF123456785GB", None, "damaged"),
    DemoCustomer("Priya", "Sharma", "priya.sharma@example.in", "hi", "Pune", "MH", "IN", "Delhivery", "1234567890123", None, "on_time"),
    DemoCustomer("Tomás", "Silva", "tomas@example.pt", "pt", "Porto", "", "PT", "DPD", "05212345678901", None, "returned"),
]
#: The demo's parcels and how the simulator plays them: the corrected DHL number, and Maya's second parcel.
SCENARIOS: dict[str, str] = {c.tracking: c.scenario for c in CUSTOMERS}
SCENARIOS.update({"1234567891": "customs_hold", "9400111899223344550000": "lost"})


@dataclass(frozen=True)
class Webhook:
    topic: str
    body: dict[str, Any] | bytes
    note: str = ""
    webhook_id: str | None = None
    forged: bool = False


def _load(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


def _stamp(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def demo_order(index: int, c: DemoCustomer, now: datetime) -> dict[str, Any]:
    order = copy.deepcopy(_load("orders_create.json"))
    placed = now - timedelta(days=6 - index % 5, hours=index)
    number = 1001 + index
    order.update(
        id=5_000_000_000 + index,
        admin_graphql_api_id=f"gid://shopify/Order/{5_000_000_000 + index}",
        name=f"#{number}",
        order_number=number,
        number=number - 1000,
        email=c.email,
        contact_email=c.email,
        customer_locale=c.locale,
        created_at=_stamp(placed),
        processed_at=_stamp(placed),
        updated_at=_stamp(placed),
        cancelled_at=None,
        cancel_reason=None,
        financial_status="paid",
        fulfillment_status=None,
        order_status_url=f"https://{DEMO_SHOP}/orders/demo{number}/authenticate",
    )
    order["customer"].update(id=7_000_000 + index, first_name=c.first, last_name=c.last, email=c.email)
    for key in ("shipping_address", "billing_address"):
        order[key].update(
            first_name=c.first, last_name=c.last, name=f"{c.first} {c.last}", city=c.city,
            province_code=c.region or None, province=c.region or None, country_code=c.country, company=None,
        )
    # Each demo order buys two or three of the sample's products.
    order["line_items"] = order["line_items"][index % 3 : index % 3 + 2 + index % 2]
    return order


def demo_fulfillment(order: dict[str, Any], c: DemoCustomer, suffix: int, items: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    f = copy.deepcopy(_load("fulfillments_create.json"))
    fid = order["id"] * 10 + suffix
    f.update(
        id=fid,
        admin_graphql_api_id=f"gid://shopify/Fulfillment/{fid}",
        order_id=order["id"],
        name=f"{order['name']}.{suffix}",
        status="success",
        email=c.email,
        tracking_company=c.carrier,
        tracking_number=c.tracking,
        tracking_numbers=[c.tracking],
        tracking_url=None,
        tracking_urls=[],
        shipment_status=c.shipment_status,
        created_at=_stamp(now - timedelta(days=2)),
        updated_at=_stamp(now - timedelta(hours=3)),
        line_items=[copy.deepcopy(li) for li in items],
    )
    f["destination"].update(order["shipping_address"])
    return f


def script(now: datetime) -> list[Webhook]:
    """The demo's deliveries, in the order they are sent."""
    hooks: list[Webhook] = []
    orders = [demo_order(i, c, now) for i, c in enumerate(CUSTOMERS)]
    for i, (order, c) in enumerate(zip(orders, CUSTOMERS)):
        first = demo_fulfillment(order, c, 1, order["line_items"][:1] if i == 2 else order["line_items"], now)
        if i == 1:  # a fulfillment that overtakes its order
            hooks.append(Webhook("fulfillments/create", first, "fulfillment before its order"))
            hooks.append(Webhook("orders/create", order))
            continue
        hooks.append(Webhook("orders/create", order))
        if i == 6:  # paid, not shipped yet
            continue
        hooks.append(Webhook("fulfillments/create", first))
        if i == 2:  # a partial shipment: the rest follows separately
            rest = demo_fulfillment(order, c, 2, order["line_items"][1:], now)
            rest.update(tracking_number="9400111899223344550000", tracking_numbers=["9400111899223344550000"], shipment_status="in_transit")
            hooks.append(Webhook("fulfillments/create", rest, "second parcel of a partial order"))
        if i == 0:  # Shopify retrying the same delivery: one order, one shipment
            repeat = str(uuid.uuid5(uuid.NAMESPACE_URL, "forewarn-demo-repeat"))
            hooks += [Webhook("orders/create", order, "same delivery again", webhook_id=repeat) for _ in range(5)]
        if i == 3:  # the merchant corrects a tracking number
            fixed = copy.deepcopy(first)
            fixed.update(tracking_number="1234567891", tracking_numbers=["1234567891"], updated_at=_stamp(now - timedelta(hours=1)))
            hooks.append(Webhook("fulfillments/update", fixed, "tracking number corrected"))
    hooks.append(Webhook("customers/data_request", {
        "shop_id": 548380009, "shop_domain": DEMO_SHOP, "orders_requested": [orders[0]["id"]],
        "customer": {"id": orders[0]["customer"]["id"], "email": CUSTOMERS[0].email, "phone": None},
        "data_request": {"id": 9999},
    }, "a customer asks for their data: export recorded"))
    hooks.append(Webhook("customers/redact", {
        "shop_id": 548380009, "shop_domain": DEMO_SHOP, "orders_to_redact": [orders[7]["id"]],
        "customer": {"id": orders[7]["customer"]["id"], "email": CUSTOMERS[7].email, "phone": None},
    }, "a customer asks to be forgotten: personal data removed"))
    cancelled = _load("orders_create.json")  # Shopify's sample itself: a cancelled order
    hooks.append(Webhook("orders/cancelled", cancelled, "Shopify's own sample order, cancelled"))
    hooks.append(Webhook("orders/create", b'{"id": 42, "line_items": [', "a broken body: recorded and answered 400"))
    hooks.append(Webhook("orders/create", orders[0], "a forged signature: refused with 401, nothing stored", forged=True))
    return hooks


def deliveries(hooks: list[Webhook], secret: str, shop: str = DEMO_SHOP) -> Iterator[tuple[Webhook, bytes, dict[str, str]]]:
    for hook in hooks:
        body = hook.body if isinstance(hook.body, bytes) else json.dumps(hook.body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": hook.topic,
            "X-Shopify-Hmac-Sha256": webhook_signature("forged" if hook.forged else secret, body),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": hook.webhook_id or str(uuid.uuid4()),
            "X-Shopify-Triggered-At": _stamp(datetime.now(timezone.utc)),
        }
        yield hook, body, headers


def feed(base_url: str, secret: str, pause: float = 0.4, say: Callable[[str], None] = print) -> None:
    """POST the demo script to a running Forewarn, pausing between deliveries so it can be watched."""
    for hook, body, headers in deliveries(script(datetime.now(timezone.utc)), secret):
        try:
            response = requests.post(f"{base_url}/webhooks/shopify", data=body, headers=headers, timeout=10)
            outcome = f"{response.status_code} {response.json().get('result') or response.json().get('error')}"
        except (requests.RequestException, ValueError) as exc:
            outcome = f"failed: {exc}"
        say(f"  webhook {hook.topic:<20} → {outcome}{'  (' + hook.note + ')' if hook.note else ''}")
        time.sleep(pause)


def demo_photo(width: int = 64, height: int = 48) -> bytes:
    """A small PNG of a dented brown box, made here (the demo ships no customer's photo)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            dent = abs((x - width // 2) - (y - height // 2)) < 3 and 10 < x < width - 10
            edge = x in (4, width - 5) or y in (4, height - 5)
            row += bytes((92, 60, 32) if dent or edge else (181, 134, 84))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def customer_report(link: str, kind: str, details: str, photo: bytes | None = None) -> str:
    """A customer following the report link from their message, as a browser would: the page, then the form."""
    try:
        requests.get(link, timeout=10).raise_for_status()
        files = {"photos": ("parcel.png", photo, "image/png")} if photo else None
        response = requests.post(link, data={"kind": kind, "details": details}, files=files, timeout=10, allow_redirects=False)
        return f"{response.status_code} {'report taken' if response.status_code == 303 else response.reason}"
    except requests.RequestException as exc:
        return f"failed: {exc}"
