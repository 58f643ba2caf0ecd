"""Learned lane baselines: from a shop's own delivered parcels, per carrier × service level × destination
region, the p50/p90 transit time and the p90 gap between scans, in business days. The rules adapt a lane's
`stuck` threshold (and, without a carrier estimate, its `late` point) once it has enough samples."""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from core.domain.calendar import calendar_for
from core.domain.model import LaneBaseline, Order, Shipment, TrackingEvent
from core.domain.policy import service_level
from core.domain.rules import LaneStats
from core.domain.status import ShipmentStatus
from core.services.unit_of_work import UnitOfWork

WINDOW = timedelta(days=180)


def lane_key(carrier: str | None, service: str | None, country: str | None, region: str | None) -> str:
    return f"{carrier or '?'}|{service_level(carrier, service)}|{(country or '?').upper()}-{(region or '*').upper()}"


def p(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def compute(uow: UnitOfWork, shop_id: int, now: datetime) -> list[LaneBaseline]:
    rows = uow.session.execute(
        select(Shipment, Order)
        .join(Order, Order.id == Shipment.order_id)
        .where(Shipment.shop_id == shop_id, Shipment.status == ShipmentStatus.DELIVERED,
               Shipment.delivered_at > now - WINDOW, Shipment.superseded.is_(False))
    ).all()
    transit: dict[str, list[float]] = defaultdict(list)
    gaps: dict[str, list[float]] = defaultdict(list)
    for shipment, order in rows:
        address = shipment.destination or order.shipping_address
        country = address.country_code if address else None
        key = lane_key(shipment.carrier, shipment.service, country, address.region if address else None)
        calendar = calendar_for(country)
        start = shipment.shipped_at or shipment.created_at
        if start and shipment.delivered_at and shipment.delivered_at > start:
            transit[key].append(calendar.business_days_between(start, shipment.delivered_at))
        times = list(uow.session.scalars(
            select(TrackingEvent.occurred_at).where(TrackingEvent.shipment_id == shipment.id).order_by(TrackingEvent.occurred_at)
        ))
        gaps[key] += [calendar.business_days_between(a, b) for a, b in zip(times, times[1:])]
    uow.session.execute(delete(LaneBaseline).where(LaneBaseline.shop_id == shop_id))
    baselines = []
    for key, values in transit.items():
        baseline = LaneBaseline(shop_id=shop_id, lane=key, samples=len(values), transit_p50=round(p(values, 50), 3),
                                transit_p90=round(p(values, 90), 3), gap_p90=round(p(gaps[key], 90), 3) if gaps[key] else 0.0,
                                computed_at=now)
        uow.repo.add(baseline)
        baselines.append(baseline)
    return baselines


def lanes_for(uow: UnitOfWork, shop_id: int) -> dict[str, LaneStats]:
    return {
        b.lane: LaneStats(b.lane, b.samples, float(b.transit_p50), float(b.transit_p90), float(b.gap_p90))
        for b in uow.session.scalars(select(LaneBaseline).where(LaneBaseline.shop_id == shop_id))
    }
