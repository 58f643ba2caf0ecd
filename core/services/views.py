"""Read models: orders and shipments as plain dicts, for the CLI, the admin page and (later) the JSON API."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.domain.model import Order, Shipment


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def shipment_view(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "name": shipment.name,
        "platform_fulfillment_id": shipment.platform_fulfillment_id,
        "tracking_number": shipment.tracking_number or None,
        "carrier": shipment.carrier,
        "carrier_raw": shipment.carrier_raw,
        "service": shipment.service,
        "tracking_url": shipment.tracking_url,
        "status": shipment.status,
        "substatus": shipment.substatus,
        "platform_status": shipment.platform_status,
        "superseded": shipment.superseded,
        "items": _plain(shipment.items),
        "destination": _plain(shipment.destination),
        "shipped_at": _plain(shipment.shipped_at),
        "next_check_at": _plain(shipment.next_check_at),
    }


def order_view(order: Order, shipments: Sequence[Shipment]) -> dict[str, Any]:
    return {
        "id": order.id,
        "platform_order_id": order.platform_order_id,
        "name": order.name,
        "placeholder": order.placeholder,
        "status": order.status,
        "placed_at": _plain(order.placed_at),
        "customer": {
            "name": order.customer_name,
            "email": order.email,
            "phone": order.phone,
            "locale": order.locale,
        },
        "shipping_address": _plain(order.shipping_address),
        "line_items": _plain(order.line_items),
        "total_price": _plain(order.total_price),
        "currency": order.currency,
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "cancelled_at": _plain(order.cancelled_at),
        "shipments": [shipment_view(s) for s in shipments],
    }


def case_views(uow, cases, report_link=None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Cases as the admin page and the API show them. `report_link(shop_id, order_id)` gives the customer's
    signed problem-report link (the web layer knows the app's address and secret)."""
    from sqlalchemy import select

    from core.domain.model import ProblemReport, ReportPhoto
    from core.domain.reports import TEXTS as REPORT_TEXTS

    replies: dict[int, Any] = {}  # each shop's own reply texts, read once
    for c in cases:
        if c.shop_id not in replies:
            shop = uow.repo.shop_by_id(c.shop_id)
            replies[c.shop_id] = shop.replies if shop else None
    views = []
    for c in cases:
        view = case_view(c, uow.repo.order_by_id(c.order_id), uow.repo.shipments_of_order(c.order_id),
                         uow.repo.case_notes(c.id), uow.repo.case_ticket(c.id), replies=replies[c.shop_id])
        photos = uow.session.execute(
            select(ReportPhoto.id, ReportPhoto.filename, ReportPhoto.content_type).where(ReportPhoto.case_id == c.id)
            .order_by(ReportPhoto.id)
        ).all()
        reports = uow.session.scalars(select(ProblemReport).where(ProblemReport.case_id == c.id).order_by(ProblemReport.id)).all()
        view["reports"] = [{"id": r.id, "kind": r.kind, "label": REPORT_TEXTS["en"]["kind_" + r.kind], "details": r.details,
                            "locale": r.locale, "photos": r.photo_count, "at": _plain(r.created_at)} for r in reports]
        view["photos"] = [{"id": p.id, "filename": p.filename, "content_type": p.content_type,
                           "url": f"/api/v1/cases/{c.id}/photos/{p.id}"} for p in photos]
        view["report_link"] = report_link(c.shop_id, c.order_id) if report_link else None
        views.append(view)
    return views


def ticket_view(ticket) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    if ticket is None:
        return None
    return {"helpdesk": ticket.helpdesk, "id": ticket.ticket_id, "attached": ticket.attached,
            "solved_at": _plain(ticket.solved_at), "error": ticket.error, "attempts": ticket.attempts}


def case_view(case, order, shipments, notes, ticket=None, replies=None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A case with its suggested reply (in the customer's language), its timeline and its helpdesk ticket."""
    from core.domain.replies import suggested_reply

    parcel = next((s for s in shipments if not s.superseded and s.tracking_number), None)
    # "needs action" covers a failed attempt and a parcel waiting at a pickup point: answer the one it is
    problem = "pickup_waiting" if case.problem == "needs_action" and parcel and parcel.status == "available_for_pickup" \
        else case.problem
    language, reply = suggested_reply(problem, order.locale if order else None, {
        "first_name": order.customer_first_name if order else None,
        "order": order.name if order else "",
        "carrier": (parcel.carrier_raw or parcel.carrier) if parcel else None,
    }, expected=parcel.estimated_delivery_at.date() if parcel and parcel.estimated_delivery_at else None,
        tracking_url=parcel.tracking_url if parcel else None, overrides=replies)
    return {
        "id": case.id, "order": order.name if order else None, "subject": case.subject, "problem": case.problem,
        "kinds": list(case.kinds), "priority": case.priority, "status": case.status, "assignee": case.assignee,
        "labels": list(case.labels), "opened_at": _plain(case.opened_at), "sla_due_at": _plain(case.sla_due_at),
        "sla_breached": case.sla_breached, "resolved_at": _plain(case.resolved_at), "reopened": case.reopened_count,
        "suggested_reply": {"language": language, "text": reply}, "ticket": ticket_view(ticket),
        "timeline": [{"at": _plain(n.created_at), "author": n.author, "body": n.body} for n in notes],
    }
