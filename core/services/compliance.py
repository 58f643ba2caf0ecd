"""Privacy-law requests: a customer's data export, a customer's redaction, a shop's deletion.

A redaction removes what identifies the customer (names, email, phone, street-level address, platform
customer id, and the raw webhook bodies that mention them) and keeps what statistics need (order and
parcel states, dates, carrier, destination country and region).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select

from core.adapters import orm
from core.adapters.orm import webhook_receipts
from core.domain import events
from core.domain.model import REDACTED_BODY, ComplianceRequest, Order, RequestStatus
from core.services.unit_of_work import UnitOfWork
from core.services.views import order_view

log = logging.getLogger(__name__)


def customer_orders(
    uow: UnitOfWork, shop_id: int, customer_id: str | None, email: str | None, order_ids: Sequence[str]
) -> list[Order]:
    """Orders of one customer: by platform customer id, by email, or named by the request."""
    conditions = []
    if customer_id:
        conditions.append(Order.customer_platform_id == customer_id)
    if email:
        conditions.append(Order.email == email)
    if order_ids:
        conditions.append(Order.platform_order_id.in_(list(order_ids)))
    if not conditions:
        return []
    query = select(Order).where(Order.shop_id == shop_id, or_(*conditions)).order_by(Order.id)
    return list(uow.session.scalars(query))


def _request(uow: UnitOfWork, kind: str, event: events.Event, now: datetime) -> ComplianceRequest:
    request = ComplianceRequest(
        shop_domain=event.shop_domain,  # type: ignore[attr-defined]
        kind=kind,
        received_at=now,
        customer_email=getattr(event, "email", None),
        platform_customer_id=getattr(event, "platform_customer_id", None),
        order_ids=list(getattr(event, "order_ids", ())),
    )
    uow.repo.add(request)
    return request


def export_customer_data(event: events.CustomerDataRequested, uow: UnitOfWork, now: datetime) -> None:
    request = _request(uow, "customers/data_request", event, now)
    shop = uow.repo.shop(event.platform, event.shop_domain)
    orders = (
        customer_orders(uow, shop.id, event.platform_customer_id, event.email, event.order_ids) if shop else []
    )
    request.result = {
        "shop": event.shop_domain,
        "customer": {"platform_customer_id": event.platform_customer_id, "email": event.email},
        "orders": [order_view(o, uow.repo.shipments_of_order(o.id)) for o in orders],
    }
    request.status, request.completed_at = RequestStatus.DONE, now
    log.info("data request for a customer of %s: %s orders exported", event.shop_domain, len(orders))


def redact_customer(event: events.CustomerRedactRequested, uow: UnitOfWork, now: datetime) -> None:
    request = _request(uow, "customers/redact", event, now)
    shop = uow.repo.shop(event.platform, event.shop_domain)
    orders = (
        customer_orders(uow, shop.id, event.platform_customer_id, event.email, event.order_ids) if shop else []
    )
    emails = {e.lower() for e in (event.email, *(o.email for o in orders)) if e}
    customer_ids = {c for c in (event.platform_customer_id, *(o.customer_platform_id for o in orders)) if c}
    reports = 0
    for order in orders:
        order.redact()
        for shipment in uow.repo.shipments_of_order(order.id):
            shipment.destination = shipment.destination.anonymous() if shipment.destination else None
        reports += _redact_reports(uow, order.id)
    # The stored webhook bodies of this shop that name the customer.
    order_ids = {o.platform_order_id for o in orders} | set(event.order_ids)
    bodies = 0
    for receipt_id, body in uow.session.execute(
        select(webhook_receipts.c.id, webhook_receipts.c.body).where(
            webhook_receipts.c.shop_domain == event.shop_domain, webhook_receipts.c.body != REDACTED_BODY
        )
    ):
        if _mentions(body, emails, customer_ids, order_ids):
            uow.session.execute(
                webhook_receipts.update().where(webhook_receipts.c.id == receipt_id).values(body=REDACTED_BODY)
            )
            bodies += 1
    # Earlier exports of this customer's data are personal data too.
    for earlier in uow.session.scalars(
        select(ComplianceRequest).where(
            ComplianceRequest.shop_domain == event.shop_domain, ComplianceRequest.kind == "customers/data_request"
        )
    ):
        same_id = earlier.platform_customer_id is not None and earlier.platform_customer_id in customer_ids
        same_email = earlier.customer_email is not None and earlier.customer_email.lower() in emails
        if same_id or same_email:
            earlier.result = {"redacted": True}
            earlier.customer_email = None
    request.customer_email = None  # keep no copy of what we just removed
    request.result = {"orders_redacted": len(orders), "webhook_bodies_redacted": bodies, "problem_reports_deleted": reports}
    request.status, request.completed_at = RequestStatus.DONE, now
    log.info("redacted a customer of %s: %s orders, %s webhook bodies", event.shop_domain, len(orders), bodies)


def _redact_reports(uow: UnitOfWork, order_id: int) -> int:
    """The customer's own words and photos from the problem-report page go; the case keeps that a report was made."""
    deleted = uow.session.execute(delete(orm.problem_reports).where(orm.problem_reports.c.order_id == order_id)).rowcount
    case_ids = select(orm.cases.c.id).where(orm.cases.c.order_id == order_id)
    uow.session.execute(
        orm.case_notes.update().where(orm.case_notes.c.case_id.in_(case_ids), orm.case_notes.c.author == "Customer")
        .values(body="Customer report (removed at the customer's request)")
    )
    return int(deleted or 0)


