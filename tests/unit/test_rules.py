"""Detection rules with a frozen `now`: each kind, weekend and holiday edges, time zones, missing data."""
from __future__ import annotations

import dataclasses

from datetime import date, datetime, timedelta, timezone

import pytest

from core.domain.calendar import BusinessCalendar, calendar_for
from core.domain.policy import Policy
from core.domain.rules import OrderFacts, ParcelFacts, evaluate, order_findings, parcel_findings

UTC = timezone.utc
US = calendar_for("US")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parcel(**kw) -> ParcelFacts:  # type: ignore[no-untyped-def]
    values = dict(shipment_id=1, carrier="ups", service="UPS Ground", international=False, status="in_transit",
                  substatus=None, shipped_at=at(2026, 11, 2, 15), last_event_at=at(2026, 11, 3, 15),
                  last_event="Departed facility", last_place="Louisville, KY, US", estimated_delivery_at=None)
    values.update(kw)
    return ParcelFacts(**values)  # type: ignore[arg-type]


def kinds(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.kind for f in findings}


def test_business_days_skip_weekends_and_thanksgiving() -> None:
    assert US.business_days_between(at(2026, 11, 25, 14), at(2026, 11, 30, 14)) == pytest.approx(2.0)
    assert US.business_days_between(at(2026, 11, 28, 14), at(2026, 11, 29, 20)) == 0.0  # a weekend is no time
    assert not US.is_business_day(date(2026, 11, 26))


def test_a_shop_closed_day_counts_like_a_holiday() -> None:
    closed = BusinessCalendar("US", [date(2026, 11, 4)])
    assert closed.business_days_between(at(2026, 11, 3, 15), at(2026, 11, 5, 15)) == pytest.approx(1.0)


def test_stuck_after_three_business_days_for_ground_with_a_readable_reason() -> None:
    p = parcel()
    assert "stuck" not in kinds(parcel_findings(p, Policy(), at(2026, 11, 6, 14), US))
    [stuck] = [f for f in parcel_findings(p, Policy(), at(2026, 11, 6, 16), US) if f.kind == "stuck"]
    assert stuck.reason.startswith("no carrier scan for 3.0 business days; last scan 'Departed facility', Louisville, KY, US, Tue 03 Nov 09:00")
    assert "threshold 3 for UPS UPS Ground (domestic ground)" in stuck.reason
    assert stuck.evidence["threshold"] == 3


def test_no_monday_spike_of_stuck_alarms_after_a_quiet_weekend() -> None:
    """A parcel last scanned on Friday afternoon is not 'stuck' on Monday morning."""
    friday = parcel(last_event_at=at(2026, 11, 6, 21))
    for hour in range(0, 72, 6):  # the whole weekend and Monday
        now = at(2026, 11, 7, 0) + timedelta(hours=hour)
        assert "stuck" not in kinds(parcel_findings(friday, Policy(), now, US)), now


def test_thresholds_follow_route_and_carrier_overrides() -> None:
    express = parcel(service="UPS Next Day Air")
    assert "stuck" in kinds(parcel_findings(express, Policy(), at(2026, 11, 5, 16), US))
    cross_border = parcel(international=True)
    assert "stuck" not in kinds(parcel_findings(cross_border, Policy(), at(2026, 11, 9, 16), US))
    strict = Policy(overrides={"stuck.domestic_ground@ups": 1})
    assert "stuck" in kinds(parcel_findings(parcel(), strict, at(2026, 11, 4, 16), US))
    assert "stuck" not in kinds(parcel_findings(parcel(carrier="fedex"), strict, at(2026, 11, 4, 16), US))


def test_late_at_the_end_of_the_estimated_day_destination_local() -> None:
    p = parcel(estimated_delivery_at=at(2026, 11, 5, 12))
    assert "late" not in kinds(parcel_findings(p, Policy(), at(2026, 11, 6, 5, 30), US))  # 23:30 Thu in Chicago
    assert "late" in kinds(parcel_findings(p, Policy(), at(2026, 11, 6, 6, 30), US))  # 00:30 Fri in Chicago


def test_late_across_the_date_line() -> None:
    nz = calendar_for("NZ")
    p = parcel(estimated_delivery_at=at(2026, 11, 5, 0))  # Thursday 13:00 in Auckland
    assert "late" not in kinds(parcel_findings(p, Policy(), at(2026, 11, 5, 10), nz))  # still Thursday there
    assert "late" in kinds(parcel_findings(p, Policy(), at(2026, 11, 5, 11, 30), nz))  # Friday 00:30 there


