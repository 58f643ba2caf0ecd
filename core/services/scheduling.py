"""When a shipment's tracking is next checked (DESIGN.md §5): pure, from the shipment and `now`.

The jitter is derived from the tracking number, not from a random source, so that the same state
always gives the same schedule and checks of one merchant's batch still spread out.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from core.domain.model import Shipment
from core.domain.status import ShipmentStatus

CADENCE: dict[str, timedelta] = {
    ShipmentStatus.PRE_TRANSIT: timedelta(hours=12),
    ShipmentStatus.NOT_FOUND: timedelta(hours=12),
    ShipmentStatus.IN_TRANSIT: timedelta(hours=6),
    ShipmentStatus.OUT_FOR_DELIVERY: timedelta(hours=2),
    ShipmentStatus.ATTEMPT_FAILED: timedelta(hours=3),
    ShipmentStatus.EXCEPTION: timedelta(hours=3),
    ShipmentStatus.AVAILABLE_FOR_PICKUP: timedelta(hours=6),
    ShipmentStatus.RETURNING: timedelta(hours=12),
}
DEFAULT_CADENCE = timedelta(hours=6)
JITTER_FRACTION = 0.1


def jitter(key: str, interval: timedelta) -> timedelta:
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
    return timedelta(seconds=(digest % 1000) / 1000 * interval.total_seconds() * JITTER_FRACTION)


def next_check_at(shipment: Shipment, now: datetime, *, first: bool = False) -> datetime | None:
    """None when there is nothing to track (no number, or a final state); `now` for a parcel never checked."""
    if shipment.is_final or not shipment.tracking_number:
        return None
    if first or shipment.last_checked_at is None:
        return now
    interval = CADENCE.get(shipment.status, DEFAULT_CADENCE)
    return now + interval + jitter(shipment.tracking_number, interval)
