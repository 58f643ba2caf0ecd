"""Sending a customer message: decided, rendered and recorded before the provider hears of it.

At send time the message's fate is decided on what is true then (core/domain/hygiene.py): no address,
an unsubscribe on any channel, a shop that requires an opt-in the customer never gave, the same notice
already sent, the day's cap, or quiet hours in the customer's own time (deferred, never dropped). A message
that goes is rendered in the customer's language (core/domain/templates.py), marked `sending` with an
attempt row and committed, and only then handed to the channel. A worker that dies after the provider
accepted it leaves the message `sending`: the retry marks it interrupted instead of sending it again —
a customer never gets the same notice twice; the attempt row says what happened.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from connectors import channels
from core.adapters import links
from core.domain import contacts, hygiene, templates
from core.domain.events import MessageFinished
from core.domain.model import Incident, Message, MessageAttempt, MessageStatus, OptOut, Shipment
from core.domain.status import ShipmentStatus
from core.errors import ConnectorError, MaybeSent, Permanent, RateLimited, Transient, Unauthorized
from core.services import messaging
from jobs import runtime

log = logging.getLogger(__name__)

#: A planned message whose job never ran (Redis away) is picked up by the sweep after this long.
LOST_AFTER = timedelta(minutes=5)
#: A message left `sending` longer than the send lock lives: its worker died; the sweep hands it to `send`,
#: which records it interrupted (never sends it again).
STUCK_AFTER = timedelta(minutes=6)
MAX_FAILED_ATTEMPTS = 8


def send(message_id: int) -> str:
    """One customer's messages are decided one at a time (a lock per customer of the shop): two notices of
    one order released together never both pass the duplicate check or the day's cap."""
    rt = runtime.current()
    with rt.uow() as uow:
        message = uow.session.get(Message, message_id)
        order = uow.repo.order_by_id(message.order_id) if message else None
        who = (order.email or order.phone or f"order:{order.id}").strip().lower() if order else f"message:{message_id}"
        key = f"forewarn:message-lock:{message.shop_id if message else 0}:{who}"
    token = os.urandom(8).hex()
    if not rt.redis.set(key, token, nx=True, ex=300):
        raise Transient(f"another message to this customer is being sent (message {message_id} waits)")
    try:
        return _send(rt, message_id)
    finally:
        if rt.redis.get(key) == token.encode():
            rt.redis.delete(key)


