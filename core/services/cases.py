"""Support cases: one per order problem. Incidents open or join the order's case; a problem that comes back
reopens it; the case resolves itself when the parcel arrives. Priority follows the worst incident, the SLA
the shop's response targets in working hours (defaults: urgent 4 h, high 8 h, normal 24 h)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from core.domain import events
from core.domain.calendar import add_business_hours, calendar_for
from core.domain.model import Case, CaseNote, CaseStatus, Incident, Order, ProblemReport, ReportPhoto, Shipment, ShopStatus
from core.domain import policy as policy_rules
from core.domain.policy import Policy
from core.domain.rules import CARRIER_NAMES
from core.domain.status import ShipmentStatus
from core.services import messaging
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

PRIORITY_OF_KIND = {"presumed_lost": "urgent", "damaged": "urgent", "needs_action": "high", "returning": "high"}
RANK = {"normal": 0, "high": 1, "urgent": 2}
SLA_HOURS = {"urgent": 4, "high": 8, "normal": 24}
#: Incident kinds that open a case unless the shop chose its own (Policy.case_kinds, the admin's Rules page).
CASE_KINDS = policy_rules.CASE_KINDS
ACTIVE = (CaseStatus.OPEN, CaseStatus.PENDING)
SUBJECTS = {
    "late": "{carrier} parcel late", "stuck": "{carrier} parcel stuck", "presumed_lost": "{carrier} parcel presumed lost",
    "damaged": "{carrier} parcel damaged", "needs_action": "{carrier} delivery needs action",
    "returning": "{carrier} parcel returning to sender", "not_picked_up": "{carrier} has not picked up the parcel",
    "unfulfilled": "not shipped yet", "partial": "items missing from the shipment", "running_late": "{carrier} parcel running late",
    # reported by the customer (core/domain/reports.py)
    "not_received": "customer has not received the parcel", "wrong_item": "customer received the wrong item",
    "missing_item": "customer reports a missing item", "address_change": "customer asks to change the address",
    "cancellation": "customer asks to cancel",
}


def subject(order_name: str, kind: str, carrier: str | None, since: datetime | None) -> str:
    name = CARRIER_NAMES.get(carrier or "", (carrier or "").replace("_", " ").title() or "the")
    text = SUBJECTS.get(kind, kind.replace("_", " ")).format(carrier=name).strip()
    when = f" since {since:%a}" if since and kind in ("stuck", "late") else ""
    return f"Order {order_name} — {text}{when}"


def note(uow: UnitOfWork, case: Case, body: str, now: datetime, author: str = "Forewarn") -> None:
    uow.repo.add(CaseNote(case_id=case.id, author=author, body=body, created_at=now))
    case.updated_at = now


def sla_due(uow: UnitOfWork, order_id: int, priority: str, now: datetime, policy: Policy) -> datetime:
    order = uow.repo.order_by_id(order_id)
    country = order.shipping_address.country_code if order and order.shipping_address else None
    # the support team works in the shop's time; its origin country stands for it when known
    calendar = calendar_for(policy.origin_country or country, policy.closed_days)
    return add_business_hours(calendar, now, SLA_HOURS[priority])


def on_incident_opened(event: events.IncidentOpened, uow: UnitOfWork, now: datetime) -> None:
    """An incident joins the order's active case; it opens one only when the shop's policy says its kind does."""
    shipment = uow.repo.shipment_by_id(event.shipment_id) if event.shipment_id else None
    shop = uow.repo.shop_by_id(event.shop_id)
    opens = event.kind in Policy.from_dict(shop.policy if shop else None).case_kinds
    open_or_join(uow, event.shop_id, event.order_id, event.kind, PRIORITY_OF_KIND.get(event.kind, "normal"),
                 f"{event.kind.replace('_', ' ')}: {event.reason}", now, shipment=shipment, opens=opens)


def on_problem_reported(event: events.ProblemReported, uow: UnitOfWork, now: datetime) -> None:
    """A customer's report is kept as they wrote it, with its photos, and always reaches a case: the order's
    open one, its last one reopened, or a new one led by the reported problem."""
    from core.domain import reports

    problem, priority = reports.KINDS[event.kind]
    shop, order = uow.repo.shop_by_id(event.shop_id), uow.repo.order_by_id(event.order_id)
    if shop is None or order is None or order.shop_id != shop.id or order.redacted \
            or shop.status not in (ShopStatus.INSTALLED, ShopStatus.NEEDS_REAUTH):
        log.warning("a report on order %s of shop %s was not recorded: uninstalled, deleted or forgotten",
                    event.order_id, event.shop_id)
        return
    report = ProblemReport(shop_id=event.shop_id, order_id=event.order_id, kind=event.kind, details=event.details,
                           locale=event.locale, photo_count=len(event.photos), created_at=now)
    uow.repo.add(report)
    uow.repo.flush()
    body = reports.note_text(reports.Report(event.kind, event.details, tuple(reports.Photo(n, d) for n, _, d in event.photos)),
                             event.locale)
    shipments = [s for s in uow.repo.shipments_of_order(event.order_id) if not s.superseded and s.tracking_number]
    case = open_or_join(uow, event.shop_id, event.order_id, problem, priority, body, now,
                        shipment=shipments[0] if shipments else None, author="Customer")
    assert case is not None  # a report always opens
    # someone is waiting on the other end now: the case is open and a response is due — by the SLA it had if
    # nobody has answered yet, else a fresh one from now
    due = sla_due(uow, event.order_id, case.priority, now, Policy.from_dict(shop.policy))
    waiting = case.status == CaseStatus.OPEN and case.first_response_at is None
    case.sla_due_at = min(case.sla_due_at, due) if waiting else due
    if not waiting:
        case.status, case.first_response_at, case.sla_breached = CaseStatus.OPEN, None, False
    case.customer_reported_at = now
    report.case_id = case.id
    for filename, content_type, data in event.photos:
        uow.repo.add(ReportPhoto(report_id=report.id, case_id=case.id, content_type=content_type, filename=filename,
                                 data=data, created_at=now))
    log.info("customer reported %s on order %s (case %s)", event.kind, event.order_id, case.id)


def open_or_join(
    uow: UnitOfWork, shop_id: int, order_id: int, kind: str, priority: str, body: str, now: datetime, *,
    shipment: Shipment | None = None, opens: bool = True, author: str = "Forewarn",
) -> Case | None:
    """The order's case for a problem: the active one joined (a worse problem leads it from then on), the
    last one reopened when the problem came back, or a new one (when `opens`). `body` becomes its note."""
    shop = uow.repo.shop_by_id(shop_id)
    policy = Policy.from_dict(shop.policy if shop else None)
    # the order's row lock serializes its case across the web (reports) and the workers (incidents):
    # two of them never both open a case for one order
    uow.session.get(Order, order_id, with_for_update=True)
    cases = list(uow.session.scalars(select(Case).where(Case.order_id == order_id).order_by(Case.id.desc())))
    active = next((c for c in cases if c.status in ACTIVE), None)
    order = uow.repo.order_by_id(order_id)
    order_name = order.name if order else str(order_id)
    carrier, since = (shipment.carrier, shipment.last_event_at) if shipment else (None, None)
    if active is not None:
        if kind not in active.kinds:
            active.kinds = [*active.kinds, kind]
        if RANK[priority] > RANK[active.priority]:  # a worse problem leads the case now
            active.priority, active.problem = priority, kind
            active.subject = subject(order_name, kind, carrier, since)
            active.sla_due_at = min(active.sla_due_at, sla_due(uow, order_id, priority, now, policy))
        note(uow, active, body, now, author)
        uow.collect(events.CaseUpdated(active.id, active.shop_id, active.order_id))
        return active
    if not opens:
        return None
    previous = cases[0] if cases else None
    if previous is not None:  # the problem came back: the same case, reopened
        previous.status, previous.resolved_at = CaseStatus.OPEN, None
        previous.reopened_count += 1
        previous.kinds = sorted({*previous.kinds, kind})
        previous.priority, previous.problem = priority, kind
        previous.subject = subject(order_name, kind, carrier, since)
        previous.sla_due_at, previous.sla_breached = sla_due(uow, order_id, priority, now, policy), False
        previous.first_response_at = None  # a new problem waits for a new first response
        note(uow, previous, f"reopened — {body}", now, author)
        uow.collect(events.CaseReopened(previous.id, shop_id, order_id))
        return previous
    case = Case(
        shop_id=shop_id, order_id=order_id, problem=kind, priority=priority, subject=subject(order_name, kind, carrier, since),
        opened_at=now, sla_due_at=sla_due(uow, order_id, priority, now, policy), kinds=[kind], updated_at=now,
    )
    uow.repo.add(case)
    uow.repo.flush()
    note(uow, case, body, now, author)
    uow.collect(events.CaseOpened(case.id, shop_id, order_id, kind))
    log.info("case %s opened for order %s (%s)", case.id, order_id, kind)
    return case


def on_incident_cleared(event: events.IncidentCleared, uow: UnitOfWork, now: datetime) -> None:
    case = uow.session.scalars(
        select(Case).where(Case.order_id == event.order_id, Case.status.in_(ACTIVE)).order_by(Case.id.desc())
    ).first()
    if case is None:
        return
    note(uow, case, f"{event.kind.replace('_', ' ')} cleared: {event.reason}", now)
    if not settle(uow, case, now):
        uow.collect(events.CaseUpdated(case.id, case.shop_id, case.order_id))


def settle(uow: UnitOfWork, case: Case, now: datetime) -> bool:
    """With no problem left: resolved once every parcel arrived, else pending until they do. True if resolved."""
    still_open = uow.session.scalars(
        select(Incident.id).where(Incident.order_id == case.order_id, Incident.status == "open")
    ).first()
    if still_open is not None:
        return False
    if case.customer_reported_at is not None:
        return False  # the customer told us something is wrong: a person answers it, a delivery scan does not
    shipments = [s for s in uow.repo.shipments_of_order(case.order_id) if not s.superseded and s.tracking_number]
    if shipments and all(s.status == ShipmentStatus.DELIVERED for s in shipments):
        last = max(s.delivered_at or now for s in shipments)
        told = messaging.customer_told(uow, case.order_id)
        if told == "pending":  # delivered, and the customer is being told: the case resolves once they are
            case.status = CaseStatus.PENDING
            return False
        case.status, case.resolved_at = CaseStatus.RESOLVED, now
        said = {"told": "; the customer was told", "not_told": "; the customer could not be told (see the send log)"}.get(
            told or "", "")
        note(uow, case, f"resolved by Forewarn: delivered {last:%a %d %b %H:%M} UTC{said}; no problem left on the order", now)
        uow.collect(events.CaseResolved(case.id, case.shop_id, case.order_id))
        return True
    if case.status == CaseStatus.OPEN:
        case.status = CaseStatus.PENDING  # nothing wrong right now: waiting for the parcel to arrive
    return False


def on_status_changed(event: events.ShipmentStatusChanged, uow: UnitOfWork, now: datetime) -> None:
    """A parcel arriving settles its order's case (the incidents' own clearing comes in the same chain)."""
    if event.status != ShipmentStatus.DELIVERED:
        return
    case = uow.session.scalars(
        select(Case).where(Case.order_id == event.order_id, Case.status.in_(ACTIVE)).order_by(Case.id.desc())
    ).first()
    if case is not None:
        settle(uow, case, now)


def on_message_finished(event: events.MessageFinished, uow: UnitOfWork, now: datetime) -> None:
    """A case waiting for the customer to hear of the delivery settles once the message went (or could not)."""
    case = uow.session.scalars(
        select(Case).where(Case.order_id == event.order_id, Case.status.in_(ACTIVE)).order_by(Case.id.desc())
    ).first()
    if case is not None:
        settle(uow, case, now)


def _lock(uow: UnitOfWork, case: Case) -> None:
    """The order's row lock, as open_or_join takes it: a person's change and a worker's incident on the same
    order never interleave; the case is read again under it."""
    uow.session.get(Order, case.order_id, with_for_update=True)
    uow.session.refresh(case)


def _resolve(uow: UnitOfWork, case: Case, now: datetime, by: str) -> bool:
    """A person resolved the case from the admin: it counts as the response, and answers the customer's
    report. False when it was resolved already."""
    if case.status not in ACTIVE:
        return False
    case.status, case.resolved_at = CaseStatus.RESOLVED, now
    case.customer_reported_at = None  # a person answered the customer's report
    case.first_response_at = case.first_response_at or now
    note(uow, case, "Resolved", now, by)
    return True


def _close(uow: UnitOfWork, case: Case, now: datetime, by: str) -> bool:
    """Closed: resolved and put away. False when it was closed already."""
    if case.status == CaseStatus.CLOSED:
        return False
    if case.status in ACTIVE:
        case.resolved_at = now
        case.first_response_at = case.first_response_at or now
    case.status, case.customer_reported_at = CaseStatus.CLOSED, None
    note(uow, case, "Closed", now, by)
    return True


def _reopen(uow: UnitOfWork, case: Case, now: datetime, by: str, status: str = CaseStatus.OPEN) -> bool:
    """A person reopened a resolved or closed case: like a problem coming back (open_or_join), it counts in
    `reopened_count`, waits for a new first response and gets a new SLA from now. A person reopened it, so a
    person resolves it again — a delivery scan does not (the hold a customer's report puts on a case,
    settle()). False when it was still open or pending."""
    if case.status in ACTIVE:
        return False
    shop = uow.repo.shop_by_id(case.shop_id)
    case.status, case.resolved_at = status, None
    case.reopened_count += 1
    case.sla_due_at = sla_due(uow, case.order_id, case.priority, now, Policy.from_dict(shop.policy if shop else None))
    case.sla_breached, case.first_response_at = False, None
    case.customer_reported_at = now
    note(uow, case, f"Reopened{' (pending)' if status == CaseStatus.PENDING else ''}: a response is due by "
                    f"{case.sla_due_at:%a %d %b %H:%M} UTC", now, by)
    return True


def set_status_by_person(uow: UnitOfWork, case: Case, status: str, now: datetime, by: str) -> bool:
    """The status a person chose in the admin, with what each change means (see the functions above); between
    open and pending it is only a status (and the response). Call it before changing anything else on the
    case: it reads the case again under the order's lock. False when nothing changed."""
    _lock(uow, case)
    if status == CaseStatus.RESOLVED:
        return _resolve(uow, case, now, by)
    if status == CaseStatus.CLOSED:
        return _close(uow, case, now, by)
    if case.status not in ACTIVE:
        return _reopen(uow, case, now, by, status)
    if case.status == status:
        return False
    case.status = status
    case.first_response_at = case.first_response_at or now
    note(uow, case, "Marked pending: waiting on the carrier or the customer" if status == CaseStatus.PENDING
         else "Marked open", now, by)
    return True


def flag_sla_breaches(uow: UnitOfWork, shop_id: int | None, now: datetime) -> int:
    query = select(Case).where(Case.status.in_(ACTIVE), Case.sla_breached.is_(False), Case.first_response_at.is_(None),
                               Case.sla_due_at < now)
    if shop_id is not None:
        query = query.where(Case.shop_id == shop_id)
    breached = list(uow.session.scalars(query))
    for case in breached:
        case.sla_breached = True
        note(uow, case, f"SLA breached: no first response by {case.sla_due_at:%a %d %b %H:%M} UTC", now)
    return len(breached)
