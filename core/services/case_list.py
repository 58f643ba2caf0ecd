"""The admin's cases list: its filters, the most urgent cases first, one page at a time. One lean query (the
case's own columns, its order's name and customer, its ticket) filtered, sorted and limited in SQL, so a shop
with tens of thousands of cases opens the list as fast as one with ten; counts per status beside it.
(`views.case_views` reads one case whole — notes, reports, photos, reply — for the case's own page.)"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from core.domain.model import Case, CaseTicket, Order, ProblemReport
from core.domain.sla import DUE_SOON, SlaState, sla_state

STATUSES = ("open", "pending", "resolved", "closed")
ACTIVE = ("open", "pending")
SLA_FILTERS = {"breached": "Breached or overdue", "due_soon": "Due within 4 h"}
PRIORITIES = ("urgent", "high", "normal")
UNASSIGNED = "-"  # the assignee filter's "nobody"
PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilters:
    statuses: tuple[str, ...] = ACTIVE
    sla: str | None = None
    priority: str | None = None
    problem: str | None = None
    assignee: str | None = None  # UNASSIGNED: nobody
    page: int = 1

    def query(self) -> dict[str, Any]:
        """As query parameters, for links that keep them (the default statuses are left out)."""
        statuses = "" if self.statuses == ACTIVE else "all" if self.statuses == STATUSES else ",".join(self.statuses)
        return {"status": statuses, **self.narrowing()}

    def narrowing(self) -> dict[str, Any]:
        """The filters besides the status (the status tabs keep them)."""
        return {"sla": self.sla, "priority": self.priority, "problem": self.problem, "assignee": self.assignee}

    @property
    def narrowed(self) -> bool:
        return any((self.sla, self.priority, self.problem, self.assignee))


def parse_filters(args: Mapping[str, str], default_statuses: Sequence[str] = ACTIVE) -> tuple[CaseFilters, dict[str, str]]:
    """The filters from a query string, and what was wrong with it (each wrong value left out). Pure."""
    problems: dict[str, str] = {}
    raw = (args.get("status") or "").strip()
    statuses: tuple[str, ...] = tuple(default_statuses)
    if raw == "all":
        statuses = STATUSES
    elif raw:
        wanted = [s.strip() for s in raw.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            problems["status"] = f"unknown status {', '.join(unknown)}; one of {', '.join(STATUSES)} or all"
        statuses = tuple(s for s in STATUSES if s in wanted) or statuses

    def one_of(name: str, allowed: Sequence[str]) -> str | None:
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            problems[name] = f"unknown {name} {value}; one of {', '.join(allowed)}"
            return None
        return value or None

    page = 1
    if args.get("page"):
        try:
            page = max(int(args["page"]), 1)
        except ValueError:
            problems["page"] = "page is a number"
    problem = (args.get("problem") or "").strip()[:40] or None
    assignee = (args.get("assignee") or "").strip()[:80] or None
    return CaseFilters(statuses, one_of("sla", tuple(SLA_FILTERS)), one_of("priority", PRIORITIES), problem,
                       assignee, page), problems


@dataclass(frozen=True)
class CaseRow:
    """One line of the list."""

    id: int
    subject: str
    problem: str
    priority: str
    status: str
    sla: SlaState
    sla_due_at: datetime
    order_id: int
    order: str
    customer: str | None  # None: personal data removed, or no order webhook yet
    assignee: str | None
    labels: list[str]
    reopened: int
    ticket: dict[str, Any] | None
    report: dict[str, str] | None = None  # the customer's latest report, when there is one


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def _overdue(now: datetime) -> Any:
    """Past its response time with nobody having answered (the hourly job flags these `sla_breached`)."""
    return and_(Case.status.in_(ACTIVE), Case.first_response_at.is_(None), Case.sla_due_at < now)


def _where(shop_id: int, filters: CaseFilters, now: datetime) -> list[Any]:
    clauses: list[Any] = [Case.shop_id == shop_id, Case.status.in_(filters.statuses)]
    if filters.sla == "breached":
        clauses.append(or_(Case.sla_breached.is_(True), _overdue(now)))
    elif filters.sla == "due_soon":
        clauses += [Case.status.in_(ACTIVE), Case.first_response_at.is_(None), not_(Case.sla_breached),
                    Case.sla_due_at >= now, Case.sla_due_at < now + DUE_SOON]
    if filters.priority:
        clauses.append(Case.priority == filters.priority)
    if filters.problem:
        clauses.append(Case.problem == filters.problem)
    if filters.assignee == UNASSIGNED:
        clauses.append(or_(Case.assignee.is_(None), Case.assignee == ""))
    elif filters.assignee:
        clauses.append(Case.assignee == filters.assignee)
    return clauses


def _urgency(now: datetime) -> list[Any]:
    """Open work first; among it, breached, then waiting for a response by its due time; then the rest, the
    most recently resolved first."""
    active = case((Case.status.in_(ACTIVE), 0), else_=1)
    breached = case((or_(Case.sla_breached.is_(True), _overdue(now)), 0), else_=1)
    waiting = case((Case.first_response_at.is_(None), 0), else_=1)
    due = case((Case.status.in_(ACTIVE), Case.sla_due_at), else_=None)
    return [active, breached, waiting, due.asc().nulls_last(), Case.resolved_at.desc().nulls_last(), Case.id.desc()]


def status_counts(session: Session, shop_id: int, now: datetime) -> dict[str, int]:
    """Cases per status, in all ("all"), and the open ones past their response time ("breached")."""
    counts = {s: 0 for s in STATUSES}
    for status, n in session.execute(select(Case.status, func.count()).where(Case.shop_id == shop_id).group_by(Case.status)):
        counts[status] = n
    counts["all"] = sum(counts.values())
    counts["breached"] = session.scalar(select(func.count()).select_from(Case).where(
        Case.shop_id == shop_id, or_(and_(Case.sla_breached.is_(True), Case.status.in_(ACTIVE)), _overdue(now)))) or 0
    return counts


def filter_choices(session: Session, shop_id: int) -> dict[str, list[str]]:
    """The problems and assignees the shop's cases have, for the filters' menus."""
    problems = session.scalars(select(Case.problem).where(Case.shop_id == shop_id).distinct().order_by(Case.problem)).all()
    assignees = session.scalars(select(Case.assignee).where(Case.shop_id == shop_id, Case.assignee.is_not(None),
                                                            Case.assignee != "").distinct().order_by(Case.assignee)).all()
    return {"problems": list(problems), "assignees": list(assignees)}


def cases_page(session: Session, shop_id: int, filters: CaseFilters, now: datetime, page_size: int = PAGE_SIZE) -> CasePage:
    """One page of the shop's cases matching `filters`, most urgent first: three queries whatever the page
    (the count, the rows with their order and ticket, the customers' latest reports on those rows)."""
    where = _where(shop_id, filters, now)
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(filters.page, pages)
    rows = session.execute(
        select(Case.id, Case.subject, Case.problem, Case.priority, Case.status, Case.sla_due_at, Case.first_response_at,
               Case.sla_breached, Case.order_id, Case.assignee, Case.labels, Case.reopened_count,
               Order.name, Order.customer_first_name, Order.customer_last_name, Order.redacted, Order.placeholder,
               CaseTicket.helpdesk, CaseTicket.ticket_id, CaseTicket.attached, CaseTicket.solved_at, CaseTicket.error)
        .join(Order, Order.id == Case.order_id)
        .outerjoin(CaseTicket, CaseTicket.case_id == Case.id)
        .where(*where).order_by(*_urgency(now)).limit(page_size).offset((page - 1) * page_size)
    ).all()
    reports = latest_reports(session, [r.id for r in rows])
    return CasePage([
        CaseRow(
            id=r.id, subject=r.subject, problem=r.problem, priority=r.priority, status=r.status,
            sla=sla_state(r.status, r.sla_due_at, r.first_response_at, r.sla_breached, now), sla_due_at=r.sla_due_at,
            order_id=r.order_id, order=r.name, customer=None if r.redacted or r.placeholder else _name(r.customer_first_name, r.customer_last_name),
            assignee=r.assignee, labels=list(r.labels or []), reopened=r.reopened_count,
            ticket=None if r.helpdesk is None else {"helpdesk": r.helpdesk, "id": r.ticket_id, "attached": r.attached,
                                                     "solved": r.solved_at is not None, "error": r.error},
            report=reports.get(r.id),
        ) for r in rows
    ], total, page, pages)


def _name(first: str | None, last: str | None) -> str | None:
    return " ".join(p for p in (first, last) if p) or None  # as Order.customer_name


def latest_reports(session: Session, case_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The latest customer report of each case (what the customer said, as they said it)."""
    from core.domain.reports import TEXTS

    if not case_ids:
        return {}
    latest = select(func.max(ProblemReport.id)).where(ProblemReport.case_id.in_(case_ids)).group_by(ProblemReport.case_id)
    found = session.execute(select(ProblemReport.case_id, ProblemReport.kind, ProblemReport.details, ProblemReport.photo_count)
                            .where(ProblemReport.id.in_(latest))).all()
    return {r.case_id: {"label": TEXTS["en"]["kind_" + r.kind], "details": r.details, "photos": r.photo_count} for r in found}