def _send(rt: runtime.Runtime, message_id: int) -> str:
    now = runtime.utcnow()
    with rt.uow() as uow:
        message = uow.session.get(Message, message_id)
        if message is None:
            return "missing"
        if message.status in messaging.FINAL:  # (its case hears again: settling is idempotent)
            status, order_id = message.status, message.order_id
            uow.rollback()
            return _finished(rt, message_id, order_id, status)
        failures = uow.session.scalars(select(func.count()).select_from(MessageAttempt).where(
            MessageAttempt.message_id == message.id, MessageAttempt.outcome == "failed")).one()
        if failures >= MAX_FAILED_ATTEMPTS:  # the provider has been failing for hours: stop, and say so
            message.status, message.updated_at = MessageStatus.FAILED, now
            message.error = f"gave up after {failures} failed attempts: {message.error or ''}".strip()
            uow.commit()
            return _finished(rt, message_id, message.order_id, MessageStatus.FAILED)
        if message.status == MessageStatus.SENDING:  # the worker died after handing it to the provider
            _attempt(uow, message, now, "interrupted", error="the worker stopped while sending")
            message.status = MessageStatus.FAILED
            message.error = "interrupted while sending: not sent again, so the customer never gets it twice"
            uow.commit()
            return _finished(rt, message_id, message.order_id, MessageStatus.FAILED)
        if message.send_at is not None and message.send_at > now:
            return "not due"
        shop, order = uow.repo.shop_by_id(message.shop_id), uow.repo.order_by_id(message.order_id)
        if shop is None or order is None or not shop.active:
            message.status, message.suppression_reason = MessageStatus.SUPPRESSED, "no_contact"
            message.error, message.updated_at = "the shop is not installed", now
            uow.commit()
            return _finished(rt, message_id, message.order_id, MessageStatus.SUPPRESSED)
        settings = messaging.settings_of(shop)
        stale = _stale(uow, message, settings)
        if stale is not None:  # decided now, not when it was planned
            message.status, message.suppression_reason, message.updated_at = MessageStatus.SUPPRESSED, stale, now
            uow.commit()
            return _finished(rt, message_id, message.order_id, MessageStatus.SUPPRESSED)
        recipient = contacts.email(order.email) if message.channel == "email" \
            else contacts.phone(order.phone, _place(order)[0] or (shop.policy or {}).get("origin_country"))
        country, region, postal = _place(order)
        if country is None:  # no address: the shop's own country stands in (never UTC's 3 a.m.)
            country = (shop.policy or {}).get("origin_country")
        tz = hygiene.customer_timezone(country, region, postal)
        decision = hygiene.decide(_candidate(message, order, recipient, tz), _history(uow, message, order, now),
                                  _consent(uow, shop, order, settings), now,
                                  policy=hygiene.HygienePolicy.from_dict(shop.messaging or {}))
        if decision.action == "suppress":
            message.status, message.suppression_reason = MessageStatus.SUPPRESSED, decision.reason
            message.recipient, message.updated_at = recipient, now
            uow.commit()
            log.info("message %s suppressed: %s", message_id, decision.reason)
            return _finished(rt, message_id, message.order_id, MessageStatus.SUPPRESSED)
        if decision.action == "defer":
            message.status, message.send_at, message.updated_at = MessageStatus.DEFERRED, decision.send_at, now
            message.suppression_reason = decision.reason  # quiet_hours: why it waits
            uow.commit()
            return MessageStatus.DEFERRED
        variables = _variables(rt, uow, shop, order, recipient, settings)
        try:
            rendered = templates.render_message(message.kind, _language(order, shop), message.channel, variables,
                                                overrides=settings.get("templates"))
        except templates.MessageTemplateError as exc:  # the merchant's edit broke: Forewarn's text goes instead
            log.warning("message %s: the shop's template failed (%s); sending the default text", message_id, exc)
            rendered = templates.render_message(message.kind, _language(order, shop), message.channel, variables)
        message.recipient, message.language = recipient, rendered.language
        message.subject, message.body = rendered.subject, rendered.sms if message.channel != "email" else rendered.body
        message.status, message.updated_at, message.suppression_reason = MessageStatus.SENDING, now, None
        _attempt(uow, message, now, "sending")
        uow.commit()
        unsubscribe = links.unsubscribe_url(rt.settings.base_url, rt.settings.secret_key or "", shop.id, recipient or "")
        fields = dict(
            to=recipient or "", subject=message.subject or "", body=message.body or "",
            sender_name=settings.get("sender_name") or shop.name or "Forewarn", reply_to=settings.get("reply_to"),
            sender_address=settings.get("sms_from") if message.channel != "email" else None,
            idempotency_key=message.idempotency_key, language=rendered.language, direction=rendered.direction,
            list_unsubscribe_url=unsubscribe if message.channel == "email" else None,
            list_unsubscribe_post=message.channel == "email" and unsubscribe.startswith("https://"),
        )
        channel_kind, shop_messaging = message.channel, dict(shop.messaging or {})
    try:
        outgoing = channels.OutgoingMessage(**fields)
        result = _channel(rt, shop_messaging, channel_kind).send(outgoing)
    except MaybeSent as exc:  # the provider may have it: never sent again (its delivery report may settle it)
        _record(rt, message_id, MessageStatus.FAILED, "unknown",
                error=f"{exc} — not sent again, so the customer never gets it twice")
        return _finished(rt, message_id, None, MessageStatus.FAILED)
    except (Transient, RateLimited) as exc:  # the provider did not take it: tried again with backoff
        _record(rt, message_id, MessageStatus.PLANNED, "failed", error=f"{exc} — retrying")
        raise
    except channels.OptedOut as exc:
        _record(rt, message_id, MessageStatus.FAILED, "failed", error=str(exc))
        _opt_out(rt, message_id, "provider")
        return _finished(rt, message_id, None, MessageStatus.FAILED)
    except (Permanent, Unauthorized, ConnectorError, ValueError) as exc:
        _record(rt, message_id, MessageStatus.FAILED, "failed", error=str(exc))
        return _finished(rt, message_id, None, MessageStatus.FAILED)
    _record(rt, message_id, MessageStatus.SENT, "sent", provider=result.provider, provider_id=result.provider_id)
    log.info("message %s sent by %s (%s)", message_id, result.provider, result.provider_id)
    return _finished(rt, message_id, None, MessageStatus.SENT)


