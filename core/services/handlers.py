"""Handlers for inbound platform events: idempotent upserts of shops, orders and shipments.

Each runs inside one unit of work and may be re-run after a crash or a lost race: it reads the
current state, applies only what is newer, and records past-tense events for what changed.
"""
from __future__ import annotations

import logging
from datetime import datetime

from core.domain import events
from core.domain.model import Order, OrderStatus, Shipment, Shop, ShopStatus, is_stale
from core.ports import FulfillmentData
from core.services import cases, compliance, detection, lifecycle, messaging, scheduling, tracking, writeback
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def shop_for(uow: UnitOfWork, platform: str, domain: str, now: datetime) -> Shop | None:
    """The shop a webhook belongs to; None for a shop whose data was deleted on request (nothing may be
    stored for it again until it re-installs). A verified webhook from a shop we have not seen registers it."""
    shop = uow.repo.shop(platform, domain)
    if shop is not None and shop.status == ShopStatus.REDACTED:
        log.info("ignored a webhook for %s: its data was deleted on request", domain)
        return None
    if shop is None:
        shop = Shop(platform=platform, domain=domain, installed_at=now)
        uow.repo.add(shop)
        uow.repo.flush()
        log.info("registered shop %s on %s from its first webhook", domain, platform)
    return shop


def order_name_from_fulfillment(fulfillment: FulfillmentData) -> str:
    """Shopify names fulfillments '#1042.1' after their order '#1042'; until the order arrives that is its name."""
    name = fulfillment.name or ""
    head, dot, tail = name.rpartition(".")
    if dot and head and tail.isdigit():
        return head
    return name or f"order {fulfillment.platform_order_id}"


def record_order(
    event: events.OrderPlaced | events.OrderUpdated | events.OrderCancelled, uow: UnitOfWork, now: datetime
) -> None:
    shop = shop_for(uow, event.platform, event.shop_domain, now)
    if shop is None:
        return
    data = event.order
    order = uow.repo.order(shop.id, data.platform_order_id, lock=True)
    created = order is None
    if order is None:
        order = Order(
            shop_id=shop.id, platform_order_id=data.platform_order_id, name=data.name, created_at=now, updated_at=now
        )
        uow.repo.add(order)
    if order.apply(data, now):
        uow.repo.flush()
        uow.collect(events.OrderRecorded(shop_id=shop.id, order_id=order.id, created=created))
    else:
        log.info("ignored a stale state of order %s (shop %s)", data.platform_order_id, shop.id)


def record_deletion(event: events.OrderDeleted, uow: UnitOfWork, now: datetime) -> None:
    """A deleted order stops being watched like a cancelled one; what Forewarn knew of it stays as it was."""
    shop = shop_for(uow, event.platform, event.shop_domain, now)
    if shop is None:
        return
    order = uow.repo.order(shop.id, event.platform_order_id, lock=True)
    if order is None or order.status == OrderStatus.CANCELLED:
        return
    order.status, order.cancelled_at, order.cancel_reason = OrderStatus.CANCELLED, now, "deleted in the store"
    order.updated_at = now
    uow.collect(events.OrderRecorded(shop_id=shop.id, order_id=order.id, created=False))


