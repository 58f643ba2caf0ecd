"""Detection: an order's facts through the pure rules, and incidents opened, refreshed or cleared.

An incident opens once per parcel (or order) and kind. It clears itself only when the parcel has moved
since it opened (a new scan), reached an end (delivered, returned, cancelled), or, for order-level kinds,
when the problem is gone — so a threshold crossed back and forth cannot make it flap.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from core.domain import events, rules
from core.domain.calendar import calendar_for
from core.domain.model import Incident, Order, Shipment, TrackingEvent
from core.domain.policy import Policy
from core.domain.status import ShipmentStatus
from core.services import baselines
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
#: A changed estimate clears `late` only when the new date is comfortably ahead.
LATE_CLEAR_MARGIN = timedelta(hours=2)
ENDS = {ShipmentStatus.DELIVERED: "delivered", ShipmentStatus.RETURNED: "returned to the sender",
        ShipmentStatus.CANCELLED: "cancelled"}


def parcel_facts(shipment: Shipment, last: TrackingEvent | None, policy: Policy, destination: str | None,
                 lane: rules.LaneStats | None = None) -> rules.ParcelFacts:
    international = bool(policy.origin_country and destination and destination.upper() != policy.origin_country.upper())
    return rules.ParcelFacts(
        shipment_id=shipment.id,
        carrier=shipment.carrier,
        service=shipment.service,
        international=international or shipment.substatus == "customs_hold",
        status=shipment.status,
        substatus=shipment.substatus,
        shipped_at=shipment.shipped_at or shipment.created_at,
        last_event_at=shipment.last_event_at,
        last_event=last.description if last else None,
        last_place=last.location if last else None,
        estimated_delivery_at=shipment.estimated_delivery_at,
        running_late=shipment.running_late,
        carrier_tracked=shipment.carrier_tracked,
        status_since=shipment.status_since,
        in_customs=shipment.substatus == "customs_hold",
        lane=lane,
    )


def order_facts(order: Order, shipments: list[Shipment]) -> rules.OrderFacts:
    live = [s for s in shipments if not s.superseded and s.status != ShipmentStatus.CANCELLED]
    shipped: dict[str, int] = {}
    by_fulfillment: dict[str, Shipment] = {}
    for s in live:
        by_fulfillment.setdefault(s.platform_fulfillment_id, s)  # a fulfillment's items once, however many parcels
    for s in by_fulfillment.values():
        for item in s.items:
            shipped[item.platform_line_item_id] = shipped.get(item.platform_line_item_id, 0) + item.quantity
    if any(not s.items and s.tracking_number for s in by_fulfillment.values()):
        # a parcel whose platform did not say what it holds (Wix's legacy fulfillment events): the order is
        # taken as shipped, rather than judged unfulfilled with a parcel on its way
        for li in order.line_items:
            if li.requires_shipping:
                shipped[li.platform_line_item_id] = max(shipped.get(li.platform_line_item_id, 0), li.quantity)
    times = [s.shipped_at or s.created_at for s in live if (s.shipped_at or s.created_at)]
    return rules.OrderFacts(
        order_id=order.id,
        placed_at=order.placed_at,
        # an order known only through a fulfillment has no payment state: no order-level rule applies yet
        paid=not order.placeholder and (order.financial_status or "") in ("paid", "partially_refunded", "authorized"),
        cancelled=order.status == "cancelled",
        needs_shipping={li.platform_line_item_id: li.quantity for li in order.line_items if li.requires_shipping},
        shipped=shipped,
        first_shipped_at=min(times) if times else None,
        titles={li.platform_line_item_id: li.title for li in order.line_items},
        known_since=order.created_at,
    )


def findings_for(uow: UnitOfWork, order: Order, policy: Policy, now: datetime) -> tuple[list[rules.Finding], list[Shipment]]:
    shipments = [s for s in uow.repo.shipments_of_order(order.id) if s.tracking_number or not s.superseded]
    destination = order.shipping_address.country_code if order.shipping_address else None
    calendar = calendar_for(destination, policy.closed_days)
    lanes = baselines.lanes_for(uow, order.shop_id)
    parcels = []
    for s in shipments:
        if s.superseded:
            continue
        last = uow.session.scalars(
            select(TrackingEvent).where(TrackingEvent.shipment_id == s.id).order_by(TrackingEvent.occurred_at.desc()).limit(1)
        ).first()
        address = s.destination or order.shipping_address
        lane = lanes.get(baselines.lane_key(s.carrier, s.service, address.country_code if address else None,
                                            address.region if address else None)) if lanes else None
        parcels.append(parcel_facts(s, last, policy, (s.destination.country_code if s.destination else None) or destination, lane))
    facts = order_facts(order, shipments)
    return rules.evaluate(facts, parcels, policy, now, calendar), shipments


def clear_reason(incident: Incident, shipment: Shipment | None, found_keys: set, now: datetime) -> str | None:
    """Why an incident no longer found may be cleared — or None to keep it (hysteresis)."""
    if incident.shipment_id is None:
        return "the order has shipped what it needed" if (None, incident.kind) not in found_keys else None
    if shipment is None or shipment.superseded:
        return "the parcel was replaced by another tracking number"
    if shipment.status in ENDS:
        return f"the parcel was {ENDS[shipment.status]}"
    if shipment.last_event_at is not None and shipment.last_event_at > incident.opened_at:
        return "the parcel moved again"
    if incident.kind == "late" and shipment.estimated_delivery_at and shipment.estimated_delivery_at > now + LATE_CLEAR_MARGIN:
        return f"the carrier now expects it by {shipment.estimated_delivery_at:%a %d %b}"
    return None


def evaluate_order(event: events.OrderNeedsEvaluation, uow: UnitOfWork, now: datetime) -> None:
    order = uow.repo.order_by_id(event.order_id)
    if order is None:
        return
    shop = uow.repo.shop_by_id(order.shop_id)
    if shop is None or not shop.active:
        return
    policy = Policy.from_dict(shop.policy)
    found, shipments = findings_for(uow, order, policy, now)
    found_keys = {f.key for f in found}
    open_now = {(i.shipment_id, i.kind): i for i in uow.repo.open_incidents(order.id)}
    for finding in found:
        incident = open_now.get(finding.key)
        if incident is not None:  # still true: the reason's numbers move on
            incident.reason, incident.evidence, incident.updated_at = finding.reason, finding.evidence, now
            continue
        incident = Incident(shop_id=order.shop_id, order_id=order.id, shipment_id=finding.shipment_id, kind=finding.kind,
                            reason=finding.reason, evidence=finding.evidence, opened_at=now, updated_at=now)
        uow.repo.add(incident)
        uow.repo.flush()
        open_now[finding.key] = incident
        uow.collect(events.IncidentOpened(incident.id, order.shop_id, order.id, finding.shipment_id, finding.kind, finding.reason))
        log.info("incident %s opened for order %s: %s", finding.kind, order.id, finding.reason)
    by_id = {s.id: s for s in shipments}
    for key, incident in open_now.items():
        if key in found_keys:
            continue
        why = clear_reason(incident, by_id.get(incident.shipment_id) if incident.shipment_id else None, found_keys, now)
        if why is None:
            continue
        incident.status, incident.cleared_at, incident.clear_reason, incident.updated_at = "cleared", now, why, now
        uow.collect(events.IncidentCleared(incident.id, order.shop_id, order.id, incident.shipment_id, incident.kind, why))
        log.info("incident %s cleared for order %s: %s", incident.kind, order.id, why)


def evaluate_after_order(event: events.OrderRecorded, uow: UnitOfWork, now: datetime) -> None:
    uow.collect(events.OrderNeedsEvaluation(event.order_id))


def evaluate_after_shipment(event: events.ShipmentRecorded, uow: UnitOfWork, now: datetime) -> None:
    uow.collect(events.OrderNeedsEvaluation(event.order_id))


def evaluate_after_tracking(event: events.TrackingObserved, uow: UnitOfWork, now: datetime) -> None:
    shipment = uow.repo.shipment_by_id(event.shipment_id)
    if shipment is not None:
        uow.collect(events.OrderNeedsEvaluation(shipment.order_id))


def cluster_shop(uow: UnitOfWork, shop_id: int, now: datetime) -> list[events.Event]:
    """Group the shop's open stuck / running-late incidents by carrier and place; open, grow or close clusters."""
    from core.domain.clustering import Candidate, group
    from core.domain.model import IncidentCluster

    open_incidents = list(uow.session.scalars(
        select(Incident).where(Incident.shop_id == shop_id, Incident.status == "open", Incident.kind.in_(["stuck", "running_late"]))
    ))
    carriers = {s.id: s.carrier for s in uow.session.scalars(
        select(Shipment).where(Shipment.id.in_([i.shipment_id for i in open_incidents if i.shipment_id]))
    )}
    candidates = []
    for incident in open_incidents:
        place, since = incident.evidence.get("last_place"), incident.evidence.get("last_scan_at")
        if place and since and incident.shipment_id in carriers:
            candidates.append(Candidate(incident.id, carriers[incident.shipment_id] or "?", incident.kind, place,
                                        datetime.fromisoformat(since)))
    found = {g.key: g for g in group(candidates)}
    existing = {(c.carrier, c.kind, c.place): c for c in uow.session.scalars(
        select(IncidentCluster).where(IncidentCluster.shop_id == shop_id, IncidentCluster.status == "open")
    )}
    emitted: list[events.Event] = []
    by_id = {i.id: i for i in open_incidents}
    for incident in open_incidents:
        incident.cluster_id = None
    for key, g in found.items():
        cluster = existing.get(key)
        destination = calendar_for(None)
        summary = g.summary(destination.local(g.since))
        if cluster is None:
            cluster = IncidentCluster(shop_id=shop_id, carrier=g.carrier, kind=g.kind, place=g.place, size=len(g.members),
                                      summary=summary, first_seen_at=g.since, opened_at=now, updated_at=now)
            uow.repo.add(cluster)
            uow.repo.flush()
            emitted.append(events.ClusterOpened(cluster.id, shop_id, g.carrier, g.kind, g.place, len(g.members), summary))
        cluster.size, cluster.summary, cluster.updated_at = len(g.members), summary, now
        for incident_id in g.members:
            by_id[incident_id].cluster_id = cluster.id
    for key, cluster in existing.items():
        if key not in found:
            cluster.status, cluster.closed_at, cluster.updated_at = "closed", now, now
    return emitted
