"""The demo's WooCommerce store, beside the Shopify one: a store simulator speaking WooCommerce's REST API
(connectors/woocommerce/simulator.py) holds its orders, built from WooCommerce's own sample order
(web/demo_samples/woo_order.json, copied from the vendor sample in tests/fixtures/woocommerce/) with demo
customers and Shipment Tracking items; its webhooks are signed with the store's secret and POSTed to the real
endpoint, as WooCommerce would.

What it shows: an order that was there before Forewarn connected arrives by the first sync; new orders and
their tracking arrive by webhook; a redelivery of the same change is taken once; the creation ping is
answered 200; a forged signature is refused; and when WooCommerce has disabled a webhook and a change was
never delivered, the health job switches the webhook back on and fetches the change.
"""
from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from connectors.woocommerce.simulator import WooStoreSimulator
from connectors.woocommerce.verify import webhook_signature

SAMPLE = Path(__file__).resolve().parent / "demo_samples" / "woo_order.json"


@dataclass(frozen=True)
class WooCustomer:
    first: str
    last: str
    email: str
    city: str
    state: str
    country: str
    provider: str  # as the Shipment Tracking extension names the carrier
    tracking: str
    scenario: str  # how the carrier simulator plays the parcel


CUSTOMERS = [
    WooCustomer("Noah", "Williams", "noah.williams@example.com", "Denver", "CO", "US", "UPS", "1Z999AA10123456790", "late"),
    WooCustomer("Emma", "Dubois", "emma.dubois@example.fr", "Lyon", "", "FR", "DHL Express", "2234567890", "on_time"),
    WooCustomer("Liam", "O'Brien", "liam.obrien@example.ie", "Cork", "", "IE", "FedEx", "794644790140", "stuck"),
]
#: The demo's WooCommerce parcels and how the carrier simulator plays them.
SCENARIOS = {c.tracking: c.scenario for c in CUSTOMERS}


def woo_order(index: int, c: WooCustomer, now: datetime, tracked: bool) -> dict[str, Any]:
    order = json.loads(SAMPLE.read_text())
    placed = now - timedelta(days=4 - index, hours=index)
    stamp = lambda at: at.strftime("%Y-%m-%dT%H:%M:%S")  # noqa: E731 — WooCommerce's GMT dates carry no offset
    order.update(id=2001 + index, number=str(2001 + index), order_key=f"wc_order_demo{index}", status="processing",
                 date_created=stamp(placed), date_created_gmt=stamp(placed), date_paid=stamp(placed),
                 date_paid_gmt=stamp(placed), date_modified=stamp(now), date_modified_gmt=stamp(now), customer_id=0)
    for part in ("billing", "shipping"):
        order[part].update(first_name=c.first, last_name=c.last, city=c.city, state=c.state, country=c.country)
    order["billing"].update(email=c.email)
    order["meta_data"] = [m for m in order["meta_data"] if m["key"] != "_wc_shipment_tracking_items"]
    if tracked:
        order["meta_data"].append(tracking_meta(c, placed + timedelta(days=1)))
    return order


def tracking_meta(c: WooCustomer, shipped: datetime) -> dict[str, Any]:
    """The order meta the Shipment Tracking extension (and Advanced Shipment Tracking) saves."""
    return {"id": 9000 + len(c.tracking), "key": "_wc_shipment_tracking_items", "value": [{
        "tracking_provider": c.provider, "custom_tracking_provider": "", "custom_tracking_link": "",
        "tracking_number": c.tracking, "date_shipped": str(int(shipped.timestamp())),
        "tracking_id": uuid.uuid5(uuid.NAMESPACE_URL, c.tracking).hex}]}


def seed(sim: WooStoreSimulator, now: datetime) -> None:
    """Noah's order was placed and shipped before the store connected Forewarn."""
    sim.add_order(woo_order(0, CUSTOMERS[0], now, tracked=True))


def feed(base_url: str, store_url: str, public_id: str, sim: WooStoreSimulator, now: Callable[[], datetime],
         say: Callable[[str], None], run_health: Callable[[], str], pause: float = 0.4) -> None:
    """Emma's order by webhook (created, then its tracking), the ping, a redelivery, a forged signature; then
    Liam's order whose webhooks never arrive (WooCommerce disabled the webhook) — the health job repairs it."""
    import time

    url = f"{base_url}/webhooks/woocommerce/{public_id}"
    hooks = {w["topic"]: w["id"] for w in sim.list_webhooks({"per_page": "100"})[0]}
    secret = sim.webhook_secret(hooks["order.updated"]) or ""

    def post(topic: str, order: dict[str, Any], note: str, *, forged: bool = False, delivery: str | None = None) -> None:
        body = json.dumps(order).encode()
        headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": "order",
                   "X-WC-Webhook-Event": topic.split(".")[1], "X-WC-Webhook-ID": str(hooks.get(topic, 0)),
                   "X-WC-Webhook-Delivery-ID": delivery or uuid.uuid4().hex,
                   "X-WC-Webhook-Signature": webhook_signature("forged" if forged else secret, body),
                   "X-WC-Webhook-Source": store_url + "/"}
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=10)
            outcome = f"{answer.status_code} {(answer.json() or {}).get('result') or (answer.json() or {}).get('error')}"
        except (requests.RequestException, ValueError) as exc:
            outcome = f"failed: {exc}"
        say(f"  woocommerce {topic:<15} → {outcome}{'  (' + note + ')' if note else ''}")
        time.sleep(pause)

    ping = requests.post(url, data=f"webhook_id={hooks['order.created']}", timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    say(f"  woocommerce ping            → {ping.status_code}  (WooCommerce's check when a webhook is created)")
    emma = sim.add_order(woo_order(1, CUSTOMERS[1], now(), tracked=False))
    post("order.created", emma, "Emma's new order")
    shipped = sim.update_order(emma["id"], status="completed", meta_data=[*emma["meta_data"],
                               tracking_meta(CUSTOMERS[1], now())])
    post("order.updated", shipped, "her tracking number is added", delivery="redelivered-1")
    post("order.updated", copy.deepcopy(shipped), "the same change delivered again: taken once")
    post("order.updated", shipped, "a forged signature: refused with 401, nothing stored", forged=True)
    sim.disable_webhook(hooks["order.created"])  # WooCommerce gave up on it after failed deliveries
    sim.disable_webhook(hooks["order.updated"])
    sim.add_order(woo_order(2, CUSTOMERS[2], now(), tracked=True))
    say("  woocommerce (Liam's order and its tracking are never delivered: WooCommerce disabled the webhooks)")
    say(f"  woocommerce health job      → {run_health()}")
