"""What Twilio and SendGrid say about customer messages, verified against the shop's own credentials before
anything is stored (connectors/channels/webhooks.py parses and verifies; this applies):

- `POST /webhooks/twilio/status?forewarn_key=…`: a message's status callback (the URL sms_twilio.py gives
  Twilio). The message is found by the key or by its SID and the callback checked with its shop's Auth Token.
- `POST /webhooks/twilio/inbound/<shop>`: a reply to the shop's number; a STOP opts the customer out of every
  channel (hygiene matches opt-outs on the order's email and phone). A START (START, YES, UNSTOP, or Twilio's
  Advanced Opt-Out OptOutType=START) lifts the opt-out recorded under the sender's number, whatever recorded it,
  so that new messages flow again; one recorded under an email address (the unsubscribe link in an email, a
  SendGrid unsubscribe) stays, since a text proves consent for that phone only, and it still suppresses every
  channel of an order that carries that email. Messages suppressed meanwhile stay suppressed. Both are found the
  same way (the sender as E.164, WhatsApp's prefix dropped) and logged without the number. Answered with empty
  TwiML: no reply (Twilio sends its own confirmations).
- `POST /webhooks/sendgrid/events/<shop>`: the shop's Signed Event Webhook, checked with the verification key
  the merchant stores with their SendGrid settings as `event_public_key`.

Provider news only moves a message forward: planned/sending/sent < failed < delivered or bounced, so a late or
repeated callback changes nothing; each change adds an attempt row saying what the provider said. An
unsubscribe or spam complaint is recorded as an opt-out and leaves the message as it was (unless it is why
the message did not go). A refusal (4xx) stores nothing.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader
from sqlalchemy import select

from connectors.channels import webhooks
from connectors.channels.base import DeliveryUpdate
from core.adapters.crypto import SecretKeyMissing
from core.domain.events import MessageFinished
from core.domain.model import Message, MessageAttempt, MessageStatus, Shop, ShopStatus
from core.services import messaging
from core.services.unit_of_work import UnitOfWork
from jobs.messages import lift_opt_outs, record_opt_out
from jobs.runtime import Runtime, utcnow

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_channels", __name__)

#: In the shop's email-provider credentials (messaging["providers"]["email"], kind email_sendgrid): the Event
#: Webhook's verification key from SendGrid's Mail Settings, base64 DER or PEM.
EVENT_PUBLIC_KEY = "event_public_key"
TWILIO_KINDS = frozenset({"sms_twilio", "whatsapp_twilio"})
TWILIO_PROVIDERS = ("twilio", "twilio_whatsapp")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
#: How far a message has got; provider news applies only when it moves the message further.
PROGRESS = {MessageStatus.PLANNED: 0, MessageStatus.DEFERRED: 0, MessageStatus.SENDING: 1, MessageStatus.SENT: 1,
            MessageStatus.FAILED: 2, MessageStatus.DELIVERED: 3, MessageStatus.BOUNCED: 3}
STATUS_OF = {"delivered": MessageStatus.DELIVERED, "bounced": MessageStatus.BOUNCED, "failed": MessageStatus.FAILED}


@bp.post("/webhooks/twilio/status")
def twilio_status() -> ResponseReturnValue:
    rt: Runtime = current_app.extensions["forewarn"]
    params, url = request.form, _twilio_url()
    key = request.args.get(webhooks.KEY_PARAM) or None
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip() or None
    with rt.uow() as uow:
        message = _twilio_message(uow, key, sid)
        shop = uow.repo.shop_by_id(message.shop_id) if message is not None else None
        token = _credentials(rt, shop, message.channel, TWILIO_KINDS).get("auth_token", "") if shop else ""
        if message is None or not token:
            return jsonify(error="no message of a shop with Twilio credentials matches this callback"), 401
        try:
            update = webhooks.twilio_status(params, url, request.headers.get("X-Twilio-Signature", ""), token)
        except webhooks.InvalidWebhook as exc:
            return jsonify(error=exc.reason), 400 if exc.reason == "malformed" else 401
        finished = _apply_all(uow, [(message, update)] if update else [], utcnow())
        uow.commit()
    if finished:
        rt.bus.handle(finished)
    return "", 204


@bp.post("/webhooks/twilio/inbound/<int:shop_id>")
def twilio_inbound(shop_id: int) -> ResponseReturnValue:
    rt: Runtime = current_app.extensions["forewarn"]
    params, url, signature = request.form, _twilio_url(), request.headers.get("X-Twilio-Signature", "")
    with rt.uow() as uow:
        shop = _shop(uow, shop_id)
        if shop is None:
            return jsonify(error="unknown shop"), 404
        tokens = {_credentials(rt, shop, channel, TWILIO_KINDS).get("auth_token", "")
                  for channel in ("sms", "whatsapp")}
        if not any(_signed_by_twilio(params, url, signature, token) for token in tokens if token):
            return jsonify(error="not signed with this shop's Twilio Auth Token"), 401
        keyword = webhooks.twilio_inbound_keyword(params)
        if keyword is not None:
            number = _number(keyword.sender)
            if keyword.action == "stop":
                record_opt_out(uow, shop.id, number, "sms_stop", utcnow())
                done = "opted out of every channel"
            else:
                lifted = lift_opt_outs(uow, shop.id, number)
                done = "; ".join(f"lifted opt-out {o.id} ({o.source}, recorded {o.created_at:%Y-%m-%d %H:%M})"
                                 for o in lifted) or "no opt-out was recorded under their number"
            uow.commit()
            log.info("shop %s: a customer texted %s; %s", shop.id, keyword.action.upper(), done)
    return EMPTY_TWIML, 200, {"Content-Type": "text/xml; charset=utf-8"}


@bp.post("/webhooks/sendgrid/events/<int:shop_id>")
def sendgrid_events(shop_id: int) -> ResponseReturnValue:
    body = request.get_data(cache=False)
    rt: Runtime = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow, shop_id)
        if shop is None:
            return jsonify(error="unknown shop"), 404
        public_key = _credentials(rt, shop, "email", {"email_sendgrid"}).get(EVENT_PUBLIC_KEY, "")
        try:
            updates = webhooks.sendgrid_events(body, request.headers.get(EventWebhookHeader.SIGNATURE, ""),
                                               request.headers.get(EventWebhookHeader.TIMESTAMP, ""), public_key)
        except webhooks.InvalidWebhook as exc:
            return jsonify(error=exc.reason), 400 if exc.reason == "malformed" else 401
        # the Event Webhook reports all of the account's mail: what names no message of this shop is not ours
        named = [(m, u) for m, u in ((_sendgrid_message(uow, shop.id, u), u) for u in updates) if m is not None]
        finished = _apply_all(uow, named, utcnow())
        uow.commit()
    if finished:
        rt.bus.handle(finished)
    return jsonify(events=len(updates), applied=len(named)), 200


def _apply_all(uow: UnitOfWork, pairs: Iterable[tuple[Message, DeliveryUpdate]],
               now: datetime) -> list[MessageFinished]:
    """Apply each update to its message, in order. A message that only now became final (its worker died
    before recording the send) is announced, so that a case waiting for the customer to be told can settle."""
    finished = []
    for message, update in pairs:
        was_final = message.status in messaging.FINAL
        if _apply(uow, message, update, now) and not was_final and message.status in messaging.FINAL:
            finished.append(MessageFinished(message.id or 0, message.order_id))
    return finished


def _apply(uow: UnitOfWork, message: Message, update: DeliveryUpdate, now: datetime) -> bool:
    """One provider's news on one message; True when the message changed."""
    if update.status in ("unsubscribed", "complained"):
        address = message.recipient or update.recipient or ""
        record_opt_out(uow, message.shop_id, _number(address), "provider", now)
        log.info("message %s: the customer %s at %s", message.id, update.status, update.provider)
        if not _not_sent_because(update):
            return False
        status = MessageStatus.FAILED
    else:
        status = STATUS_OF[update.status]
    if PROGRESS[status] <= PROGRESS.get(message.status, PROGRESS[MessageStatus.BOUNCED]):
        return False  # news the message is already past (or a suppressed message, which never went)
    message.status, message.updated_at = status, now
    message.error = None if status == MessageStatus.DELIVERED else update.reason
    message.provider_id = message.provider_id or update.provider_id
    if status == MessageStatus.DELIVERED:
        message.sent_at = message.sent_at or update.occurred_at or now
    uow.repo.add(MessageAttempt(message_id=message.id, attempted_at=now,
                                outcome=status, provider_id=update.provider_id, error=update.reason))
    log.info("message %s: %s says %s", message.id, update.provider, status)
    return True


