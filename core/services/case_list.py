"""The admin's cases list: its filters, the most urgent cases first, one page at a time. One lean query (the
case's own columns, its order's name and customer, its ticket) filtered, sorted and limited in SQL, so a shop
with tens of thousands of cases opens the list as fast as one with ten; counts per status beside it.
(`views.case_views` reads one case whole — notes, reports, photos, reply — for the case's own page.)

Labels are a JSON list on `cases.labels`; the label filter is an exact element match written per database
(`has_label`), so a label holding `%`, `_` or quotes means itself, and the filter stays in the one query."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, and_, case, func, not_, or_, select, true
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.domain.model import Case, CaseTicket, Order, ProblemReport
from core.domain.sla import DUE_SOON, SlaState, sla_state

STATUSES = ("open", "pending", "resolved", "closed")
ACTIVE = ("open", "pending")
SLA_FILTERS = {"breached": "Breached or overdue", "due_soon": "Due within 4 h"}
PRIORITIES = ("urgent", "high", "normal")
UNASSIGNED = "-"  # the assignee filter's "nobody"
PAGE_SIZE = 50
LABEL_MAX = 40  # as a case's labels (web.api.CaseUpdateSchema)


@dataclass(frozen=True)
class CaseFilters:
    statuses: tuple[str, ...] = ACTIVE
    sla: str | None = None
    priority: str | None = None
    problem: str | None = None
    assignee: str | None = None  # UNASSIGNED: nobody
    label: str | None = None
    page: int = 1

    def query(self) -> dict[str, Any]:
        """As query parameters, for links that keep them (the default statuses are left out)."""
        statuses = "" if self.statuses == ACTIVE else "all" if self.statuses == STATUSES else ",".join(self.statuses)
        return {"status": statuses, **self.narrowing()}

    def narrowing(self) -> dict[str, Any]:
        """The filters besides the status (the status tabs keep them)."""
        return {"sla": self.sla, "priority": self.priority, "problem": self.problem, "assignee": self.assignee,
                "label": self.label}

    @property
    def narrowed(self) -> bool:
        return any((self.sla, self.priority, self.problem, self.assignee, self.label))


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
    label = (args.get("label") or "").strip() or None
    if label and len(label) > LABEL_MAX:  # no case has such a label; cut short, it could match another one
        problems["label"] = f"a label is 1 to {LABEL_MAX} characters"
        label = None
    return CaseFilters(statuses, one_of("sla", tuple(SLA_FILTERS)), one_of("priority", PRIORITIES), problem,
                       assignee, label, page), problems


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


class has_label(FunctionElement[bool]):
    """`has_label(Case.labels, label)`: the JSON list holds exactly `label` (a bound parameter, never spliced
    into the SQL or a LIKE pattern, so `%`, `_` and quotes in a label are only characters). Written per
    database below: PostgreSQL's jsonb containment, SQLite's json_each."""

    type = Boolean()
    name = "has_label"
    inherit_cache = True


@compiles(has_label, "postgresql")
def _has_label_postgresql(element: has_label, compiler: SQLCompiler, **kw: Any) -> str:
    column, label = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array(CAST({label} AS TEXT)))"


@compiles(has_label, "sqlite")
def _has_label_sqlite(element: has_label, compiler: SQLCompiler, **kw: Any) -> str:
    column, label = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {label})"


@compiles(has_label)
def _has_label_other(element: has_label, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"the label filter is written for PostgreSQL and SQLite, not {compiler.dialect.name}")


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
    return [Case.shop_id == shop_id, Case.status.in_(filters.statuses), *_narrowing(filters, now)]


def _narrowing(filters: CaseFilters, now: datetime) -> list[Any]:
    """The filters besides the shop and the status."""
    clauses: list[Any] = []
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
    if filters.label:
        clauses.append(has_label(Case.labels, filters.label))
    return clauses


def _urgency(now: datetime) -> list[Any]:
    """Open work first; among it, breached, then waiting for a response by its due time; then the rest, the
    most recently resolved first."""
    active = case((Case.status.in_(ACTIVE), 0), else_=1)
    breached = case((or_(Case.sla_breached.is_(True), _overdue(now)), 0), else_=1)
    waiting = case((Case.first_response_at.is_(None), 0), else_=1)
    due = case((Case.status.in_(ACTIVE), Case.sla_due_at), else_=None)
    return [active, breached, waiting, due.asc().nulls_last(), Case.resolved_at.desc().nulls_last(), Case.id.desc()]


def status_counts(session: Session, shop_id: int, now: datetime,
                  filters: CaseFilters | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """The shop's cases per status, in all ("all") and the open ones past their response time ("breached");
    and per status (and "all") those that match the filters besides the status — what each status tab would
    list. One grouped query."""
    narrowing = _narrowing(filters, now) if filters else []
    matching_case = and_(*narrowing) if narrowing else true()
    breached = or_(and_(Case.sla_breached.is_(True), Case.status.in_(ACTIVE)), _overdue(now))
    counts, matching = {s: 0 for s in STATUSES}, {s: 0 for s in STATUSES}
    counts["breached"] = 0
    for status, n, matched, late in session.execute(
            select(Case.status, func.count(), func.sum(case((matching_case, 1), else_=0)),
                   func.sum(case((breached, 1), else_=0)))
            .where(Case.shop_id == shop_id).group_by(Case.status)):
        counts[status], matching[status] = n, int(matched or 0)
        counts["breached"] += int(late or 0)
    counts["all"] = sum(counts[s] for s in STATUSES)
    matching["all"] = sum(matching[s] for s in STATUSES)
    return counts, matching


def filter_choices(session: Session, shop_id: int) -> dict[str, list[str]]:
    """The problems, assignees and labels the shop's cases have, for the filters' menus."""
    problems = session.scalars(select(Case.problem).where(Case.shop_id == shop_id).distinct().order_by(Case.problem)).all()
    assignees = session.scalars(select(Case.assignee).where(Case.shop_id == shop_id, Case.assignee.is_not(None),
                                                            Case.assignee != "").distinct().order_by(Case.assignee)).all()
    return {"problems": list(problems), "assignees": list(assignees), "labels": labels_in_use(session, shop_id)}


def labels_in_use(session: Session, shop_id: int) -> list[str]:
    """Every label on the shop's cases, once each, in SQL: the JSON lists taken apart by the database (its own
    function for it on each), never the shop's cases read into Python."""
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(Case.labels).table_valued("value").render_derived()
    else:  # SQLite
        elements = func.json_each(Case.labels).table_valued("value")
    value = elements.c.value
    return list(session.scalars(select(value).distinct().select_from(Case).join(elements, true())
                                .where(Case.shop_id == shop_id).order_by(value)))


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
