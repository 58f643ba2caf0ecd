"""The demo's Wix site, beside the Shopify and WooCommerce stores: a simulator speaking Wix's APIs
(connectors/wix/simulator.py) holds the site's eCom orders, built from Wix's own documented Order Approved
example (web/demo_samples/wix_order_approved.json, copied from tests/fixtures/wix/) with demo customers;
its events are signed RS256 with the demo app's key pair and POSTed to the real endpoint, as Wix would.

What it shows: the site installs Forewarn by opening its dashboard page (a signed `instance`); an order and
its fulfillment arrive by events; an event Wix resends is taken once; an expired event and one for a site
that never installed Forewarn are refused; an order whose events never arrived is fetched by reconciliation.
"""
from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from connectors.wix.simulator import WixSiteSimulator, domain_event, sign_webhook
from connectors.wix.verify import instance_param

SAMPLE = Path(__file__).resolve().parent / "demo_samples" / "wix_order_approved.json"


@dataclass(frozen=True)
class WixCustomer:
    first: str
    last: str
    email: str
    language: str
    city: str
    country: str
    provider: str
    tracking: str
    scenario: str


CUSTOMERS = [
    WixCustomer("Mia", "Schulz", "mia.schulz@example.de", "de", "Hamburg", "DE", "dhl", "3234567890", "stuck"),
    WixCustomer("Lucas", "Silva", "lucas.silva@example.com", "en", "Miami", "US", "ups", "1Z999AA10123456791", "late"),
]
SCENARIOS = {c.tracking: c.scenario for c in CUSTOMERS}


def wix_order(index: int, c: WixCustomer, now: datetime) -> dict[str, Any]:
    order = json.loads(SAMPLE.read_text())["actionEvent"]["body"]["order"]
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    order.update(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"wix-demo-{index}")), number=str(30001 + index),
                 createdDate=(now - timedelta(days=3 - index)).strftime("%Y-%m-%dT%H:%M:%S.000Z"), updatedDate=stamp,
                 paymentStatus="PAID", buyerLanguage=c.language)
    order["buyerInfo"].update(email=c.email)
    destination = order["shippingInfo"]["logistics"]["shippingDestination"]
    destination["address"].update(city=c.city, country=c.country, subdivision=None, subdivisionFullname=None)
    destination["contactDetails"].update(firstName=c.first, lastName=c.last)
    for part in ("billingInfo", "recipientInfo"):
        if isinstance(order.get(part), dict):
            order[part].get("contactDetails", {}).update(firstName=c.first, lastName=c.last)
    return order


def install_by_dashboard(base_url: str, instance_id: str, app_secret: str) -> int:
    """The site's owner opens Forewarn in their Wix dashboard for the first time."""
    signed = instance_param({"instanceId": instance_id, "signDate": datetime.now(timezone.utc).isoformat(),
                             "uid": "demo-owner", "permissions": "OWNER"}, app_secret)
    return requests.get(f"{base_url}/admin/wix", params={"instance": signed}, timeout=10).status_code


def feed(base_url: str, sim: WixSiteSimulator, instance_id: str, private_key: str, now: Callable[[], datetime],
         say: Callable[[str], None], reconcile: Callable[[], str], pause: float = 0.4) -> None:
    url = f"{base_url}/webhooks/wix"

    def post(event_type: str, event: dict[str, Any], note: str, *, instance: str | None = None,
             signed_at: datetime | None = None) -> None:
        body = sign_webhook(event_type, instance or instance_id, event, private_key, now=signed_at)
        try:
            answer = requests.post(url, data=body, headers={"Content-Type": "text/plain"}, timeout=10)
            result = answer.json() or {}
            outcome = f"{answer.status_code} {result.get('result') or result.get('error')}"
        except (requests.RequestException, ValueError) as exc:
            outcome = f"failed: {exc}"
        say(f"  wix {event_type:<34} → {outcome}{'  (' + note + ')' if note else ''}")
        time.sleep(pause)

    mia = sim.add_order(wix_order(0, CUSTOMERS[0], now()))
    approved = domain_event("wix.ecom.v1.order", "approved", mia["id"], action={"order": mia})
    post("wix.ecom.v1.order_approved", approved, "Mia's order")
    post("wix.ecom.v1.order_approved", copy.deepcopy(approved), "Wix resends the same event: taken once")
    sim.add_fulfillment(mia["id"], CUSTOMERS[0].tracking, CUSTOMERS[0].provider)
    fulfilled = domain_event("wix.ecom.v1.fulfillments", "updated", mia["id"],
                             updated=sim.fulfillments_of(mia["id"])["orderWithFulfillments"])
    post("wix.ecom.v1.fulfillments_updated", fulfilled, "her parcel ships")
    post("wix.ecom.v1.order_updated", domain_event("wix.ecom.v1.order", "updated", mia["id"], updated=mia),
         "an event signed three hours ago: expired, refused", signed_at=datetime.now(timezone.utc) - timedelta(hours=3))
    post("wix.ecom.v1.order_approved", approved, "a site that never installed Forewarn: refused",
         instance=str(uuid.uuid4()))
    lucas = sim.add_order(wix_order(1, CUSTOMERS[1], now()))
    sim.add_fulfillment(lucas["id"], CUSTOMERS[1].tracking, CUSTOMERS[1].provider)
    say("  wix (Lucas's order and its fulfillment: Wix never managed to deliver their events)")
    say(f"  wix reconciliation                     → {reconcile()}")