def _stale(uow: Any, message: Message, settings: dict) -> str | None:
    """Why a planned message must not go any more: messages turned off, its channel removed, or its news out
    of date (the problem it tells of has cleared and every parcel arrived)."""
    if not settings["enabled"]:
        return "disabled"
    if message.channel not in settings["channels"]:
        return "channel_off"
    if message.incident_id is not None:
        incident = uow.session.get(Incident, message.incident_id)
        parcels = [p for p in uow.repo.shipments_of_order(message.order_id) if not p.superseded and p.tracking_number]
        if incident is not None and incident.status != "open" and parcels \
                and all(p.status == ShipmentStatus.DELIVERED for p in parcels):
            return "resolved"
    return None


#: The provider each channel goes through unless the shop connected another (messaging["providers"]).
DEFAULT_PROVIDERS = {"email": "email_smtp"}


def _channel(rt: runtime.Runtime, shop_messaging: dict, channel: str) -> channels.Channel:
    """The shop's provider for a channel: its credentials stored encrypted in the shop's messaging settings."""
    conf = (shop_messaging.get("providers") or {}).get(channel) or (
        {"kind": DEFAULT_PROVIDERS[channel]} if channel in DEFAULT_PROVIDERS else None)
    if conf is None:
        raise Unauthorized(f"no {channel} provider is connected for this shop")
    credentials = json.loads(rt.cipher.decrypt(conf["ciphertext"])) if conf.get("ciphertext") else {}
    return channels.build(conf["kind"], credentials, smtp_url=rt.settings.smtp_url,
                          status_callback=f"{rt.settings.base_url}/webhooks/twilio/status",
                          allow_private=rt.settings.allow_private_network)


def _place(order: Any) -> tuple[str | None, str | None, str | None]:
    a = order.shipping_address
    return (a.country_code, a.region, a.postal_code) if a else (None, None, None)


def _language(order: Any, shop: Any) -> str:
    return templates.choose_language(order.locale, (shop.messaging or {}).get("default_language"))


def _candidate(message: Message, order: Any, recipient: str | None, tz: Any) -> hygiene.Candidate:
    return hygiene.Candidate(idempotency_key=message.idempotency_key, kind=message.kind, channel=message.channel,
                             recipient=recipient, tz=tz, order_id=order.id,
                             customer_key=(order.email or order.phone or f"order:{order.id}").lower())


