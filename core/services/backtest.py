"""Backtest: what a (draft) policy would have done over a shop's past parcels.

Each parcel's stored scan history is replayed: the rules are evaluated every few hours from shipping until
it ended (or until now), on the facts as they stood then, and the first moment each kind of incident would
have opened is kept. Orders are replayed the same way for `unfulfilled` and `partial`. The report counts
incidents by kind, weekday (destination-local) and carrier, the cases and customer messages that follow,
and a sample of parcels. Cases and messages follow the policy's own choices: one case per order with an
incident of a kind that opens one (Policy.case_kinds); one notice per incident of a kind the customer hears of
(Policy.notify_kinds) — our "late" and the carrier's "running late" on one order are one notice, as in
core/services/messaging.py — sent on each of the shop's channels. Quiet hours only delay a message and caps
are decided at send time, so neither is counted here.

The admin's Rules page runs this inside a web request, twice (the draft and the current rules): `max_orders`
bounds it to the latest orders of a big shop, and the report says so (`sampled`).
"""
from __future__ import annotations

import dataclasses

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.domain.calendar import calendar_for
from core.domain.model import Order, Shipment, TrackingEvent
from core.domain.policy import Policy
from core.domain.rules import Finding, order_findings, parcel_findings
from core.domain.status import Substatus
from core.services.detection import order_facts, parcel_facts
from core.services.unit_of_work import UnitOfWork

STEP = timedelta(hours=6)
#: Kinds that are one piece of news to the customer: told once per order (core/services/messaging.DELAY_KINDS).
DELAY_KINDS = frozenset({"late", "running_late"})
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
    #: Notices (one per customer-facing incident); `messages` counts them on each channel.
    notices: int = 0
    channels: tuple[str, ...] = ("email",)
    #: Orders placed in the period; more than `orders` when only the latest were replayed.
    orders_in_period: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return self.orders < self.orders_in_period

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days, "shipments": self.shipments, "orders": self.orders,
            "orders_in_period": self.orders_in_period, "sampled": self.sampled,
            "incidents": dict(self.incidents), "cases": self.cases, "messages": self.messages,
            "notices": self.notices, "channels": list(self.channels),
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


def run(uow: UnitOfWork, shop_id: int, policy: Policy, now: datetime, days: int = 90, sample_size: int = 10, *,
        channels: Sequence[str] = ("email",), max_orders: int | None = None) -> BacktestReport:
    """Replay the orders placed in the last `days` (the latest `max_orders` of them when given) under `policy`;
    `channels` are the shop's message channels (none: messages are off)."""
    report = BacktestReport(days=days, channels=tuple(channels))
    since = now - timedelta(days=days)
    placed = (Order.shop_id == shop_id, Order.placeholder.is_(False), Order.placed_at >= since)
    report.orders_in_period = uow.session.scalar(select(func.count(Order.id)).where(*placed)) or 0
    latest = select(Order).where(*placed).order_by(Order.placed_at.desc(), Order.id.desc())
    orders = sorted(uow.session.scalars(latest.limit(max_orders) if max_orders is not None else latest),
                    key=lambda o: o.id)
    report.orders = len(orders)
    case_orders: set[int] = set()
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

        told_of_delay = False
        for (_, kind), (opened, finding, shipment) in sorted(first_open.items(), key=lambda item: item[1][0]):
            report.incidents[kind] += 1
            report.by_weekday[WEEKDAYS[calendar.local(opened).weekday()]] += 1
            report.by_carrier[(shipment.carrier if shipment else None) or "order"] += 1
            if kind in policy.notify_kinds and not (kind in DELAY_KINDS and told_of_delay):
                report.notices += 1
                told_of_delay = told_of_delay or kind in DELAY_KINDS
            if kind in policy.case_kinds:
                case_orders.add(order.id)
            if len(report.sample) < sample_size:
                report.sample.append({
                    "order": order.name, "tracking_number": shipment.tracking_number if shipment else None,
                    "carrier": shipment.carrier if shipment else None, "kind": kind,
                    "would_open_at": opened.isoformat(), "reason": finding.reason,
                })
    report.cases = len(case_orders)
    report.messages = report.notices * len(report.channels)
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
    peak = busiest_weekday(report)
    if peak:
        lines.append(f"  {peak[0]}s: {peak[1]:+.0f} % against the daily mean")
    for s in d["sample"]:
        lines.append(f"  e.g. {s['order']} {s['tracking_number'] or ''} {s['kind']}: {s['reason']}")
    return "\n".join(lines)


DAY_NAMES = dict(zip(WEEKDAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]))


def busiest_weekday(report: BacktestReport) -> tuple[str, float] | None:
    """The weekday most incidents open on, and how far above the daily mean (in %); None without incidents."""
    counts = {d: report.by_weekday.get(d, 0) for d in WEEKDAYS}
    mean = sum(counts.values()) / 7
    if not mean:
        return None
    busiest = max(counts, key=counts.__getitem__)
    return busiest, 100 * (counts[busiest] / mean - 1)


def compare(draft: BacktestReport, current: BacktestReport) -> dict[str, Any]:
    """A draft's report beside the current rules' one over the same orders: both, their differences, and the
    sentence a merchant reads first ("last 90 days: 41 cases, 118 messages (+12 messages against your
    current rules); Mondays +30 % against the daily mean")."""
    d, c = draft.as_dict(), current.as_dict()
    kinds = sorted(set(d["incidents"]) | set(c["incidents"]))
    difference = {
        "cases": d["cases"] - c["cases"], "messages": d["messages"] - c["messages"],
        "incidents": {k: d["incidents"].get(k, 0) - c["incidents"].get(k, 0) for k in kinds},
        "by_weekday": {w: d["by_weekday"][w] - c["by_weekday"][w] for w in WEEKDAYS},
    }
    return {"draft": d, "current": c, "difference": difference, "sampled": draft.sampled,
            "summary": summary_text(draft, current)}


def summary_text(draft: BacktestReport, current: BacktestReport) -> str:
    if not draft.orders:
        return (f"last {draft.days} days: no orders to replay yet — the preview fills in once orders have "
                f"come in")
    changes = [f"{n:+d} {_plural(abs(n), what)}" for n, what in ((draft.cases - current.cases, "case"),
                                                             (draft.messages - current.messages, "message")) if n]
    against = f"{', '.join(changes)} against your current rules" if changes else "the same as your current rules"
    text = (f"last {draft.days} days: {draft.cases} {_plural(draft.cases, 'case')}, "
            f"{draft.messages} {_plural(draft.messages, 'message')} ({against})")
    peak = busiest_weekday(draft)
    if peak and peak[1] >= 1:
        text += f"; {DAY_NAMES[peak[0]]}s {peak[1]:+.0f} % against the daily mean"
    if draft.sampled:
        text += f" — replayed the latest {draft.orders:,} of {draft.orders_in_period:,} orders"
    return text


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"
