"""When a shipment's tracking is next checked (DESIGN.md §5), in what order due checks go when a carrier's
quota is short, and when a parcel is given up on — all pure, from the shipment and `now`.

The jitter is derived from the tracking number, not from a random source, so the same state always gives
the same schedule while one merchant's batch still spreads out instead of polling in waves.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from core.domain.model import Shipment
from core.domain.status import ShipmentStatus

CADENCE: dict[str, timedelta] = {
    ShipmentStatus.PRE_TRANSIT: timedelta(hours=12),
    ShipmentStatus.NOT_FOUND: timedelta(hours=12),
    ShipmentStatus.IN_TRANSIT: timedelta(hours=8),
    ShipmentStatus.OUT_FOR_DELIVERY: timedelta(hours=2),
    ShipmentStatus.ATTEMPT_FAILED: timedelta(hours=3),
    ShipmentStatus.EXCEPTION: timedelta(hours=3),
    ShipmentStatus.AVAILABLE_FOR_PICKUP: timedelta(hours=12),
    ShipmentStatus.RETURNING: timedelta(hours=12),
    ShipmentStatus.UNKNOWN: timedelta(hours=8),
}
DEFAULT_CADENCE = timedelta(hours=8)
#: Around the estimated delivery (a day either side), or while the carrier says it is late: closer watching,
#: since that is when attempts, delays and deliveries happen.
CLOSE_WATCH = timedelta(hours=3)
NEAR_EDD = timedelta(hours=16)
#: A problem is watched closely for its first day; after that (stuck, lost, held) the decision is the rules'
#: and the carrier's next scan will come whenever it comes.
SETTLED_AFTER = timedelta(days=1)
SETTLED = timedelta(hours=12)
#: Close watching is for parcels still moving: one quiet for longer is stuck, and the rules decide that.
STILL_MOVING = timedelta(days=2)
#: With push updates, polling is only a safety net.
SAFETY_NET = timedelta(hours=24)
JITTER_FRACTION = 0.1
POSTAL = frozenset({"usps", "canadapost", "royalmail", "australiapost", "nzpost", "laposte", "colissimo", "correos",
                    "correios", "posteitaliane", "indiapost", "chinapost", "japanpost", "deutsche_post", "postnl", "bpost",
                    "swisspost"})
#: Given up (status `expired`) after this long without news: express 30 days, postal 60 (TrackingMore's rule).
EXPIRE_EXPRESS = timedelta(days=30)
EXPIRE_POSTAL = timedelta(days=60)


def jitter(key: str, interval: timedelta) -> timedelta:
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
    return timedelta(seconds=(digest % 1000) / 1000 * interval.total_seconds() * JITTER_FRACTION)


def interval(shipment: Shipment, now: datetime) -> timedelta:
    if shipment.push_until is not None and shipment.push_until > now:
        return SAFETY_NET
    base = CADENCE.get(shipment.status, DEFAULT_CADENCE)
    quiet_for = now - shipment.last_event_at if shipment.last_event_at else timedelta(0)
    edd = shipment.estimated_delivery_at
    near = edd is not None and abs(edd - now) <= NEAR_EDD
    moving = quiet_for <= STILL_MOVING
    if shipment.status == ShipmentStatus.IN_TRANSIT and (near or shipment.running_late) and moving:
        return min(base, CLOSE_WATCH)
    if quiet_for > SETTLED_AFTER and shipment.status != ShipmentStatus.OUT_FOR_DELIVERY:
        return max(base, SETTLED)
    return base


def next_check_at(shipment: Shipment, now: datetime, *, first: bool = False) -> datetime | None:
    """None when there is nothing to track (no number, or a final state); `now` for a parcel never checked."""
    if shipment.is_final or not shipment.tracking_number:
        return None
    if first or shipment.last_checked_at is None:
        return now
    every = interval(shipment, now)
    return now + every + jitter(shipment.tracking_number, every)


def expired(shipment: Shipment, now: datetime) -> bool:
    """No news for too long: stop polling and flag it."""
    if shipment.is_final:
        return False
    news = shipment.last_event_at or shipment.shipped_at or shipment.created_at
    if news is None:
        return False
    limit = EXPIRE_POSTAL if (shipment.carrier or "") in POSTAL else EXPIRE_EXPRESS
    return now - news > limit


STATUS_URGENCY = {
    ShipmentStatus.OUT_FOR_DELIVERY: 0,
    ShipmentStatus.ATTEMPT_FAILED: 0,
    ShipmentStatus.EXCEPTION: 0,
    ShipmentStatus.AVAILABLE_FOR_PICKUP: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.RETURNING: 3,
    ShipmentStatus.PRE_TRANSIT: 3,
    ShipmentStatus.NOT_FOUND: 4,
    ShipmentStatus.UNKNOWN: 4,
}


def priority(shipment: Shipment, now: datetime) -> tuple[int, float, float]:
    """Sort key for due checks when a quota is short: the parcels closest to a decision first — a problem or
    a delivery under way, then those at or past their estimated date, then the longest overdue."""
    urgency = STATUS_URGENCY.get(shipment.status, 4)
    edd = shipment.estimated_delivery_at
    hours_to_edd = (edd - now).total_seconds() / 3600 if edd else 1e6
    overdue = (now - shipment.next_check_at).total_seconds() if shipment.next_check_at else 0.0
    return (0 if shipment.running_late else 1) + urgency, hours_to_edd, -overdue
