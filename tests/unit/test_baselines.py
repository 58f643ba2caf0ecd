"""Lane baselines learned from synthetic histories, and the rules adapting to them within bounds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.calendar import calendar_for
from core.domain.model import Order, Shipment, Shop, TrackingEvent
from core.domain.policy import Policy
from core.domain.rules import LaneStats, parcel_findings
from core.domain.values import Address
from core.services import baselines
from jobs.runtime import Runtime
from tests.unit.test_rules import at, kinds, parcel

US = calendar_for("US")


def test_a_fast_lane_tightens_stuck_within_the_merchants_bounds() -> None:
    lane = LaneStats("ups|ground|US-KY", samples=40, transit_p50=1.8, transit_p90=2.1, gap_p90=0.5)
    p = parcel(lane=lane)  # last scan Tue 03 Nov 15:00 UTC
    assert "stuck" not in kinds(parcel_findings(p, Policy(), at(2026, 11, 4, 17), US))  # 1.1 business days
    [stuck] = [f for f in parcel_findings(p, Policy(), at(2026, 11, 5, 4), US) if f.kind == "stuck"]  # 1.5 days
    assert stuck.evidence["threshold"] == 1.5  # 0.5 × 1.5 learned = 0.75, held at the lower bound 0.5 × 3
    assert "learned from 40 parcels on this lane (p90 0.5 days)" in stuck.reason


def test_a_young_lane_keeps_the_defaults() -> None:
    lane = LaneStats("ups|ground|US-KY", samples=12, transit_p50=1.8, transit_p90=2.1, gap_p90=0.5)
    assert "stuck" not in kinds(parcel_findings(parcel(lane=lane), Policy(), at(2026, 11, 5, 4), US))


def test_without_a_carrier_estimate_the_lane_says_when_it_is_late() -> None:
    lane = LaneStats("gls|ground|US-KY", samples=30, transit_p50=2.0, transit_p90=3.0, gap_p90=1.0)
    p = parcel(carrier="gls", lane=lane, shipped_at=at(2026, 11, 2, 15), last_event_at=at(2026, 11, 5, 15))
    assert "late" not in kinds(parcel_findings(p, Policy(), at(2026, 11, 5, 16), US))  # 3.0 days < 3.75
    [late] = [f for f in parcel_findings(p, Policy(), at(2026, 11, 6, 16), US) if f.kind == "late"]
    assert "lane p90 3.0 days, 30 parcels" in late.reason


def test_baselines_are_computed_from_delivered_parcels(rt: Runtime) -> None:
    start = datetime(2026, 10, 5, 15, tzinfo=timezone.utc)  # a Monday
    with rt.uow() as uow:
        shop = Shop(platform="shopify", domain="lanes.myshopify.com", installed_at=start)
        uow.repo.add(shop)
        uow.repo.flush()
        for i in range(31):
            order = Order(shop_id=shop.id, platform_order_id=str(i), name=f"#{i}", placeholder=False,
                          shipping_address=Address(country_code="US", region="KY"), created_at=start, updated_at=start)
            uow.repo.add(order)
            uow.repo.flush()
            shipped = start + timedelta(days=7 * (i % 4))
            s = Shipment(shop_id=shop.id, order_id=order.id, platform_fulfillment_id=str(i), tracking_number=f"1Z{i}",
                         carrier="ups", service="UPS Ground", status="delivered", shipped_at=shipped,
                         delivered_at=shipped + timedelta(days=2 if i % 10 else 3), created_at=shipped, updated_at=shipped)
            uow.repo.add(s)
            uow.repo.flush()
            for hours in (0, 12, 24, 48 if i % 10 else 72):
                uow.repo.add(TrackingEvent(shipment_id=s.id, occurred_at=shipped + timedelta(hours=hours), status="in_transit",
                                           description="scan", raw_code=str(hours)))
        uow.commit()
        shop_id = shop.id
    with rt.uow() as uow:
        [lane] = baselines.compute(uow, shop_id, start + timedelta(days=40))
        uow.commit()
    assert lane.lane == "ups|ground|US-KY" and lane.samples == 31
    assert lane.transit_p50 == 2.0 and 2.0 <= lane.transit_p90 <= 3.0
    with rt.uow() as uow:
        assert baselines.lanes_for(uow, shop_id)["ups|ground|US-KY"].samples == 31