def record_fulfillment(
    event: events.ShipmentCreated | events.ShipmentUpdated, uow: UnitOfWork, now: datetime
) -> None:
    shop = shop_for(uow, event.platform, event.shop_domain, now)
    if shop is None:
        return
    data = event.fulfillment
    # The order's lock serializes every change to it and its fulfillments across workers.
    order = uow.repo.order(shop.id, data.platform_order_id, lock=True)
    if order is None:
        order = Order(
            shop_id=shop.id,
            platform_order_id=data.platform_order_id,
            name=order_name_from_fulfillment(data),
            placeholder=True,
            created_at=now,
            updated_at=now,
        )
        uow.repo.add(order)
        uow.repo.flush()

    existing = {s.tracking_number: s for s in uow.repo.shipments_of_fulfillment(shop.id, data.platform_fulfillment_id)}
    numbers = list(dict.fromkeys(n for n in data.tracking_numbers if n)) or [""]
    newest = max((s.source_updated_at for s in existing.values() if s.source_updated_at), default=None)
    if is_stale(data.updated_at, newest):
        # An older state of this fulfillment, overtaken by a newer one: its parcels that the newer state no
        # longer lists are kept as superseded history, exactly as if the two had arrived in order.
        for index, number in enumerate(numbers):
            if number not in existing:
                shipment = _new_shipment(uow, order, data, number, now)
                shipment.apply(data, number, _url(data, index), now, redacted=order.redacted)
                shipment.supersede(newest, now)
        log.info("ignored a stale state of fulfillment %s (shop %s)", data.platform_fulfillment_id, shop.id)
        return

    for index, number in enumerate(numbers):
        shipment = existing.get(number)
        created = shipment is None
        if shipment is None:
            shipment = _new_shipment(uow, order, data, number, now)
        shipment.order_id = order.id
        before = (shipment.status, shipment.substatus)
        shipment.apply(data, number, _url(data, index), now, redacted=order.redacted)
        # An uninstalled shop's parcels are no longer watched (a late webhook must not restart that).
        shipment.next_check_at = scheduling.next_check_at(shipment, now, first=created) if shop.active else None
        uow.repo.flush()
        uow.collect(
            events.ShipmentRecorded(
                shop_id=shop.id,
                order_id=order.id,
                shipment_id=shipment.id,
                tracking_number=number or None,
                carrier=shipment.carrier,
                created=created,
            )
        )
        for change in shipment.status_changed(before, "platform", data.updated_at):
            uow.collect(change)

    for number, shipment in existing.items():
        if number not in numbers and not shipment.superseded:
            shipment.supersede(data.updated_at, now)
            uow.collect(events.ShipmentSuperseded(shop_id=shop.id, shipment_id=shipment.id))


def _url(data: FulfillmentData, index: int) -> str | None:
    return data.tracking_urls[index] if index < len(data.tracking_urls) else None


def _new_shipment(uow: UnitOfWork, order: Order, data: FulfillmentData, number: str, now: datetime) -> Shipment:
    shipment = Shipment(
        shop_id=order.shop_id,
        order_id=order.id,
        platform_fulfillment_id=data.platform_fulfillment_id,
        tracking_number=number,
        created_at=now,
        updated_at=now,
    )
    uow.repo.add(shipment)
    return shipment


HANDLERS: dict[type[events.Event], list] = {
    events.OrderPlaced: [record_order],
    events.OrderUpdated: [record_order],
    events.OrderCancelled: [record_order],
    events.OrderDeleted: [record_deletion],
    events.ShipmentCreated: [record_fulfillment],
    events.ShipmentUpdated: [record_fulfillment],
    events.ShopAuthorized: [lifecycle.authorized],
    events.AppUninstalled: [lifecycle.uninstalled],
    events.CustomerDataRequested: [compliance.export_customer_data],
    events.CustomerRedactRequested: [compliance.redact_customer],
    events.ShopRedactRequested: [compliance.redact_shop],
    events.ShipmentStatusChanged: [writeback.plan_write_backs, messaging.on_status_changed, cases.on_status_changed],
    events.TrackingObserved: [tracking.record_tracking, detection.evaluate_after_tracking],
    events.OrderRecorded: [detection.evaluate_after_order],
    events.ShipmentRecorded: [detection.evaluate_after_shipment, messaging.on_shipment_recorded],
    events.OrderNeedsEvaluation: [detection.evaluate_order],
    events.IncidentOpened: [cases.on_incident_opened, writeback.plan_incident_note, messaging.on_incident_opened],
    events.CaseResolved: [messaging.on_case_resolved],
    events.MessageFinished: [cases.on_message_finished],
    events.IncidentCleared: [cases.on_incident_cleared],
    events.ProblemReported: [cases.on_problem_reported],
    events.TrackingFailed: [tracking.record_tracking_failure],
}
