"""Detection rules: what is wrong with an order's parcels right now, with a reason a person can read and
the evidence behind it. Pure: facts in, findings out, `now` given — never read from a clock.

Kinds (DESIGN.md §4): not_picked_up, stuck, late, running_late, needs_action, damaged, returning,
presumed_lost, unfulfilled, partial. Thresholds come from the policy (carriers.md §9.2 defaults) and
business days from the destination's calendar.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.domain.calendar import BusinessCalendar
from core.domain.policy import EXPRESS, POSTAL, Policy, service_level
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus

MOVING = {S.IN_TRANSIT, S.EXCEPTION, S.UNKNOWN}
CARRIER_NAMES = {"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL", "dhl_express": "DHL Express",
                 "dhl_paket": "DHL Paket", "canadapost": "Canada Post", "royalmail": "Royal Mail", "dpd": "DPD",
                 "gls": "GLS", "evri": "Evri", "australiapost": "Australia Post", "postnl": "PostNL"}
DONE = {S.DELIVERED, S.RETURNED, S.CANCELLED, S.EXPIRED}


@dataclass(frozen=True)
class LaneStats:
    """What this shop's own delivered parcels show for a lane (carrier × service level × destination region)."""

    lane: str
    samples: int
    transit_p50: float  # business days from shipping to delivery
    transit_p90: float
    gap_p90: float  # business days between consecutive scans


@dataclass(frozen=True)
class ParcelFacts:
    shipment_id: int
    carrier: str | None
    service: str | None
    international: bool
    status: str
    substatus: str | None
    shipped_at: datetime | None
    last_event_at: datetime | None
    last_event: str | None
    last_place: str | None
    estimated_delivery_at: datetime | None
    running_late: bool = False
    carrier_tracked: bool = False
    #: Since when the parcel has been in its current status (first scan of the current streak).
    status_since: datetime | None = None
    in_customs: bool = False
    lane: LaneStats | None = None


#: An order Forewarn has just heard of is not judged unfulfilled yet (the scheduled pass judges it later).
UNFULFILLED_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class OrderFacts:
    order_id: int
    placed_at: datetime | None
    paid: bool
    cancelled: bool
    #: line item id → quantity that needs shipping / that has shipped (superseded parcels excluded)
    needs_shipping: dict[str, int] = field(default_factory=dict)
    shipped: dict[str, int] = field(default_factory=dict)
    first_shipped_at: datetime | None = None
    titles: dict[str, str] = field(default_factory=dict)
    #: When Forewarn first heard of the order (None: long known).
    known_since: datetime | None = None


@dataclass(frozen=True)
class Finding:
    kind: str
    #: Builds the readable reason. Wording is made only when an incident is written, not on every pass.
    describe: Callable[[], str] = field(compare=False, repr=False)
    evidence: dict[str, Any] = field(default_factory=dict)
    shipment_id: int | None = None

    @property
    def reason(self) -> str:
        return self.describe()

    @property
    def key(self) -> tuple[int | None, str]:
        return self.shipment_id, self.kind


def _when(moment: datetime | None, calendar: BusinessCalendar) -> str:
    return calendar.local(moment).strftime("%a %d %b %H:%M") if moment else "never"


def _last_scan(p: ParcelFacts, calendar: BusinessCalendar) -> str:
    if p.last_event_at is None:
        return "no carrier scan yet"
    where = f", {p.last_place}" if p.last_place else ""
    return f"last scan '{p.last_event or 'scan'}'{where}, {_when(p.last_event_at, calendar)}"


def _route(p: ParcelFacts) -> str:
    level = service_level(p.carrier, p.service)
    if p.in_customs:
        return "stuck.in_customs"
    if p.international:
        return "stuck.cross_border"
    return {EXPRESS: "stuck.domestic_express", POSTAL: "stuck.domestic_postal"}.get(level, "stuck.domestic_ground")