def _not_sent_because(update: DeliveryUpdate) -> bool:
    """An unsubscribe that is also why this message did not go: Twilio's failed callback with 21610, SendGrid's
    drop of an address on its suppression lists — not a customer's later click on a message that arrived."""
    return update.provider == "twilio" or (update.reason or "").startswith("dropped")


def _twilio_message(uow: UnitOfWork, key: str | None, sid: str | None) -> Message | None:
    session = uow.session
    if key:
        message = session.scalars(select(Message).where(
            Message.idempotency_key == key, Message.channel.in_(("sms", "whatsapp")))).first()
        if message is not None:
            return message
    if sid:
        return session.scalars(select(Message).where(
            Message.provider_id == sid, Message.provider.in_(TWILIO_PROVIDERS))).first()
    return None


def _sendgrid_message(uow: UnitOfWork, shop_id: int, update: DeliveryUpdate) -> Message | None:
    """The shop's email the event names: by the forewarn_key custom arg, else by X-Message-Id."""
    session = uow.session
    of_shop = (Message.shop_id == shop_id, Message.channel == "email")
    if update.forewarn_key:
        message = session.scalars(select(Message).where(
            *of_shop, Message.idempotency_key == update.forewarn_key)).first()
        if message is not None:
            return message
    if update.provider_id:
        return session.scalars(select(Message).where(*of_shop, Message.provider == "sendgrid",
                                                     Message.provider_id == update.provider_id)).first()
    return None