def test_not_picked_up_running_late_damaged_returning() -> None:
    label = parcel(status="pre_transit", last_event_at=None, shipped_at=at(2026, 11, 2, 15))
    assert "not_picked_up" in kinds(parcel_findings(label, Policy(), at(2026, 11, 6, 16), US))
    assert "not_picked_up" not in kinds(parcel_findings(label, Policy(), at(2026, 11, 4, 16), US))
    assert "running_late" in kinds(parcel_findings(parcel(running_late=True), Policy(), at(2026, 11, 3, 16), US))
    assert "damaged" in kinds(parcel_findings(parcel(status="exception", substatus="damaged"), Policy(), at(2026, 11, 3, 16), US))
    assert "returning" in kinds(parcel_findings(parcel(status="returning"), Policy(), at(2026, 11, 3, 16), US))


def test_needs_action_for_attempts_long_pickup_waits_customs_and_addresses() -> None:
    now = at(2026, 11, 3, 16)
    assert "needs_action" in kinds(parcel_findings(parcel(status="attempt_failed"), Policy(), now, US))
    waiting = parcel(status="available_for_pickup", status_since=at(2026, 11, 3, 15))
    assert "needs_action" not in kinds(parcel_findings(waiting, Policy(), at(2026, 11, 5, 15), US))
    assert "needs_action" in kinds(parcel_findings(waiting, Policy(), at(2026, 11, 9, 15), US))
    for sub in ("customs_hold", "address_issue"):
        assert "needs_action" in kinds(parcel_findings(parcel(status="exception", substatus=sub), Policy(), now, US))


@pytest.mark.parametrize(
    ("carrier", "facts", "now", "expected"),
    [
        ("usps", {}, at(2026, 11, 10, 16), True),  # USPS: 7 days missing
        ("usps", {}, at(2026, 11, 9, 16), False),
        ("ups", {"estimated_delivery_at": at(2026, 11, 4)}, at(2026, 11, 10, 16), True),  # EDD+1 day and stuck 5 bdays
        ("canadapost", {"estimated_delivery_at": at(2026, 11, 4)}, at(2026, 11, 11, 16), True),
        ("royalmail", {"estimated_delivery_at": at(2026, 11, 4)}, at(2026, 11, 18, 16), True),
        ("royalmail", {"estimated_delivery_at": at(2026, 11, 4)}, at(2026, 11, 13, 16), False),
        ("gls", {}, at(2026, 11, 18, 16), True),  # no carrier rule: 10 business days stuck
        ("gls", {"status": "exception", "substatus": "lost"}, at(2026, 11, 3, 16), True),
    ],
)
def test_presumed_lost_by_each_carriers_own_trigger(carrier: str, facts: dict, now: datetime, expected: bool) -> None:
    calendar = calendar_for("GB" if carrier == "royalmail" else "CA" if carrier == "canadapost" else "US")
    p = parcel(carrier=carrier, **facts)
    assert ("presumed_lost" in kinds(parcel_findings(p, Policy(), now, calendar))) is expected


def test_missing_data_gives_no_finding_rather_than_an_error() -> None:
    bare = parcel(shipped_at=None, last_event_at=None, estimated_delivery_at=None, status="unknown")
    assert parcel_findings(bare, Policy(), at(2026, 11, 3), US) == []
    assert evaluate(OrderFacts(order_id=1, placed_at=None, paid=True, cancelled=False), [bare], Policy(), at(2026, 11, 3), US) == []
    assert parcel_findings(parcel(status="delivered"), Policy(), at(2027, 1, 1), US) == []


def test_unfulfilled_and_partial_orders() -> None:
    order = OrderFacts(order_id=1, placed_at=at(2026, 11, 2, 15), paid=True, cancelled=False,
                       needs_shipping={"a": 1, "b": 2}, titles={"a": "Mug", "b": "Tea"})
    assert kinds(order_findings(order, Policy(), at(2026, 11, 5, 14), US)) == set()
    assert kinds(order_findings(order, Policy(), at(2026, 11, 6, 16), US)) == {"unfulfilled"}
    # an old order Forewarn only just heard of (a new install's backfill; its fulfillment may be the next
    # webhook) waits an hour before it is judged
    heard = dataclasses.replace(order, known_since=at(2026, 11, 6, 15, 30))
    assert kinds(order_findings(heard, Policy(), at(2026, 11, 6, 16), US)) == set()
    assert kinds(order_findings(heard, Policy(), at(2026, 11, 6, 16, 31), US)) == {"unfulfilled"}
    partial = OrderFacts(order_id=1, placed_at=at(2026, 11, 2, 15), paid=True, cancelled=False,
                         needs_shipping={"a": 1, "b": 2}, shipped={"a": 1, "b": 1}, first_shipped_at=at(2026, 11, 3, 15),
                         titles={"a": "Mug", "b": "Tea"})
    [finding] = order_findings(partial, Policy(), at(2026, 11, 11, 16), US)
    assert finding.kind == "partial" and finding.reason.startswith("1× Tea never shipped")
    unpaid = OrderFacts(order_id=1, placed_at=at(2026, 11, 2), paid=False, cancelled=False, needs_shipping={"a": 1})
    assert order_findings(unpaid, Policy(), at(2026, 12, 1), US) == []
