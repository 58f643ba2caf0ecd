"""The overview's figures for one shop at a given moment: what is at risk now, how carriers keep their dates,
what Forewarn did (incidents, customers told, cases) and what it spared the team (contacts avoided).

Every figure is an aggregate the database computes (GROUP BY / COUNT / SUM), so the page costs the same for a
shop with ten parcels or a hundred thousand; Python only reshapes the few grouped rows (days into weeks, a
score distribution into an average). Days are UTC calendar days, computed in SQL by `utc_day`, which reads
the same on SQLite (the demo) and PostgreSQL. `now` is always given: nothing here reads the clock.

Definitions (shown to the merchant on the page, keep them in step with overview.html):
- *On time*: a delivered parcel with a carrier estimate arrived on or before the estimated day (UTC calendar
  day); one without an estimate arrived without Forewarn ever finding it late, stuck or presumed lost.
- *Customers told*: orders whose customer was sent (or delivered) a message about an incident.
- *Contacts avoided*: of those orders, the ones whose customer has not reported a problem themselves (so far):
  not after Forewarn's first message, and not before it either (a customer who wrote first was not spared).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from core.domain.model import (
    Case, CaseStatus, Incident, Message, MessageStatus, Order, ProblemReport, Shipment, SurveyAnswer,
)
from core.domain.rules import CARRIER_NAMES
from core.domain.status import ShipmentStatus
from core.services.cases import PRIORITY_OF_KIND

ACTIVITY_DAYS = 30  # incidents per day, customers told, cases: the last 30 days
ON_TIME_DAYS = 90  # on-time rates and satisfaction: parcels delivered / answers given in the last 90 days
ATTENTION_ROWS = 5  # per list in "needs attention"

#: What a merchant reads for each incident kind (DESIGN.md §4).
KIND_LABELS = {
    "presumed_lost": "Presumed lost", "damaged": "Damaged", "needs_action": "Needs the customer's action",
    "returning": "Returning to you", "late": "Late", "running_late": "Carrier reports a delay",
    "stuck": "Stuck (no scan)", "not_picked_up": "Not picked up", "unfulfilled": "Not shipped in time",
    "partial": "Partly shipped",
}
#: The worst first: the order of "needs attention" and of the at-risk chart's ties.
SEVERITY = tuple(KIND_LABELS)
#: Incidents that make a parcel without a carrier estimate count as not on time.
NOT_ON_TIME_KINDS = ("late", "stuck", "presumed_lost")
TOLD = (MessageStatus.SENT, MessageStatus.DELIVERED)
ACTIVE_CASES = (CaseStatus.OPEN, CaseStatus.PENDING)
CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED)


class utc_day(FunctionElement[str]):
    """A timestamp's UTC calendar day, comparable and groupable on SQLite and PostgreSQL alike: 'YYYY-MM-DD' text
    on SQLite, a date on PostgreSQL (read back with `str(day)[:10]` either way). Cheap on purpose: it runs on
    every delivered parcel of the last 90 days."""

    type = String()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite holds our timestamps as UTC text, "YYYY-MM-DD HH:MM:SS…" (core/adapters/orm.py UTCDateTime)
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


# -- the figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    parcels: int
    orders: int

    @property
    def priority(self) -> str:
        """The priority a case for this kind gets (urgent | high | normal): the chart's tone."""
        return PRIORITY_OF_KIND.get(self.kind, "normal")

    @property
    def affected(self) -> int:
        """Parcels, or orders for a problem before shipping (no parcel yet): what the chart's bar measures."""
        return self.parcels or self.orders


@dataclass(frozen=True)
class Rate:
    """Parcels delivered on time out of those delivered, under one label (a carrier, a week)."""

    label: str
    delivered: int
    on_time: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.delivered, 1) if self.delivered else None


@dataclass(frozen=True)
class DayCount:
    day: date
    opened: int
    cleared: int


@dataclass(frozen=True)
class Attention:
    """One line of "needs attention": an open case, or an open incident no case covers yet."""

    what: str  # case | incident
    id: int  # the case's or the incident's id
    title: str
    order: str
    customer: str | None
    since: datetime
    due: datetime | None = None
    overdue: bool = False
    priority: str | None = None
    kind: str | None = None
    reason: str | None = None
    shipment_id: int | None = None


