"""One case as its admin page shows it: the case (views.case_view: reply, ticket, notes), its order, customer
and parcels, and one timeline in time order — Forewarn's notes with their reasons, the customer's reports with
their photos, the support team's notes and status changes, and the messages the customer was sent about the
order. `timeline` is pure; `case_page` reads what it needs."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.domain.model import Case, Message, ProblemReport, ReportPhoto
from core.domain.reports import TEXTS as REPORT_TEXTS
from core.domain.sla import sla_state
from core.domain.templates import KINDS as MESSAGE_KINDS
from core.services.unit_of_work import UnitOfWork
from core.services.views import case_views

FOREWARN, CUSTOMER = "Forewarn", "Customer"
#: What a team note's author is shown as (the API's default author is "support").
TEAM_NAMES = {"support": "Support team"}


def timeline(notes: Sequence[Any], reports: Sequence[Any], photos: Sequence[Any], messages: Sequence[Any],
             customer: str | None) -> list[dict[str, Any]]:
    """The case's story, oldest first. A customer's report is recorded twice — as the report and as the case
    note it became (for the helpdesk) — and is shown once, as the report with its own photos."""
    photos_of: dict[int, list[dict[str, Any]]] = {}
    for p in photos:
        photos_of.setdefault(p.report_id, []).append(
            {"id": p.id, "filename": p.filename, "url": f"/api/v1/cases/{p.case_id}/photos/{p.id}"})
    reported_at = {r.created_at for r in reports}
    entries: list[dict[str, Any]] = []
    for n in notes:
        if n.author == CUSTOMER and n.created_at in reported_at:
            continue
        if n.author == FOREWARN:
            kind, who = "forewarn", FOREWARN
        elif n.author == CUSTOMER:
            kind, who = "customer", customer or "The customer"
        else:
            kind, who = "team", TEAM_NAMES.get(n.author, n.author)
        status = n.body.split(":")[0].split(" (")[0] if kind == "team" else ""
        if status in ("Resolved", "Closed", "Reopened", "Marked pending", "Marked open"):
            kind = "status"
        entries.append({"at": n.created_at, "kind": kind, "author": who, "body": n.body})
    for r in reports:
        entries.append({"at": r.created_at, "kind": "report", "author": customer or "The customer",
                        "label": REPORT_TEXTS["en"]["kind_" + r.kind], "body": r.details, "locale": r.locale,
                        "photos": photos_of.get(r.id, [])})
    for m in messages:
        entries.append({"at": m.sent_at or m.send_at or m.created_at, "kind": "message", "author": FOREWARN,
                        "label": MESSAGE_KINDS.get(m.kind, m.kind.replace("_", " ")), "channel": m.channel,
                        "status": m.status, "subject": m.subject, "reason": m.suppression_reason or m.error,
                        "language": m.language, "message_id": m.id})
    order = {"report": 0, "forewarn": 1, "team": 1, "status": 1, "customer": 1, "message": 2}
    return sorted(entries, key=lambda e: (e["at"], order[e["kind"]]))


def case_page(uow: UnitOfWork, case: Case, now: datetime,
              report_link: Callable[[int, int], str] | None = None) -> dict[str, Any]:
    """Everything the case's page shows."""
    view = case_views(uow, [case], report_link)[0]
    order = uow.repo.order_by_id(case.order_id)
    shipments = [s for s in uow.repo.shipments_of_order(case.order_id) if not s.superseded]
    reports = uow.session.scalars(select(ProblemReport).where(ProblemReport.case_id == case.id).order_by(ProblemReport.id)).all()
    photos = uow.session.execute(
        select(ReportPhoto.id, ReportPhoto.report_id, ReportPhoto.case_id, ReportPhoto.filename)
        .where(ReportPhoto.case_id == case.id).order_by(ReportPhoto.id)).all()
    messages = uow.session.scalars(select(Message).where(Message.order_id == case.order_id, Message.shop_id == case.shop_id)
                                   .order_by(Message.id)).all()
    customer = None if order is None or order.redacted or order.placeholder else order.customer_name
    view.update(
        sla=sla_state(case.status, case.sla_due_at, case.first_response_at, case.sla_breached, now),
        first_response_at=case.first_response_at, opened=case.opened_at, due=case.sla_due_at, resolved=case.resolved_at,
        customer=customer, email=None if order is None or order.redacted else order.email,
        redacted=bool(order and order.redacted), order_id=case.order_id,
        shipments=shipments,
        entries=timeline(uow.repo.case_notes(case.id), reports, photos, messages, customer),
    )
    return view