def _history(uow: Any, message: Message, order: Any, now: datetime) -> hygiene.History:
    customer = contacts.addresses(order.email, order.phone, _place(order)[0])
    rows = uow.session.execute(
        select(Message.order_id, Message.recipient, Message.sent_at, Message.updated_at, Message.idempotency_key).where(
            Message.shop_id == message.shop_id, Message.id != message.id,
            Message.status.in_((MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.SENDING)),
            func.coalesce(Message.sent_at, Message.updated_at) > now - timedelta(days=2))
    ).all()
    # a cap counts notices, not copies: one notice by email and by SMS is one (and this notice's own copy on
    # another channel is not another)
    notices: dict[str, tuple[int, bool, datetime]] = {}
    for r in rows:
        notice, at = _notice(r.idempotency_key), r.sent_at or r.updated_at
        if notice == _notice(message.idempotency_key):
            continue
        order_id, theirs, first = notices.get(notice, (r.order_id, False, at))
        notices[notice] = (order_id, theirs or (r.recipient or "").lower() in customer, min(first, at))
    same_notice = uow.session.scalars(select(Message.id).where(
        Message.order_id == order.id, Message.kind == message.kind, Message.channel == message.channel,
        Message.id != message.id, Message.status.in_((MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.SENDING)),
    )).first()
    return hygiene.History(
        keys=frozenset({message.idempotency_key} if same_notice else set()),
        order_sent_at=tuple(at for order_id, _, at in notices.values() if order_id == order.id),
        customer_sent_at=tuple(at for _, theirs, at in notices.values() if theirs),
    )


def _notice(idempotency_key: str) -> str:
    """What a message is about and which template, without its channel (`incident:12:late:email` → `incident:12:late`)."""
    return idempotency_key.rsplit(":", 1)[0]


def _consent(uow: Any, shop: Any, order: Any, settings: dict) -> hygiene.Consent:
    addresses = contacts.addresses(order.email, order.phone, _place(order)[0])
    opted_out = uow.session.scalars(select(OptOut.id).where(OptOut.shop_id == shop.id,
                                                            OptOut.address.in_(addresses))).first() is not None
    opted_in = frozenset(settings.get("opted_in_channels") or ())  # per shop: the platforms send no marketing consent
    return hygiene.Consent(mode=settings["consent"], opted_in=opted_in,
                           opted_out_on=frozenset({"email", "sms", "whatsapp"}) if opted_out else frozenset())


def _variables(rt: runtime.Runtime, uow: Any, shop: Any, order: Any, recipient: str | None, settings: dict) -> dict:
    parcel = next((s for s in uow.repo.shipments_of_order(order.id) if not s.superseded and s.tracking_number), None)
    base, secret = rt.settings.base_url, rt.settings.secret_key or ""
    language = _language(order, shop)
    new_date = ""
    if parcel is not None and parcel.estimated_delivery_at is not None:
        new_date = templates.localized_date(parcel.estimated_delivery_at.date(), language)
    return {
        "customer": {"first_name": order.customer_first_name or ""},
        "order": {"name": order.name, "items": [{"title": li.title, "quantity": li.quantity} for li in order.line_items]},
        "carrier": _carrier(parcel), "tracking_number": parcel.tracking_number if parcel else "",
        "tracking_url": (parcel.tracking_url or "") if parcel else "", "new_date": new_date, "what_next": "",
        "shop": {"name": shop.name or shop.domain},
        "report_url": links.report_url(base, secret, shop.id, order.id),
        "unsubscribe_url": links.unsubscribe_url(base, secret, shop.id, recipient or ""),
        "survey_url": links.survey_url(base, secret, shop.id, order.id),
    }


def _carrier(parcel: Shipment | None) -> str:
    from core.domain.rules import CARRIER_NAMES

    if parcel is None:
        return ""
    return CARRIER_NAMES.get(parcel.carrier or "", parcel.carrier_raw or parcel.carrier or "")


def _attempt(uow: Any, message: Message, now: datetime, outcome: str, *, provider_id: str | None = None,
             error: str | None = None) -> None:
    uow.repo.add(MessageAttempt(message_id=message.id, attempted_at=now, outcome=outcome, provider_id=provider_id,
                                error=error))


def _record(rt: runtime.Runtime, message_id: int, status: str, outcome: str, *, provider: str | None = None,
            provider_id: str | None = None, error: str | None = None) -> None:
    now = runtime.utcnow()
    with rt.uow() as uow:
        message = uow.session.get(Message, message_id)
        # a provider's callback may have said "delivered" before this record: it is never walked back
        if not (status == MessageStatus.SENT and message.status in (MessageStatus.DELIVERED, MessageStatus.BOUNCED)):
            message.status = status
        message.error, message.updated_at = error, now
        if provider:
            message.provider, message.provider_id, message.sent_at = provider, provider_id, now
        _attempt(uow, message, now, outcome, provider_id=provider_id, error=error)
        uow.commit()


