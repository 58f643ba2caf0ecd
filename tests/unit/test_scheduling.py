from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.model import Shipment
from core.domain.status import ShipmentStatus
from core.services.scheduling import expired, interval, next_check_at, priority

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def shipment(**kw: object) -> Shipment:
    kw.setdefault("tracking_number", "1Z999AA10123456784")
    return Shipment(shop_id=1, order_id=1, platform_fulfillment_id="f1", **kw)  # type: ignore[arg-type]


def test_a_new_parcel_is_checked_at_once() -> None:
    assert next_check_at(shipment(), NOW, first=True) == NOW


def test_cadence_follows_status_with_a_stable_jitter() -> None:
    s = shipment(status=ShipmentStatus.IN_TRANSIT, last_checked_at=NOW, last_event_at=NOW - timedelta(hours=2))
    due = next_check_at(s, NOW)
    assert NOW + timedelta(hours=8) <= due <= NOW + timedelta(hours=8, minutes=48)
    assert next_check_at(s, NOW) == due  # pure: same state, same answer
    ofd = next_check_at(shipment(status=ShipmentStatus.OUT_FOR_DELIVERY, last_checked_at=NOW), NOW)
    assert ofd < due


def test_nothing_to_check_without_a_number_or_after_delivery() -> None:
    assert next_check_at(shipment(tracking_number=""), NOW) is None
    assert next_check_at(shipment(status=ShipmentStatus.DELIVERED), NOW) is None
    assert next_check_at(shipment(superseded=True), NOW) is None


def test_closer_watch_around_the_estimated_delivery_and_when_running_late() -> None:
    base = dict(status=ShipmentStatus.IN_TRANSIT, last_checked_at=NOW, last_event_at=NOW - timedelta(hours=2))
    near = shipment(estimated_delivery_at=NOW + timedelta(hours=10), **base)
    late = shipment(running_late=True, **base)
    far = shipment(estimated_delivery_at=NOW + timedelta(days=4), **base)
    assert interval(near, NOW) == interval(late, NOW) == timedelta(hours=3)
    assert interval(far, NOW) == timedelta(hours=8)


def test_a_parcel_quiet_for_more_than_a_day_settles_to_twice_a_day() -> None:
    stuck = shipment(status=ShipmentStatus.EXCEPTION, last_checked_at=NOW, last_event_at=NOW - timedelta(days=3))
    assert interval(stuck, NOW) == timedelta(hours=12)
    pushed = shipment(status=ShipmentStatus.IN_TRANSIT, last_checked_at=NOW, push_until=NOW + timedelta(days=5))
    assert interval(pushed, NOW) == timedelta(hours=24)


def test_no_news_for_30_days_expires_an_express_parcel_and_60_a_postal_one() -> None:
    old = NOW - timedelta(days=45)
    assert expired(shipment(carrier="dhl", last_event_at=old), NOW)
    assert not expired(shipment(carrier="usps", last_event_at=old), NOW)
    assert not expired(shipment(carrier="dhl", last_event_at=old, status=ShipmentStatus.DELIVERED), NOW)


def test_urgent_parcels_come_first_when_a_quota_is_short() -> None:
    calm = shipment(status=ShipmentStatus.IN_TRANSIT, next_check_at=NOW - timedelta(hours=5))
    problem = shipment(status=ShipmentStatus.EXCEPTION, next_check_at=NOW)
    delivering = shipment(status=ShipmentStatus.OUT_FOR_DELIVERY, next_check_at=NOW)
    due_today = shipment(status=ShipmentStatus.IN_TRANSIT, estimated_delivery_at=NOW + timedelta(hours=3), next_check_at=NOW)
    ordered = sorted([calm, due_today, problem, delivering], key=lambda s: priority(s, NOW))
    assert ordered[:2] in ([problem, delivering], [delivering, problem]) and ordered[2:] == [due_today, calm]
