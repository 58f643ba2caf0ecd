"""Customer messages: which notification each event calls for, recorded before anything is sent.

A problem (an incident a customer should hear of) plans one message per enabled channel; a delivery after a
problem plans "delivered after a problem" now and a follow-up with the satisfaction survey later; a case
resolved without a delivery plans the follow-up too. Each message has an idempotency key — what it is
about × template × channel — so the same notice is never recorded twice, and its sending is a job's work
(jobs/messages.py) after the transaction commits: quiet hours, caps, opt-outs and consent are decided there,
at send time, and every outcome is recorded on the message.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.domain import events
from core.domain.model import Incident, Message, MessageStatus, Shipment
from core.domain.policy import Policy
from core.domain.status import ShipmentStatus, Substatus
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: What a shop gets when it has not set anything: email, sent when allowed by law without an opt-in.
DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "channels": ["email"],
    "consent": "allowed",  # or "opt_in_required"
    "quiet_hours": ["21:00", "08:00"],
    "per_order_per_day": 2,
    "per_customer_per_day": 3,
    "followup_days": 2,
    "sender_name": None,
    "reply_to": None,
    "sms_from": None,
    #: Moments told besides problems, when the shop wants them (platforms send their own shipping emails):
    #: "shipped", "out_for_delivery".
    "moments": [],
}
#: Incident kinds a customer hears of, and the template that tells them (needs_action depends on the parcel).
TEMPLATE_OF_KIND = {
    "late": "late", "stuck": "stuck", "running_late": "running_late", "damaged": "damaged",
    "returning": "returning", "presumed_lost": "presumed_lost", "unfulfilled": "unfulfilled", "partial": "partial",
}
FINAL = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.BOUNCED,
         MessageStatus.SUPPRESSED)


def settings_of(shop: Any) -> dict[str, Any]:
    return {**DEFAULTS, **((shop.messaging or {}) if shop is not None else {})}


def needs_action_template(shipment: Shipment | None) -> str:
    if shipment is None:
        return "needs_action.failed_attempt"
    if shipment.status == ShipmentStatus.AVAILABLE_FOR_PICKUP:
        return "needs_action.pickup_waiting"
    if shipment.substatus == Substatus.CUSTOMS_HOLD:
        return "needs_action.customs"
    if shipment.substatus == Substatus.ADDRESS_ISSUE:
        return "needs_action.address"
    return "needs_action.failed_attempt"


def plan(uow: UnitOfWork, shop: Any, order_id: int, kind: str, key: str, now: datetime, *,
         incident_id: int | None = None, case_id: int | None = None, detected_at: datetime | None = None,
         send_at: datetime | None = None) -> list[Message]:
    """Record one message per enabled channel (never twice for one key); their jobs start after commit."""
    settings = settings_of(shop)
    if not settings["enabled"]:
        return []
    planned = []
    for channel in settings["channels"]:
        full_key = f"{key}:{kind}:{channel}"
        if uow.session.scalars(select(Message.id).where(Message.idempotency_key == full_key)).first() is not None:
            continue
        message = Message(shop_id=shop.id, order_id=order_id, kind=kind, channel=channel, idempotency_key=full_key,
                          created_at=now, updated_at=now, incident_id=incident_id, case_id=case_id,
                          detected_at=detected_at, send_at=send_at)
        uow.repo.add(message)
        uow.repo.flush()
        uow.collect(events.MessagePlanned(message.id, send_at))
        planned.append(message)
    return planned


def on_incident_opened(event: events.IncidentOpened, uow: UnitOfWork, now: datetime) -> None:
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is None or not shop.active:
        return
    if event.kind not in Policy.from_dict(shop.policy).notify_kinds:
        return  # the shop chose not to tell customers of this kind (the Rules page)
    if event.kind == "needs_action":
        kind = needs_action_template(uow.repo.shipment_by_id(event.shipment_id) if event.shipment_id else None)
    elif event.kind in TEMPLATE_OF_KIND:
        kind = TEMPLATE_OF_KIND[event.kind]
    else:
        return  # e.g. not picked up yet: the team's to chase, not yet the customer's news
    if kind in DELAY_KINDS and _told_already(uow, event.order_id, DELAY_KINDS):
        return  # one delay notice per order: our "late" and the carrier's own "running late" are the same news
    incident = uow.session.get(Incident, event.incident_id)
    plan(uow, shop, event.order_id, kind, f"incident:{event.incident_id}", now, incident_id=event.incident_id,
         detected_at=incident.opened_at if incident else now)


DELAY_KINDS = frozenset({"late", "running_late"})


def _told_already(uow: UnitOfWork, order_id: int, kinds: frozenset[str]) -> bool:
    return uow.session.scalars(select(Message.id).where(
        Message.order_id == order_id, Message.kind.in_(kinds),
        Message.status.not_in((MessageStatus.SUPPRESSED, MessageStatus.FAILED, MessageStatus.BOUNCED)))).first() is not None


def told_of_problem(uow: UnitOfWork, order_id: int) -> bool:
    """Whether the customer heard (or is about to hear) of a problem with this order: only then is its
    delivery news, and a survey about it makes sense."""
    return uow.session.scalars(select(Message.id).where(
        Message.order_id == order_id, Message.incident_id.is_not(None),
        Message.status.not_in((MessageStatus.SUPPRESSED, MessageStatus.FAILED, MessageStatus.BOUNCED)))).first() is not None


def on_shipment_recorded(event: events.ShipmentRecorded, uow: UnitOfWork, now: datetime) -> None:
    """A new parcel with a tracking number: "shipped", for shops that tell that moment themselves."""
    if not event.created or not event.tracking_number:
        return
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is not None and shop.active and "shipped" in settings_of(shop)["moments"]:
        plan(uow, shop, event.order_id, "shipped", f"shipment:{event.shipment_id}", now)


def on_status_changed(event: events.ShipmentStatusChanged, uow: UnitOfWork, now: datetime) -> None:
    """Out for delivery (for shops that tell it); and a parcel of an order whose customer heard of a problem
    arrived: say so now, and ask how it went a little later."""
    if event.status == ShipmentStatus.OUT_FOR_DELIVERY:
        shop = uow.repo.shop_by_id(event.shop_id)
        if shop is not None and shop.active and "out_for_delivery" in settings_of(shop)["moments"]:
            plan(uow, shop, event.order_id, "out_for_delivery", f"shipment:{event.shipment_id}", now)
        return
    if event.status != ShipmentStatus.DELIVERED or not told_of_problem(uow, event.order_id):
        return
    parcels = [s for s in uow.repo.shipments_of_order(event.order_id) if not s.superseded and s.tracking_number]
    if not all(s.status == ShipmentStatus.DELIVERED for s in parcels):
        return  # "your order has arrived" waits for the last parcel
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is None or not shop.active:
        return
    plan(uow, shop, event.order_id, "delivered_after_problem", f"order:{event.order_id}", now)
    follow_up(uow, shop, event.order_id, now)


def on_case_resolved(event: events.CaseResolved, uow: UnitOfWork, now: datetime) -> None:
    shop = uow.repo.shop_by_id(event.shop_id)
    if shop is not None and shop.active and told_of_problem(uow, event.order_id):
        follow_up(uow, shop, event.order_id, now, case_id=event.case_id)


def follow_up(uow: UnitOfWork, shop: Any, order_id: int, now: datetime, case_id: int | None = None) -> None:
    """A few days after the problem ended: did everything turn out well? (with the 1–5 survey link)."""
    days = float(settings_of(shop)["followup_days"])
    plan(uow, shop, order_id, "survey", f"order:{order_id}", now, case_id=case_id, send_at=now + timedelta(days=days))


def customer_told(uow: UnitOfWork, order_id: int) -> str | None:
    """Whether the customer has heard of the order's delivery after its problem: None when no such message
    was planned (messages off), "pending" while one is on its way, "told" once one went, "not_told" when
    none could (suppressed, failed, bounced — the send log says why)."""
    statuses = uow.session.scalars(select(Message.status).where(
        Message.order_id == order_id, Message.kind == "delivered_after_problem")).all()
    if not statuses:
        return None
    if not all(s in FINAL for s in statuses):
        return "pending"
    return "told" if any(s in (MessageStatus.SENT, MessageStatus.DELIVERED) for s in statuses) else "not_told"