def _mentions(body: bytes, emails: set[str], customer_ids: set[str], order_ids: set[str]) -> bool:
    """Does a stored webhook body belong to this customer? Read as JSON, field by field (a substring search
    would match short ids inside other customers' data)."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    if str(payload.get("id")) in order_ids or str(payload.get("order_id")) in order_ids:
        return True
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    found_emails = {str(v).lower() for v in (payload.get("email"), payload.get("contact_email"), customer.get("email")) if v}
    if found_emails & emails:
        return True
    return customer.get("id") is not None and str(customer.get("id")) in customer_ids


def redact_shop(event: events.ShopRedactRequested, uow: UnitOfWork, now: datetime) -> None:
    """48 h after uninstall Shopify asks for the shop's data to go: all of it, but the shop's bare row (so a
    late webhook cannot bring data back) and this record that it went."""
    request = _request(uow, "shop/redact", event, now)
    shop = uow.repo.shop(event.platform, event.shop_domain)
    deleted = {"orders": 0, "shipments": 0}
    if shop is not None:
        deleted["orders"] = uow.session.scalar(select(func.count()).where(orm.orders.c.shop_id == shop.id)) or 0
        deleted["shipments"] = uow.session.scalar(select(func.count()).where(orm.shipments.c.shop_id == shop.id)) or 0
        # shipments, tracking events and write-backs go with their orders (ON DELETE CASCADE)
        uow.session.execute(delete(orm.orders).where(orm.orders.c.shop_id == shop.id))
        shop.redact(now)  # the row stays as a tombstone, holding nothing but the domain
    receipts = uow.session.execute(
        delete(webhook_receipts).where(webhook_receipts.c.shop_domain == event.shop_domain)
    ).rowcount
    uow.session.execute(delete(orm.oauth_states).where(orm.oauth_states.c.shop_domain == event.shop_domain))
    for earlier in uow.session.scalars(
        select(ComplianceRequest).where(ComplianceRequest.shop_domain == event.shop_domain)
    ):
        if earlier is not request:
            earlier.result = {"redacted": True}
            earlier.customer_email = None
    request.result = {**deleted, "webhook_receipts": receipts}
    request.status, request.completed_at = RequestStatus.DONE, now
    log.info("deleted the data of shop %s", event.shop_domain)
