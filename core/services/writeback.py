"""Planning what to tell the platform when a parcel's state changes (sending is a job's work).

Only changes the platform did not itself report are written back (Shopify knows what it told us), only
for shops that turned write-back on, and each planned item has a unique key, so that the same event for
the same parcel is recorded, and therefore posted, once.
"""
from __future__ import annotations

import logging
from datetime import datetime

from core.domain import events
from core.domain.model import WriteBack
from core.domain.status import ShipmentStatus, Substatus
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: Statuses worth a fulfillment event on the platform's order timeline.
EVENT_STATUSES = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.ATTEMPT_FAILED,
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.EXCEPTION,
    }
)

#: Order tags that let the merchant filter problem orders in their own admin.
PROBLEM_TAGS: dict[str, str] = {
    Substatus.DELAYED: "forewarn:late",
    ShipmentStatus.ATTEMPT_FAILED: "forewarn:delivery-failed",
    ShipmentStatus.AVAILABLE_FOR_PICKUP: "forewarn:pickup-waiting",
    ShipmentStatus.EXCEPTION: "forewarn:exception",
    ShipmentStatus.RETURNING: "forewarn:returning",
}


def planned_items(event: events.ShipmentStatusChanged) -> list[tuple[str, str, dict]]:
    """(kind, key, payload) for each thing to write back about this change (pure)."""
    items: list[tuple[str, str, dict]] = []
    happened = event.happened_at.isoformat() if event.happened_at else None
    if event.status in EVENT_STATUSES or event.substatus == Substatus.DELAYED:
        key = f"fulfillment_event:{event.shipment_id}:{event.status}:{event.substatus or ''}"
        items.append(
            ("fulfillment_event", key, {"status": event.status, "substatus": event.substatus, "happened_at": happened})
        )
    tag = PROBLEM_TAGS.get(event.substatus or "") or PROBLEM_TAGS.get(event.status)
    if tag:
        items.append(("order_tag", f"order_tag:{event.order_id}:{tag}", {"tag": tag}))
    return items


#: What each platform can be told: Shopify shows fulfillment events and order tags; WooCommerce has private
#: order notes; Wix, activities on the order.
KINDS_BY_PLATFORM = {"shopify": frozenset({"fulfillment_event", "order_tag"}), "woocommerce": frozenset({"order_note"}),
                     "wix": frozenset({"order_note"})}  # on Wix: an activity on the order's timeline
STATUS_WORDS = {
    ShipmentStatus.IN_TRANSIT: "is in transit", ShipmentStatus.OUT_FOR_DELIVERY: "is out for delivery",
    ShipmentStatus.DELIVERED: "was delivered", ShipmentStatus.ATTEMPT_FAILED: "could not be delivered (attempt failed)",
    ShipmentStatus.AVAILABLE_FOR_PICKUP: "is waiting at a pickup point", ShipmentStatus.EXCEPTION: "has a delivery exception",
}


def note_items(event: events.ShipmentStatusChanged, carrier: str, number: str) -> list[tuple[str, str, dict]]:
    """An order note for a parcel's change worth the merchant's eye (pure)."""
    if event.status not in EVENT_STATUSES and event.substatus != Substatus.DELAYED:
        return []
    words = "is running late" if event.substatus == Substatus.DELAYED else STATUS_WORDS.get(event.status, event.status)
    note = f"Forewarn: the {carrier} parcel {number} {words}."
    return [("order_note", f"order_note:{event.shipment_id}:{event.status}:{event.substatus or ''}", {"note": note})]


def plan_write_backs(event: events.ShipmentStatusChanged, uow: UnitOfWork, now: datetime) -> None:
    if event.source == "platform":
        return
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is None or not shop.write_back or not shop.active:
        return
    kinds = KINDS_BY_PLATFORM.get(shop.platform, frozenset())
    items = planned_items(event)
    if "order_note" in kinds:
        shipment = uow.repo.shipment_by_id(event.shipment_id)
        carrier = (shipment.carrier_raw or shipment.carrier or "carrier") if shipment else "carrier"
        items += note_items(event, carrier, shipment.tracking_number if shipment else "")
    _plan(uow, shop, event.order_id, event.shipment_id, [i for i in items if i[0] in kinds], now)


def plan_incident_note(event: events.IncidentOpened, uow: UnitOfWork, now: datetime) -> None:
    """Where the platform takes order notes, Forewarn's finding goes on the order itself."""
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is None or not shop.write_back or not shop.active or "order_note" not in KINDS_BY_PLATFORM.get(shop.platform, ()):
        return
    note = f"Forewarn found a problem — {event.kind.replace('_', ' ')}: {event.reason}"
    _plan(uow, shop, event.order_id, event.shipment_id,
          [("order_note", f"order_note:incident:{event.incident_id}", {"note": note})], now)


def _plan(uow: UnitOfWork, shop, order_id: int, shipment_id: int | None, items: list[tuple[str, str, dict]],  # type: ignore[no-untyped-def]
          now: datetime) -> None:
    for kind, key, payload in items:
        if uow.repo.write_back_by_key(shop.id, key) is not None:
            continue
        item = WriteBack(
            shop_id=shop.id,
            order_id=order_id,
            shipment_id=shipment_id if kind == "fulfillment_event" else None,
            kind=kind,
            key=key,
            payload=payload,
            created_at=now,
        )
        uow.repo.add(item)
        uow.repo.flush()
        uow.collect(events.WriteBackPlanned(write_back_id=item.id))
        log.info("planned %s for shop %s", key, shop.id)