@dataclass(frozen=True)
class Overview:
    now: datetime
    at_risk: list[KindCount]
    parcels_at_risk: int
    orders_at_risk: int
    on_time_by_carrier: list[Rate]
    on_time_by_week: list[Rate]
    on_time: Rate
    incidents_by_day: list[DayCount]
    customers_told: int
    messages_sent: int
    contacts_avoided: int
    cases_by_status: dict[str, int]
    cases_open: int
    cases_past_due: int
    cases_opened: int
    cases_solved: int
    cases_breached: int
    satisfaction_count: int
    satisfaction_average: float | None
    satisfaction_distribution: dict[int, int]
    attention: list[Attention] = field(default_factory=list)

    @property
    def has_activity(self) -> bool:
        """Whether Forewarn has anything to show yet (a new shop has nothing)."""
        return bool(self.parcels_at_risk or self.orders_at_risk or self.on_time.delivered or self.cases_opened
                    or self.cases_open or any(d.opened or d.cleared for d in self.incidents_by_day))


def overview(session: Session, shop_id: int, now: datetime) -> Overview:
    """All the overview's figures for one shop at `now`."""
    activity_start = _day_start(now) - timedelta(days=ACTIVITY_DAYS - 1)
    at_risk, parcels, orders = _at_risk(session, shop_id)
    by_carrier, by_week, overall = _on_time(session, shop_id, now)
    cases = _cases(session, shop_id, now, activity_start)
    told, sent, avoided = _told(session, shop_id, activity_start)
    count, average, distribution = _satisfaction(session, shop_id, now - timedelta(days=ON_TIME_DAYS))
    return Overview(
        now=now, at_risk=at_risk, parcels_at_risk=parcels, orders_at_risk=orders, on_time_by_carrier=by_carrier,
        on_time_by_week=by_week, on_time=overall, incidents_by_day=_incidents_by_day(session, shop_id, now),
        customers_told=told, messages_sent=sent, contacts_avoided=avoided, **cases, satisfaction_count=count,
        satisfaction_average=average, satisfaction_distribution=distribution,
        attention=_attention(session, shop_id, now),
    )


def _day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _at_risk(session: Session, shop_id: int) -> tuple[list[KindCount], int, int]:
    """Open incidents by kind: how many parcels and orders each touches, and the distinct totals."""
    open_ = and_(Incident.shop_id == shop_id, Incident.status == "open")
    rows = session.execute(select(Incident.kind, func.count(Incident.shipment_id.distinct()),
                                  func.count(Incident.order_id.distinct())).where(open_).group_by(Incident.kind)).all()
    parcels, orders = session.execute(select(func.count(Incident.shipment_id.distinct()),
                                             func.count(Incident.order_id.distinct())).where(open_)).one()
    severity = {k: i for i, k in enumerate(SEVERITY)}
    kinds = [KindCount(kind, KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()), p, o) for kind, p, o in rows]
    kinds.sort(key=lambda k: (-k.affected, severity.get(k.kind, len(severity))))
    return kinds, parcels or 0, orders or 0


def _on_time(session: Session, shop_id: int, now: datetime) -> tuple[list[Rate], list[Rate], Rate]:
    """Delivered parcels of the last ON_TIME_DAYS days, on time or not, grouped by carrier and UTC day in SQL;
    the (at most carriers × 90) groups are then summed per carrier and per week."""
    # IN (subquery), not a join: SQLite and PostgreSQL both build the flagged set once (an index, a hash).
    flagged = select(Incident.shipment_id).where(Incident.shop_id == shop_id, Incident.shipment_id.is_not(None),
                                                Incident.kind.in_(NOT_ON_TIME_KINDS))
    on_time = case(
        (Shipment.estimated_delivery_at.is_not(None),
         case((utc_day(Shipment.delivered_at) <= utc_day(Shipment.estimated_delivery_at), 1), else_=0)),
        (Shipment.id.in_(flagged), 0), else_=1)
    day = utc_day(Shipment.delivered_at)
    rows = session.execute(
        select(Shipment.carrier, day, func.count(), func.sum(on_time))
        .where(Shipment.shop_id == shop_id, Shipment.status == ShipmentStatus.DELIVERED,
               Shipment.superseded.is_(False), Shipment.delivered_at.is_not(None),
               Shipment.delivered_at >= now - timedelta(days=ON_TIME_DAYS), Shipment.delivered_at <= now)
        .group_by(Shipment.carrier, day)).all()
    carriers: dict[str, list[int]] = {}
    weeks: dict[date, list[int]] = {}
    for name, day_text, delivered, punctual in rows:
        d = date.fromisoformat(str(day_text)[:10])
        for bucket in (carriers.setdefault(name or "other", [0, 0]), weeks.setdefault(d - timedelta(days=d.weekday()), [0, 0])):
            bucket[0] += delivered
            bucket[1] += punctual or 0
    by_carrier = sorted((Rate(_carrier_label(n), d, t) for n, (d, t) in carriers.items()), key=lambda r: -r.delivered)
    by_week = [Rate(week.isoformat(), d, t) for week, (d, t) in sorted(weeks.items())]
    total = Rate("all carriers", sum(r.delivered for r in by_carrier), sum(r.on_time for r in by_carrier))
    return by_carrier, by_week, total


