"""Backtest numbers against a small hand-counted case."""
from __future__ import annotations

from datetime import datetime, timezone

from core.domain.model import Order, Shipment, Shop, TrackingEvent
from core.domain.policy import Policy
from core.domain.values import Address, LineItem, ShipmentItem
from core.services import backtest
from jobs.runtime import Runtime


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def seed(rt: Runtime) -> int:
    with rt.uow() as uow:
        shop = Shop(platform="shopify", domain="bt.myshopify.com", installed_at=at(2026, 10, 1))
        uow.repo.add(shop)
        uow.repo.flush()
        for name, events, delivered in [
            ("#1", [("pre_transit", at(2026, 11, 2, 15)), ("in_transit", at(2026, 11, 3, 15))], None),  # goes silent
            ("#2", [("pre_transit", at(2026, 11, 2, 15)), ("in_transit", at(2026, 11, 3, 15)),
                    ("delivered", at(2026, 11, 4, 15))], at(2026, 11, 4, 15)),  # on time
        ]:
            order = Order(shop_id=shop.id, platform_order_id=name, name=name, placeholder=False, financial_status="paid",
                          placed_at=at(2026, 11, 2, 10), shipping_address=Address(country_code="US"),
                          line_items=[LineItem("li", "Mug", 1)], created_at=at(2026, 11, 2), updated_at=at(2026, 11, 2))
            uow.repo.add(order)
            uow.repo.flush()
            shipment = Shipment(shop_id=shop.id, order_id=order.id, platform_fulfillment_id=name, tracking_number=f"1Z{name}",
                                carrier="ups", service="UPS Ground", items=[ShipmentItem("li", "Mug", 1)],
                                status=events[-1][0], shipped_at=at(2026, 11, 2, 15), created_at=at(2026, 11, 2, 15),
                                updated_at=at(2026, 11, 2, 15), estimated_delivery_at=at(2026, 11, 5, 12), delivered_at=delivered)
            uow.repo.add(shipment)
            uow.repo.flush()
            for status, when in events:
                uow.repo.add(TrackingEvent(shipment_id=shipment.id, occurred_at=when, status=status, description=status,
                                           raw_code=status))
        uow.commit()
        return shop.id


def test_backtest_counts_what_the_policy_would_have_opened(rt: Runtime) -> None:
    shop_id = seed(rt)
    with rt.uow() as uow:
        report = backtest.run(uow, shop_id, Policy(), at(2026, 11, 13, 12), days=30)
    d = report.as_dict()
    # #1: stuck (Fri: 3 business days silent), late (after Thu's end in Chicago), presumed lost (UPS: a day past
    # the estimate and 5 business days silent, reached Tue); #2 was delivered on time: nothing.
    assert d["incidents"] == {"stuck": 1, "late": 1, "presumed_lost": 1}
    assert (d["orders"], d["shipments"], d["cases"], d["messages"]) == (2, 2, 1, 3)
    assert d["by_weekday"]["Fri"] == 2 and d["by_weekday"]["Tue"] == 1
    assert d["by_carrier"] == {"ups": 3}
    assert {s["kind"] for s in d["sample"]} == {"stuck", "late", "presumed_lost"}


def test_a_stricter_draft_policy_opens_more(rt: Runtime) -> None:
    shop_id = seed(rt)
    with rt.uow() as uow:
        strict = backtest.run(uow, shop_id, Policy(overrides={"stuck.domestic_ground": 0.5}), at(2026, 11, 13, 12), days=30)
        relaxed = backtest.run(uow, shop_id, Policy(), at(2026, 11, 13, 12), days=30)
    assert strict.incidents["stuck"] == 2 and relaxed.incidents["stuck"] == 1  # #2 also paused half a day
    assert "last 30 days: 2 orders, 2 parcels" in backtest.render_text(strict)