def _opt_out(rt: runtime.Runtime, message_id: int, source: str) -> None:
    with rt.uow() as uow:
        message = uow.session.get(Message, message_id)
        record_opt_out(uow, message.shop_id, message.recipient or "", source, runtime.utcnow())
        uow.commit()


def record_opt_out(uow: Any, shop_id: int, address: str, source: str, now: datetime) -> None:
    """One unsubscribe, for every channel (messages to that address, and to the same customer's other one,
    are suppressed from now on)."""
    address = _opt_out_address(address)
    if not address:
        return
    exists = uow.session.scalars(select(OptOut.id).where(OptOut.shop_id == shop_id, OptOut.address == address)).first()
    if exists is None:
        uow.repo.add(OptOut(shop_id=shop_id, address=address, source=source, created_at=now))


def lift_opt_outs(uow: Any, shop_id: int, number: str) -> list[OptOut]:
    """The customer texted START (an opt-in keyword) from `number`: the opt-out recorded under that number is
    removed, whatever recorded it (their STOP, Twilio's 21610, the link in a text), and returned. A text proves
    consent for that phone only: an opt-out recorded under the customer's email address stays, and goes on
    suppressing every channel of the orders that carry it. Messages already suppressed stay as they were."""
    address = _opt_out_address(number)
    if not address or "@" in address:
        return []
    lifted = list(uow.session.scalars(select(OptOut).where(OptOut.shop_id == shop_id, OptOut.address == address)))
    for opt_out in lifted:
        uow.session.delete(opt_out)
    return lifted


def _opt_out_address(address: str) -> str:
    """An address as opt-outs are recorded and found: an email lower-cased, a phone number in E.164."""
    return (contacts.email(address) if "@" in address else contacts.phone(address)) or address.strip().lower()


def _finished(rt: runtime.Runtime, message_id: int, order_id: int | None, status: str) -> str:
    if order_id is None:
        with rt.uow() as uow:
            order_id = uow.session.get(Message, message_id).order_id
    rt.bus.handle([MessageFinished(message_id, order_id)])
    return status


def send_due() -> int:
    """Every minute (rq cron): messages whose time came (deferred past quiet hours, follow-ups), and planned
    ones whose job was lost."""
    from jobs.dispatch import enqueue_message

    rt = runtime.current()
    now = runtime.utcnow()
    with rt.uow() as uow:
        due = uow.session.scalars(select(Message.id).where(
            (Message.status.in_((MessageStatus.PLANNED, MessageStatus.DEFERRED))
             & (((Message.send_at.is_not(None)) & (Message.send_at <= now))
                | ((Message.send_at.is_(None)) & (Message.updated_at < now - LOST_AFTER))))
            | ((Message.status == MessageStatus.SENDING) & (Message.updated_at < now - STUCK_AFTER))
        ).order_by(func.coalesce(Message.send_at, Message.created_at)).limit(500)).all()
    for message_id in due:
        enqueue_message(rt.redis, message_id)
    return len(due)


def summary(messages: list[Message]) -> dict[str, Any]:
    """For the admin page: how fast customers heard of problems (median detected → told), and outcomes."""
    told = sorted((m.sent_at - m.detected_at).total_seconds() for m in messages
                  if m.sent_at and m.detected_at and m.status in (MessageStatus.SENT, MessageStatus.DELIVERED))
    median = told[len(told) // 2] if told else None
    counts: dict[str, int] = {}
    for m in messages:
        counts[m.status] = counts.get(m.status, 0) + 1
    return {"median_seconds_to_told": median, "counts": counts, "told": len(told)}