def parcel_findings(p: ParcelFacts, policy: Policy, now: datetime, calendar: BusinessCalendar) -> list[Finding]:
    out: list[Finding] = []
    def carrier() -> str:
        return CARRIER_NAMES.get(p.carrier or "", (p.carrier or "the carrier").replace("_", " ").title())

    def label() -> str:
        return f"{carrier()} {p.service or service_level(p.carrier, p.service)}".strip()

    def add(kind: str, describe: Callable[[], str], **evidence: Any) -> None:
        evidence["status"], evidence["substatus"] = p.status, p.substatus
        out.append(Finding(kind, describe, evidence, p.shipment_id))

    if p.status in DONE:
        if p.status == S.RETURNED:
            add("returning", lambda: "the parcel went back to the sender")
        return out

    # Handed over? Label printed but no carrier scan for too long.
    if p.status in (S.PRE_TRANSIT, S.NOT_FOUND) and p.shipped_at is not None:
        level = service_level(p.carrier, p.service)
        limit = policy.threshold(f"not_picked_up.{level}", p.carrier)
        waited = calendar.business_days_between(p.shipped_at, now)
        if waited > limit:
            add("not_picked_up", lambda: f"label created {waited:.1f} business days ago and no carrier scan yet; threshold {limit:g} for {label()}",
                business_days=round(waited, 2), threshold=limit)

    # Stuck: moving, then silence.
    quiet = calendar.business_days_between(p.last_event_at, now) if p.last_event_at else 0.0
    if p.status in MOVING and p.last_event_at is not None:
        route = _route(p)
        limit, learned = adapted(policy.threshold(route, p.carrier), p.lane, "gap_p90", policy)
        if quiet >= limit:
            add("stuck", lambda: f"no carrier scan for {quiet:.1f} business days; {_last_scan(p, calendar)}; threshold {limit:.3g} for {label()} ({route.split('.')[1].replace('_', ' ')}){learned}",
                business_days=round(quiet, 2), threshold=round(limit, 3), route=route,
                last_place=p.last_place, last_scan_at=p.last_event_at.isoformat())

    # Late: past the end of the promised/estimated day, destination-local.
    if p.estimated_delivery_at is not None and calendar.local(now).toordinal() > calendar.local(p.estimated_delivery_at).toordinal():
        edd = p.estimated_delivery_at

        def late_reason() -> str:
            over = calendar.business_days_between(calendar.end_of_local_day(edd), now)
            return (f"not delivered by the end of {_when(edd, calendar)[:10]}, the carrier's estimated day; "
                    f"{over:.1f} business days over; {_last_scan(p, calendar)}")

        add("late", late_reason, estimated_delivery=edd.isoformat())

    elif p.estimated_delivery_at is None and p.lane is not None and p.lane.samples >= policy.lane_min_samples and p.shipped_at:
        # No date from the carrier: the shop's own lane says how long this usually takes.
        expected = p.lane.transit_p90 * policy.lane_late_factor
        took = calendar.business_days_between(p.shipped_at, now)
        if took > expected:
            add("late", lambda: f"{took:.1f} business days since shipping, longer than this lane usually takes (lane p90 {p.lane.transit_p90:.1f} days, {p.lane.samples} parcels); {_last_scan(p, calendar)}",
                lane=p.lane.lane, business_days=round(took, 2))

    if p.running_late or p.substatus == Substatus.DELAYED:
        add("running_late", lambda: f"{carrier()} itself reports a delay; {_last_scan(p, calendar)}",
            last_place=p.last_place, last_scan_at=p.last_event_at.isoformat() if p.last_event_at else None)

    # Needs the customer (or the merchant) to act.
    if p.status == S.ATTEMPT_FAILED:
        add("needs_action", lambda: f"delivery attempt failed; {_last_scan(p, calendar)}", action="rearrange delivery")
    elif p.status == S.AVAILABLE_FOR_PICKUP and p.status_since is not None:
        waiting = calendar.business_days_between(p.status_since, now)
        limit = policy.threshold("pickup_waiting", p.carrier)
        if waiting > limit:
            add("needs_action", lambda: f"waiting at a pickup point for {waiting:.1f} business days (threshold {limit:g}); {_last_scan(p, calendar)}",
                action="collect the parcel", business_days=round(waiting, 2))
    elif p.substatus in (Substatus.CUSTOMS_HOLD, Substatus.ADDRESS_ISSUE):
        need = "customs information" if p.substatus == Substatus.CUSTOMS_HOLD else "a corrected address"
        add("needs_action", lambda: f"held: the carrier needs {need}; {_last_scan(p, calendar)}", action=need)

    if p.substatus == Substatus.DAMAGED:
        add("damaged", lambda: f"{carrier()} reports the parcel damaged; {_last_scan(p, calendar)}")
    if p.status == S.RETURNING:
        add("returning", lambda: f"the parcel is on its way back to the sender; {_last_scan(p, calendar)}")

    # Presumed lost: the carrier says so, its own trigger, or very long silence.
    lost_reason = _lost(p, policy, now, calendar, quiet)
    if lost_reason:
        add("presumed_lost", lambda: lost_reason, business_days_quiet=round(quiet, 2))
    return out


