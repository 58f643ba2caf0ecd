"""Backtest: what a (draft) policy would have done over a shop's past parcels.

Each parcel's stored scan history is replayed: the rules are evaluated every few hours from shipping until
it ended (or until now), on the facts as they stood then, and the first moment each kind of incident would
have opened is kept. Orders are replayed the same way for `unfulfilled` and `partial`. The report counts
incidents by kind, weekday (destination-local) and carrier, the cases and customer messages that follow
(one case per affected order; one message per customer-facing incident), and a sample of parcels.
"""
from __future__ import annotations

import dataclasses

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.domain.calendar import calendar_for
from core.domain.model import Order, Shipment, TrackingEvent
from core.domain.policy import Policy
from core.domain.rules import Finding, order_findings, parcel_findings
from core.domain.status import Substatus
from core.services.detection import order_facts, parcel_facts
from core.services.unit_of_work import UnitOfWork

STEP = timedelta(hours=6)
#: Incidents a customer hears about (issue 9 decides per shop; these are the defaults the report assumes).
CUSTOMER_FACING = {"late", "stuck", "running_late", "needs_action", "damaged", "returning", "presumed_lost", "partial"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass
class BacktestReport:
    days: int
    shipments: int = 0
    orders: int = 0
    incidents: Counter = field(default_factory=Counter)
    by_weekday: Counter = field(default_factory=Counter)
    by_carrier: Counter = field(default_factory=Counter)
    cases: int = 0
    messages: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days, "shipments": self.shipments, "orders": self.orders,
            "incidents": dict(self.incidents), "cases": self.cases, "messages": self.messages,
            "by_weekday": {d: self.by_weekday.get(d, 0) for d in WEEKDAYS},
            "by_carrier": dict(self.by_carrier), "sample": self.sample,
        }


def _facts_at(shipment: Shipment, history: list[TrackingEvent], moment: datetime, policy: Policy, destination: str | None):  # type: ignore[no-untyped-def]
    seen = [e for e in history if e.occurred_at <= moment]
    last = seen[-1] if seen else None
    status, substatus = (last.status, last.substatus) if last else ("pre_transit", None)
    then = replace_shipment(shipment, status, substatus, last)
    return parcel_facts(then, last, policy, destination)


def replace_shipment(shipment: Shipment, status: str, substatus: str | None, last: TrackingEvent | None) -> Shipment:
    copy = Shipment(
        shop_id=shipment.shop_id, order_id=shipment.order_id, platform_fulfillment_id=shipment.platform_fulfillment_id,
        tracking_number=shipment.tracking_number, carrier=shipment.carrier, service=shipment.service,
        destination=shipment.destination, status=status, substatus=substatus, shipped_at=shipment.shipped_at,
        created_at=shipment.created_at, estimated_delivery_at=shipment.estimated_delivery_at,
        running_late=substatus == Substatus.DELAYED, last_event_at=last.occurred_at if last else None,
        carrier_tracked=last is not None, status_since=last.occurred_at if last else None,
    )
    copy.id = shipment.id
    return copy


def run(uow: UnitOfWork, shop_id: int, policy: Policy, now: datetime, days: int = 90, sample_size: int = 10) -> BacktestReport:
    report = BacktestReport(days=days)
    since = now - timedelta(days=days)
    orders = list(uow.session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.placeholder.is_(False), Order.placed_at >= since).order_by(Order.id)
    ))
    report.orders = len(orders)
    affected_orders: set[int] = set()
    for order in orders:
        shipments = [s for s in uow.repo.shipments_of_order(order.id) if not s.superseded and s.tracking_number]
        destination = order.shipping_address.country_code if order.shipping_address else None
        calendar = calendar_for(destination, policy.closed_days)
        first_open: dict[tuple[int | None, str], tuple[datetime, Finding, Shipment | None]] = {}

        # order-level kinds, replayed from the moment the order was placed
        end = max([s.delivered_at or now for s in shipments] + [order.placed_at or now])
        moment = (order.placed_at or now) + STEP
        while moment <= min(end, now):
            shipped_then = [s for s in shipments if (s.shipped_at or s.created_at) and (s.shipped_at or s.created_at) <= moment]
            facts = dataclasses.replace(order_facts(order, shipped_then), known_since=None)  # history: no grace
            for f in order_findings(facts, policy, moment, calendar):
                first_open.setdefault(f.key, (moment, f, None))
            moment += STEP

        for shipment in shipments:
            report.shipments += 1
            history = list(uow.session.scalars(
                select(TrackingEvent).where(TrackingEvent.shipment_id == shipment.id).order_by(TrackingEvent.occurred_at)
            ))
            start = shipment.shipped_at or shipment.created_at or since
            stop = min(shipment.delivered_at or now, now)
            moment = start + STEP
            while moment <= stop:
                facts = _facts_at(shipment, history, moment, policy,
                                  (shipment.destination.country_code if shipment.destination else None) or destination)
                for f in parcel_findings(facts, policy, moment, calendar):
                    first_open.setdefault(f.key, (moment, f, shipment))
                moment += STEP

        for (_, kind), (opened, finding, shipment) in first_open.items():
            report.incidents[kind] += 1
            report.by_weekday[WEEKDAYS[calendar.local(opened).weekday()]] += 1
            report.by_carrier[(shipment.carrier if shipment else None) or "order"] += 1
            report.messages += kind in CUSTOMER_FACING
            affected_orders.add(order.id)
            if len(report.sample) < sample_size:
                report.sample.append({
                    "order": order.name, "tracking_number": shipment.tracking_number if shipment else None,
                    "carrier": shipment.carrier if shipment else None, "kind": kind,
                    "would_open_at": opened.isoformat(), "reason": finding.reason,
                })
    report.cases = len(affected_orders)
    return report


def render_text(report: BacktestReport) -> str:
    d = report.as_dict()
    total = sum(d["incidents"].values())
    lines = [
        f"last {d['days']} days: {d['orders']} orders, {d['shipments']} parcels → {total} incidents, "
        f"{d['cases']} cases, {d['messages']} customer messages",
        "  by kind:    " + (", ".join(f"{k} {v}" for k, v in sorted(d["incidents"].items())) or "none"),
        "  by weekday: " + ", ".join(f"{k} {v}" for k, v in d["by_weekday"].items()),
        "  by carrier: " + (", ".join(f"{k} {v}" for k, v in sorted(d["by_carrier"].items())) or "none"),
    ]
    weekday_counts = list(d["by_weekday"].values())
    mean = sum(weekday_counts) / 7 if total else 0
    if mean:
        busiest = max(d["by_weekday"], key=d["by_weekday"].get)
        lines.append(f"  {busiest}s: {100 * (d['by_weekday'][busiest] / mean - 1):+.0f} % against the daily mean")
    for s in d["sample"]:
        lines.append(f"  e.g. {s['order']} {s['tracking_number'] or ''} {s['kind']}: {s['reason']}")
    return "\n".join(lines)