def _shop(uow: UnitOfWork, shop_id: int) -> Shop | None:
    if not 0 < shop_id < 2**63:
        return None
    shop = uow.repo.shop_by_id(shop_id)
    return shop if shop is not None and shop.status != ShopStatus.REDACTED else None


def _credentials(rt: Runtime, shop: Shop, channel: str, kinds: Iterable[str]) -> Mapping[str, str]:
    """The shop's stored credentials for a channel's provider (as jobs/messages.py `_channel` reads them), when
    that provider is one of `kinds`; empty otherwise, or when they cannot be decrypted."""
    conf = ((shop.messaging or {}).get("providers") or {}).get(channel) or {}
    if conf.get("kind") not in kinds or not conf.get("ciphertext"):
        return {}
    try:
        credentials = json.loads(rt.cipher.decrypt(conf["ciphertext"]))
    except (SecretKeyMissing, ValueError) as exc:
        log.error("shop %s: the %s provider's credentials cannot be read (%s)", shop.id, channel, type(exc).__name__)
        return {}
    return credentials if isinstance(credentials, dict) else {}


def _twilio_url() -> str:
    """The URL Twilio signed: scheme and host as Flask sees them (the public ones once FOREWARN_PROXY_HOPS puts
    ProxyFix in front), the query byte for byte. request.url would not do: it decodes the query
    (forewarn_key=incident%3A1 becomes incident:1), and Twilio signs the text it requested."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.base_url}?{query}" if query else request.base_url


def _signed_by_twilio(params: Mapping[str, object], url: str, signature: str, token: str) -> bool:
    try:
        webhooks.verify_twilio(params, url, signature, token)
    except webhooks.InvalidWebhook:
        return False
    return True


def _number(address: str) -> str:
    """A WhatsApp address as the bare number an order holds (opt-outs are matched on the order's phone)."""
    return address[len("whatsapp:"):] if address.lower().startswith("whatsapp:") else address