def adapted(default: float, lane: LaneStats | None, stat: str, policy: Policy) -> tuple[float, str]:
    """A threshold learned from the lane, kept within the merchant's bounds around the default."""
    if lane is None or lane.samples < policy.lane_min_samples:
        return default, ""
    learned = getattr(lane, stat) * policy.lane_factor
    low, high = default * policy.lane_bounds[0], default * policy.lane_bounds[1]
    value = min(max(learned, low), high)
    return value, f"; learned from {lane.samples} parcels on this lane (p90 {getattr(lane, stat):.1f} days)"


def _lost(p: ParcelFacts, policy: Policy, now: datetime, calendar: BusinessCalendar, quiet: float) -> str | None:
    if p.substatus == Substatus.LOST:
        return f"the carrier reports the parcel lost; {_last_scan(p, calendar)}"
    if p.last_event_at is None or p.status not in MOVING:
        return None
    edd = p.estimated_delivery_at
    calendar_days_quiet = (now - p.last_event_at).total_seconds() / 86400
    carrier = p.carrier or ""
    if carrier == "usps" and calendar_days_quiet >= 7:
        return f"USPS Missing Mail applies: no scan for {calendar_days_quiet:.0f} days; {_last_scan(p, calendar)}"
    if carrier == "ups" and edd is not None and now > edd + timedelta(hours=24) and quiet >= 5:
        return f"UPS loss claim applies: a day past the estimated date and no scan for {quiet:.1f} business days"
    if carrier == "canadapost" and edd is not None and calendar.business_days_between(edd, now) >= 5:
        return "Canada Post investigation applies: 5 business days past the expected date"
    if carrier == "royalmail" and edd is not None and calendar.business_days_between(edd, now) >= 10:
        return "Royal Mail deems it lost: 10 working days past its due date"
    if carrier == "dhl_paket" and p.shipped_at and (now - p.shipped_at).days >= 7 and calendar_days_quiet >= 6:
        return "DHL Paket trace request applies: 7 days since handover and no scan for 6 days"
    limit = policy.threshold("presumed_lost.international" if p.international else "presumed_lost.domestic", p.carrier)
    if quiet >= limit:
        return f"no carrier scan for {quiet:.1f} business days (threshold {limit:g}); {_last_scan(p, calendar)}"
    return None


def order_findings(o: OrderFacts, policy: Policy, now: datetime, calendar: BusinessCalendar) -> list[Finding]:
    if o.cancelled or not o.paid or not o.needs_shipping:
        return []
    out: list[Finding] = []
    if not o.shipped and o.placed_at is not None:
        if o.known_since is not None and now - o.known_since < UNFULFILLED_GRACE:
            return out  # its fulfillment may be in the next webhook; a new shop's backfill is no wave of cases
        waited = calendar.business_days_between(o.placed_at, now)
        limit = policy.threshold("unfulfilled")
        if waited > limit:
            out.append(Finding("unfulfilled", lambda: f"paid {waited:.1f} business days ago and nothing shipped yet (threshold {limit:g})",
                               {"business_days": round(waited, 2), "threshold": limit}))
    elif o.shipped and o.first_shipped_at is not None:
        missing = {i: q - o.shipped.get(i, 0) for i, q in o.needs_shipping.items() if q - o.shipped.get(i, 0) > 0}
        if not missing:
            return out
        waited = calendar.business_days_between(o.first_shipped_at, now)
        limit = policy.threshold("partial")
        if waited > limit:
            names = ", ".join(f"{q}× {o.titles.get(i, i)}" for i, q in missing.items())
            out.append(Finding("partial", lambda: f"{names} never shipped, {waited:.1f} business days after the first parcel (threshold {limit:g})",
                               {"missing": missing, "business_days": round(waited, 2)}))
    return out


def evaluate(order: OrderFacts, parcels: Sequence[ParcelFacts], policy: Policy, now: datetime,
             calendar: BusinessCalendar) -> list[Finding]:
    findings = order_findings(order, policy, now, calendar)
    for parcel in parcels:
        findings += parcel_findings(parcel, policy, now, calendar)
    return findings