def _carrier_label(code: str) -> str:
    return CARRIER_NAMES.get(code) or code.replace("_", " ").title()


def _incidents_by_day(session: Session, shop_id: int, now: datetime) -> list[DayCount]:
    """Incidents opened and cleared on each of the last ACTIVITY_DAYS UTC days (today included)."""
    today = now.date()
    start = _day_start(now) - timedelta(days=ACTIVITY_DAYS - 1)

    def per_day(column: Any) -> dict[str, int]:
        day = utc_day(column)
        rows = session.execute(select(day, func.count()).where(Incident.shop_id == shop_id, column >= start,
                                                              column <= now).group_by(day)).all()
        return {str(d)[:10]: n for d, n in rows}

    opened, cleared = per_day(Incident.opened_at), per_day(Incident.cleared_at)
    days = [today - timedelta(days=n) for n in range(ACTIVITY_DAYS - 1, -1, -1)]
    return [DayCount(d, opened.get(d.isoformat(), 0), cleared.get(d.isoformat(), 0)) for d in days]


def _told(session: Session, shop_id: int, start: datetime) -> tuple[int, int, int]:
    """Orders first told of a problem since `start`, messages sent about problems since then, and the told
    orders whose customer has reported no problem themselves (before or after being told)."""
    about_problem = and_(Message.shop_id == shop_id, Message.incident_id.is_not(None), Message.status.in_(TOLD),
                         Message.sent_at.is_not(None))
    sent = session.scalar(select(func.count()).select_from(Message).where(about_problem, Message.sent_at >= start))
    # orders told in the window whose first such message is in it: read from the window's messages (an index
    # range), each checked for an earlier one — never the shop's whole message history
    earlier = aliased(Message)
    told_before = (select(earlier.id).where(earlier.order_id == Message.order_id, earlier.incident_id.is_not(None),
                                            earlier.status.in_(TOLD), earlier.sent_at < start).exists())
    first = (select(Message.order_id).where(about_problem, Message.sent_at >= start, ~told_before)
             .group_by(Message.order_id).subquery())
    reports = (select(ProblemReport.order_id).where(ProblemReport.shop_id == shop_id)
               .group_by(ProblemReport.order_id).subquery())
    avoided = case((reports.c.order_id.is_(None), 1), else_=0)
    told, spared = session.execute(select(func.count(), func.sum(avoided)).select_from(first)
                                   .outerjoin(reports, reports.c.order_id == first.c.order_id)).one()
    return told or 0, sent or 0, spared or 0


def _cases(session: Session, shop_id: int, now: datetime, start: datetime) -> dict[str, Any]:
    """Cases opened since `start` by where they stand now; open ones and those past their SLA (all ages)."""
    by_status = dict(session.execute(select(Case.status, func.count()).where(
        Case.shop_id == shop_id, Case.opened_at >= start).group_by(Case.status)).all())
    active = and_(Case.shop_id == shop_id, Case.status.in_(ACTIVE_CASES))
    open_now, past_due = session.execute(select(
        func.count(), func.sum(case((and_(Case.first_response_at.is_(None), Case.sla_due_at < now), 1), else_=0)))
        .where(active)).one()
    solved = session.scalar(select(func.count()).select_from(Case).where(
        Case.shop_id == shop_id, Case.resolved_at >= start, Case.resolved_at <= now))
    breached = session.scalar(select(func.count()).select_from(Case).where(
        Case.shop_id == shop_id, Case.opened_at >= start, Case.sla_breached.is_(True)))
    return {"cases_by_status": {s: by_status.get(s, 0) for s in CASE_STATUSES}, "cases_open": open_now or 0,
            "cases_past_due": past_due or 0, "cases_opened": sum(by_status.values()), "cases_solved": solved or 0,
            "cases_breached": breached or 0}


