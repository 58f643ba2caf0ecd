"""The overview's figures (core/services/insights.py) on SQLite, from rows made here and counted by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import count
from typing import Any

from core.domain.model import (
    Case, Incident, Message, Order, ProblemReport, Shipment, Shop, SurveyAnswer,
)
from core.services import insights
from jobs.runtime import Runtime

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)  # a Friday
_ids = count(1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


class Seed:
    """Rows for one shop, made through the unit of work as the app makes them."""

    def __init__(self, uow: Any, domain: str = "insights.myshopify.com", now: datetime = NOW) -> None:
        self.uow = uow
        self.now = now
        self.shop = uow.repo.shop("shopify", domain) or self.add(Shop(platform="shopify", domain=domain,
                                                                      installed_at=at(2026, 1, 1)))

    def add(self, entity: Any) -> Any:
        self.uow.repo.add(entity)
        self.uow.repo.flush()
        return entity

    def order(self, **kw: Any) -> Order:
        n = next(_ids)
        return self.add(Order(shop_id=self.shop.id, platform_order_id=str(n), name=f"#{n}", placeholder=False,
                              created_at=self.now - timedelta(days=100), updated_at=self.now, **kw))

    def parcel(self, order: Order | None = None, *, carrier: str = "ups", status: str = "in_transit", **kw: Any) -> Shipment:
        order = order or self.order()
        n = next(_ids)
        return self.add(Shipment(shop_id=self.shop.id, order_id=order.id, platform_fulfillment_id=str(n),
                                 tracking_number=f"T{n}", carrier=carrier, status=status,
                                 created_at=self.now - timedelta(days=100), updated_at=self.now, **kw))

    def delivered(self, delivered_at: datetime, estimate: datetime | None = None, **kw: Any) -> Shipment:
        return self.parcel(status="delivered", delivered_at=delivered_at, estimated_delivery_at=estimate, **kw)

    def incident(self, kind: str, shipment: Shipment | None = None, order: Order | None = None, *,
                 opened_at: datetime = NOW, cleared_at: datetime | None = None, reason: str = "no scan") -> Incident:
        order_id = order.id if order else shipment.order_id  # type: ignore[union-attr]
        return self.add(Incident(shop_id=self.shop.id, order_id=order_id, shipment_id=shipment.id if shipment else None,
                                 kind=kind, reason=reason, evidence={}, opened_at=opened_at,
                                 status="cleared" if cleared_at else "open", cleared_at=cleared_at))

    def message(self, order: Order, sent_at: datetime | None, *, status: str = "sent", incident: bool = True,
                detected_at: datetime | None = None) -> Message:
        n = next(_ids)
        return self.add(Message(shop_id=self.shop.id, order_id=order.id, kind="late", channel="email",
                                idempotency_key=f"k{n}", created_at=sent_at or NOW, status=status, sent_at=sent_at,
                                incident_id=n if incident else None, detected_at=detected_at))

    def case(self, order: Order, *, status: str = "open", opened_at: datetime = NOW, due: datetime | None = None,
             breached: bool = False, resolved_at: datetime | None = None, priority: str = "normal",
             responded: datetime | None = None) -> Case:
        return self.add(Case(shop_id=self.shop.id, order_id=order.id, problem="late", subject=f"{order.name} late",
                             priority=priority, opened_at=opened_at, sla_due_at=due or opened_at + timedelta(hours=24),
                             status=status, sla_breached=breached, resolved_at=resolved_at, first_response_at=responded))


def figures(rt: Runtime, build) -> insights.Overview:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        seed = Seed(uow)
        build(seed)
        uow.commit()
        shop_id = seed.shop.id
    with rt.uow() as uow:
        return insights.overview(uow.session, shop_id, NOW)


def test_an_empty_shop_has_zeros_and_no_rates(rt: Runtime) -> None:
    o = figures(rt, lambda s: None)
    assert (o.parcels_at_risk, o.orders_at_risk, o.at_risk) == (0, 0, [])
    assert o.on_time_by_carrier == [] and o.on_time_by_week == [] and o.on_time.percent is None
    assert len(o.incidents_by_day) == insights.ACTIVITY_DAYS and o.incidents_by_day[-1].day == NOW.date()
    assert not any(d.opened or d.cleared for d in o.incidents_by_day)
    assert (o.customers_told, o.messages_sent, o.contacts_avoided) == (0, 0, 0)
    assert o.cases_by_status == {"open": 0, "pending": 0, "resolved": 0, "closed": 0}
    assert (o.cases_open, o.cases_past_due, o.cases_opened, o.cases_solved, o.cases_breached) == (0, 0, 0, 0, 0)
    assert (o.satisfaction_count, o.satisfaction_average) == (0, None)
    assert o.attention == [] and not o.has_activity


def test_at_risk_counts_parcels_and_orders_of_open_incidents_by_kind(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        two = s.order()
        a, b = s.parcel(two), s.parcel(two)
        s.incident("late", a)
        s.incident("late", b)
        s.incident("stuck", a)  # the same parcel with a second problem
        s.incident("late", s.parcel(), cleared_at=ago(hours=1))  # moved again: not at risk
        s.incident("unfulfilled", order=s.order())  # an order-level problem: no parcel
    o = figures(rt, build)
    by_kind = {k.kind: (k.parcels, k.orders) for k in o.at_risk}
    assert by_kind == {"late": (2, 1), "stuck": (1, 1), "unfulfilled": (0, 1)}
    assert o.at_risk[0].kind == "late" and o.at_risk[0].label == "Late"
    assert (o.parcels_at_risk, o.orders_at_risk) == (2, 2)
    assert [(k.affected, k.priority) for k in o.at_risk] == [(2, "normal"), (1, "normal"), (1, "normal")]


def test_on_time_is_by_the_estimated_day_or_without_a_late_stuck_or_lost_incident(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        s.delivered(at(2026, 11, 10, 23, 30), estimate=at(2026, 11, 10, 9))  # later that same day: on time
        s.delivered(at(2026, 11, 11, 0, 30), estimate=at(2026, 11, 10, 9))  # the next day: late
        late_flagged = s.delivered(at(2026, 11, 9, 12), estimate=at(2026, 11, 10, 9))  # early; an old stuck scare
        s.incident("stuck", late_flagged, opened_at=at(2026, 11, 8), cleared_at=at(2026, 11, 9))
        s.delivered(at(2026, 11, 12, 10), carrier="usps")  # no estimate, no incident: on time
        lost = s.delivered(at(2026, 11, 12, 10), carrier="usps")  # no estimate, was presumed lost: not on time
        s.incident("presumed_lost", lost, opened_at=at(2026, 11, 11), cleared_at=at(2026, 11, 12, 10))
        damaged = s.delivered(at(2026, 11, 12, 10), carrier="usps")  # damaged is not lateness
        s.incident("damaged", damaged, opened_at=at(2026, 11, 12, 10))
        s.delivered(ago(days=91), carrier="usps")  # outside the 90 days
        s.parcel(carrier="usps", estimated_delivery_at=at(2026, 11, 1))  # not delivered: not counted
    o = figures(rt, build)
    rates = {r.label: (r.on_time, r.delivered) for r in o.on_time_by_carrier}
    assert rates == {"UPS": (2, 3), "USPS": (2, 3)}
    assert (o.on_time.on_time, o.on_time.delivered, o.on_time.percent) == (4, 6, 66.7)


def test_on_time_over_time_is_grouped_by_week_starting_monday(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        s.delivered(at(2026, 11, 16, 8))  # Mon 16 Nov
        s.delivered(at(2026, 11, 20, 8), estimate=at(2026, 11, 19))  # Fri 20 Nov, a day late
        s.delivered(at(2026, 11, 15, 8))  # Sun 15 Nov: the week of Mon 9 Nov
    o = figures(rt, build)
    assert [(r.label, r.on_time, r.delivered) for r in o.on_time_by_week] == [("2026-11-09", 1, 1), ("2026-11-16", 1, 2)]


def test_incidents_opened_and_cleared_are_counted_per_utc_day_over_thirty_days(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        p = s.parcel()
        s.incident("late", p, opened_at=at(2026, 11, 19, 23, 59))
        s.incident("stuck", p, opened_at=at(2026, 11, 20, 0, 1), cleared_at=at(2026, 11, 20, 9))
        s.incident("stuck", s.parcel(), opened_at=at(2026, 10, 22, 0, 0))  # the first day of the window
        s.incident("stuck", s.parcel(), opened_at=at(2026, 10, 21, 23, 0), cleared_at=at(2026, 10, 22, 1))
    o = figures(rt, build)
    days = {d.day: (d.opened, d.cleared) for d in o.incidents_by_day}
    assert o.incidents_by_day[0].day == date(2026, 10, 22)
    assert days[date(2026, 11, 19)] == (1, 0) and days[date(2026, 11, 20)] == (1, 1)
    assert days[date(2026, 10, 22)] == (1, 1)  # opened the day before the window: only its clearing counts
    assert sum(d.opened for d in o.incidents_by_day) == 3


def test_customers_told_and_contacts_avoided(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        quiet, wrote_after, wrote_before, twice = s.order(), s.order(), s.order(), s.order()
        s.message(quiet, ago(days=2))
        s.message(wrote_after, ago(days=3))
        s.add(ProblemReport(shop_id=s.shop.id, order_id=wrote_after.id, kind="late", details="where?", created_at=ago(days=1)))
        s.add(ProblemReport(shop_id=s.shop.id, order_id=wrote_before.id, kind="late", details="?", created_at=ago(days=5)))
        s.message(wrote_before, ago(days=4))  # told after they had written: told, but no contact was spared
        s.message(twice, ago(days=6))
        s.message(twice, ago(days=1), status="delivered")
        s.message(s.order(), None, status="suppressed")  # never sent
        s.message(s.order(), ago(days=1), incident=False)  # a "shipped" notice: not about a problem
        s.message(s.order(), ago(days=40))  # before the window
    o = figures(rt, build)
    assert (o.customers_told, o.messages_sent, o.contacts_avoided) == (4, 5, 2)


def test_cases_by_status_past_due_solved_and_breached(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        s.case(s.order(), due=ago(hours=2))  # open, past due, no response yet
        s.case(s.order(), due=ago(hours=2), responded=ago(hours=3))  # answered in time: not past due
        s.case(s.order(), status="pending", due=NOW + timedelta(hours=3))
        s.case(s.order(), status="resolved", opened_at=ago(days=3), resolved_at=ago(days=1), breached=True)
        s.case(s.order(), status="closed", opened_at=ago(days=60), due=ago(days=59), resolved_at=ago(days=10), breached=True)
    o = figures(rt, build)
    assert o.cases_by_status == {"open": 2, "pending": 1, "resolved": 1, "closed": 0}
    assert (o.cases_open, o.cases_past_due, o.cases_opened, o.cases_solved, o.cases_breached) == (3, 1, 4, 2, 1)


def test_satisfaction_is_the_average_and_distribution_of_recent_answers(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        for score, when in [(5, ago(days=1)), (4, ago(days=2)), (5, ago(days=3)), (1, ago(days=4)), (2, ago(days=120))]:
            s.add(SurveyAnswer(shop_id=s.shop.id, order_id=s.order().id, score=score, created_at=when))
    o = figures(rt, build)
    assert o.satisfaction_count == 4 and o.satisfaction_average == 3.75
    assert o.satisfaction_distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}


def test_needs_attention_lists_cases_due_first_then_uncovered_incidents_worst_first(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        covered = s.order(customer_first_name="Ana", customer_last_name="Ruiz")
        s.case(covered, due=NOW + timedelta(hours=5))
        s.case(s.order(), due=ago(hours=1), priority="urgent")
        s.case(s.order(), status="resolved")
        s.incident("presumed_lost", s.parcel(covered))  # its order has a case: not listed again
        late = s.parcel()
        s.incident("late", late, opened_at=ago(days=2))
        lost = s.parcel()
        s.incident("presumed_lost", lost, opened_at=ago(hours=1), reason="no scan for 9 days")
        s.incident("unfulfilled", order=s.order())
    o = figures(rt, build)
    assert [(a.what, a.kind or a.priority) for a in o.attention] == [
        ("case", "urgent"), ("case", "normal"), ("incident", "presumed_lost"), ("incident", "late"),
        ("incident", "unfulfilled")]
    assert o.attention[0].overdue and not o.attention[1].overdue and o.attention[1].customer == "Ana Ruiz"
    assert o.attention[2].reason == "no scan for 9 days" and o.attention[2].shipment_id is not None
    assert o.attention[4].shipment_id is None


def test_figures_are_only_the_shops_own(rt: Runtime) -> None:
    with rt.uow() as uow:
        other = Seed(uow, "other.myshopify.com")
        other.incident("late", other.parcel())
        other.delivered(ago(days=1))
        other.case(other.order())
        other.message(other.order(), ago(days=1))
        uow.commit()
    o = figures(rt, lambda s: None)
    assert not o.has_activity and o.customers_told == 0 and o.on_time.delivered == 0 and o.attention == []


def test_chart_data_carries_labels_and_series(rt: Runtime) -> None:
    def build(s: Seed) -> None:
        s.incident("late", s.parcel())
        s.delivered(ago(days=1))
    data = insights.chart_data(figures(rt, build))
    assert data["at_risk"] == {"labels": ["Late"], "affected": [1], "parcels": [1], "orders": [1], "priority": ["normal"]}
    assert data["on_time_by_carrier"]["percent"] == [100.0]
    assert len(data["incidents"]["opened"]) == insights.ACTIVITY_DAYS and data["incidents"]["opened"][-1] == 1
    assert data["cases"]["labels"] == ["open", "pending", "resolved", "closed"]
