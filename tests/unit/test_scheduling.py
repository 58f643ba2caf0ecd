from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.model import Shipment
from core.domain.status import ShipmentStatus
from core.services.scheduling import next_check_at

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def shipment(**kw: object) -> Shipment:
    kw.setdefault("tracking_number", "1Z999AA10123456784")
    return Shipment(shop_id=1, order_id=1, platform_fulfillment_id="f1", **kw)  # type: ignore[arg-type]


def test_a_new_parcel_is_checked_at_once() -> None:
    assert next_check_at(shipment(), NOW, first=True) == NOW


def test_cadence_follows_status_with_a_stable_jitter() -> None:
    s = shipment(status=ShipmentStatus.IN_TRANSIT, last_checked_at=NOW)
    due = next_check_at(s, NOW)
    assert NOW + timedelta(hours=6) <= due <= NOW + timedelta(hours=6, minutes=36)
    assert next_check_at(s, NOW) == due  # pure: same state, same answer
    ofd = next_check_at(shipment(status=ShipmentStatus.OUT_FOR_DELIVERY, last_checked_at=NOW), NOW)
    assert ofd < due


def test_nothing_to_check_without_a_number_or_after_delivery() -> None:
    assert next_check_at(shipment(tracking_number=""), NOW) is None
    assert next_check_at(shipment(status=ShipmentStatus.DELIVERED), NOW) is None
    assert next_check_at(shipment(superseded=True), NOW) is None