def _satisfaction(session: Session, shop_id: int, since: datetime) -> tuple[int, float | None, dict[int, int]]:
    """Survey answers (1–5) since `since`: how many, their average and how many gave each score."""
    rows = session.execute(select(SurveyAnswer.score, func.count()).where(
        SurveyAnswer.shop_id == shop_id, SurveyAnswer.created_at >= since).group_by(SurveyAnswer.score)).all()
    distribution = {score: 0 for score in range(1, 6)}
    for score, n in rows:
        distribution[int(score)] = distribution.get(int(score), 0) + n
    count = sum(distribution.values())
    average = round(sum(s * n for s, n in distribution.items()) / count, 2) if count else None
    return count, average, distribution


def _attention(session: Session, shop_id: int, now: datetime) -> list[Attention]:
    """The open cases whose response is due soonest (overdue first), then the worst open incidents that no
    open case covers yet (a team that works its cases sees the rest here)."""
    cases = session.execute(
        select(Case.id, Case.subject, Case.priority, Case.status, Case.opened_at, Case.sla_due_at,
               Case.first_response_at, Order.name, Order.customer_first_name, Order.customer_last_name)
        .join(Order, Order.id == Case.order_id)
        .where(Case.shop_id == shop_id, Case.status.in_(ACTIVE_CASES))
        .order_by(Case.sla_due_at, Case.id).limit(ATTENTION_ROWS)).all()
    rows = [Attention("case", cid, subject, name, _name(first, last), opened, due=due, priority=priority,
                      overdue=responded is None and due < now)
            for cid, subject, priority, _status, opened, due, responded, name, first, last in cases]
    covered = select(Case.order_id).where(Case.shop_id == shop_id, Case.status.in_(ACTIVE_CASES))
    severity = case({k: i for i, k in enumerate(SEVERITY)}, value=Incident.kind, else_=len(SEVERITY))
    incidents = session.execute(
        select(Incident.id, Incident.kind, Incident.reason, Incident.opened_at, Incident.shipment_id, Order.name,
               Order.customer_first_name, Order.customer_last_name)
        .join(Order, Order.id == Incident.order_id)
        .where(Incident.shop_id == shop_id, Incident.status == "open", Incident.order_id.not_in(covered))
        .order_by(severity, Incident.opened_at, Incident.id).limit(ATTENTION_ROWS)).all()
    rows += [Attention("incident", iid, KIND_LABELS.get(kind, kind), name, _name(first, last), opened, kind=kind,
                       reason=reason, shipment_id=shipment_id)
             for iid, kind, reason, opened, shipment_id, name, first, last in incidents]
    return rows


def _name(first: str | None, last: str | None) -> str | None:
    return " ".join(p for p in (first, last) if p) or None


def chart_data(o: Overview) -> dict[str, Any]:
    """The charts' data, as the page's JSON block carries it (labels and series only; text is the template's)."""
    return {
        "at_risk": {"labels": [k.label for k in o.at_risk], "affected": [k.affected for k in o.at_risk],
                    "parcels": [k.parcels for k in o.at_risk], "orders": [k.orders for k in o.at_risk],
                    "priority": [k.priority for k in o.at_risk]},
        "on_time_by_carrier": _rates(o.on_time_by_carrier),
        "on_time_by_week": _rates(o.on_time_by_week),
        "incidents": {"labels": [d.day.isoformat() for d in o.incidents_by_day],
                      "opened": [d.opened for d in o.incidents_by_day],
                      "cleared": [d.cleared for d in o.incidents_by_day]},
        "cases": {"labels": list(o.cases_by_status), "counts": list(o.cases_by_status.values())},
    }


def _rates(rates: Sequence[Rate]) -> dict[str, list[Any]]:
    return {"labels": [r.label for r in rates], "percent": [r.percent for r in rates],
            "delivered": [r.delivered for r in rates], "on_time": [r.on_time for r in rates]}
