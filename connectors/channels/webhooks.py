"""What Twilio and SendGrid tell Forewarn about sent messages, verified and mapped (pure: no Flask, no I/O).

- Twilio status callbacks (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status) are
  form posts signed in X-Twilio-Signature: HMAC-SHA1 of the full URL Twilio requested plus the sorted
  parameters, keyed with the account's Auth Token; the SDK's RequestValidator checks it. The URL must be the
  public one Twilio called (scheme, host, path and query as Twilio saw them, not as a proxy rewrote them).
  Only final news becomes a DeliveryUpdate: delivered (and WhatsApp's read), undelivered, failed, canceled.
- Inbound messages: a reply that is one of Twilio's opt-out keywords (or that Twilio's Advanced Opt-Out marks
  OptOutType=STOP) is the customer's STOP. Twilio stops delivering to them by itself (and refuses with 21610,
  see sms_twilio.py); recording it lets Forewarn stop trying. A reply that is one of Twilio's opt-in keywords
  (or marked OptOutType=START) is their START: Twilio delivers to them again, and so may Forewarn. Verify the
  request with `verify_twilio` first.
- SendGrid's Signed Event Webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/
  getting-started-event-webhook-security-features): ECDSA P-256 / SHA-256 over the timestamp header followed
  by the raw body, checked with the SDK's EventWebhook helper against the public key from the account's
  Mail Settings. Each event of the batch that says something final becomes a DeliveryUpdate; the message is
  named by `forewarn_key` (the custom arg email_sendgrid.py sets, which SendGrid copies into each event) and
  by the X-Message-Id part of `sg_message_id`.
A body that fails verification raises InvalidWebhook and must be answered 4xx with nothing stored.
"""
from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator

from connectors.channels.base import DeliveryStatus, DeliveryUpdate

#: Twilio's default opt-out keywords for long codes, matched case-insensitively on the whole message: the six
#: long-standing ones and REVOKE and OPTOUT (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out).
STOP_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
#: Twilio's default opt-in keywords, which re-subscribe a sender who had opted out (same page): matched
#: case-insensitively on the whole message, surrounding spaces ignored.
START_KEYWORDS = frozenset({"start", "yes", "unstop"})
TWILIO_FINAL: dict[str, DeliveryStatus] = {
    "delivered": "delivered", "read": "delivered", "undelivered": "failed", "failed": "failed", "canceled": "failed",
}
#: Error codes that say the number cannot receive messages at all (a bounce, not a passing failure):
#: 30005 unknown destination handset, 30006 landline or unreachable carrier.
TWILIO_BOUNCE_CODES = frozenset({"30005", "30006"})
TWILIO_UNSUBSCRIBED = "21610"
KEY_PARAM = "forewarn_key"
#: sg_message_id is the X-Message-Id SendGrid answered with, then `.filter…` or `.recvd-…` and more.
SG_MESSAGE_ID = re.compile(r"(.+?)\.(?:filter|recvd-)")
SENDGRID_DROPPED: dict[str, DeliveryStatus] = {  # "dropped" reasons: why SendGrid did not even try
    "bounced address": "bounced", "unsubscribed address": "unsubscribed", "spam reporting address": "complained",
}


class InvalidWebhook(ValueError):
    """A webhook that must not be trusted. `reason`: no_secret, unusable_key, bad_signature or malformed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def verify_twilio(params: Mapping[str, Any], url: str, signature: str | None, auth_token: str) -> None:
    """Raise InvalidWebhook unless X-Twilio-Signature is Twilio's for this URL and these form parameters
    (a dict of strings, or the web framework's multi-valued form, as received)."""
    if not auth_token:
        raise InvalidWebhook("no_secret", "the shop's Twilio Auth Token is not known")
    if not signature or not RequestValidator(auth_token).validate(url, params, signature):
        raise InvalidWebhook("bad_signature", "X-Twilio-Signature does not match this request")


def twilio_status(params: Mapping[str, Any], url: str, signature: str, auth_token: str) -> DeliveryUpdate | None:
    """A verified status callback as a DeliveryUpdate; None for news that is not final (queued, sent, …)."""
    verify_twilio(params, url, signature, auth_token)
    sid = _text(params.get("MessageSid")) or _text(params.get("SmsSid"))
    status = (_text(params.get("MessageStatus")) or _text(params.get("SmsStatus"))).lower()
    if not sid or not status:
        raise InvalidWebhook("malformed", "a status callback without MessageSid or MessageStatus")
    if _text(params.get("EventType")).upper() == "READ":
        status = "read"
    final = TWILIO_FINAL.get(status)
    if final is None:
        return None
    code = _text(params.get("ErrorCode"))
    if final == "failed" and code == TWILIO_UNSUBSCRIBED:
        final = "unsubscribed"
    elif final == "failed" and code in TWILIO_BOUNCE_CODES:
        final = "bounced"
    reason = None
    if final != "delivered":
        detail = _text(params.get("ChannelStatusMessage")) or _text(params.get("ErrorMessage"))
        reason = " ".join(part for part in (status, f"Twilio error {code}" if code else "", detail) if part)
    return DeliveryUpdate(provider="twilio", status=final, provider_id=sid, forewarn_key=_key_in(url),
                          reason=reason, event_id=f"{sid}:{status}", recipient=_text(params.get("To")) or None)


class InboundKeyword(NamedTuple):
    """An inbound message that changes whether the sender may be texted: `action` stop or start, `sender` as
    Twilio gives it (+E.164, or whatsapp:+… on WhatsApp)."""

    action: Literal["stop", "start"]
    sender: str


def twilio_inbound_keyword(params: Mapping[str, Any]) -> InboundKeyword | None:
    """The opt-out or opt-in this inbound message is, else None (an ordinary reply).

    Advanced Opt-Out's OptOutType (STOP or START, including the shop's own keywords) is taken as Twilio says it.
    Otherwise the whole message is compared with Twilio's default keywords, case-insensitively, surrounding
    spaces ignored. A STOP also tolerates a final full stop or exclamation mark, since honouring one too eagerly
    costs nothing; a START does not: it lifts an opt-out, so it is read exactly as Twilio reads it."""
    sender = _text(params.get("From"))
    if not sender:
        return None
    marked = _text(params.get("OptOutType")).upper()
    if marked == "STOP":
        return InboundKeyword("stop", sender)
    if marked == "START":
        return InboundKeyword("start", sender)
    body = _text(params.get("Body")).strip()
    if body.rstrip(".!").strip().casefold() in STOP_KEYWORDS:
        return InboundKeyword("stop", sender)
    if body.casefold() in START_KEYWORDS:
        return InboundKeyword("start", sender)
    return None


def twilio_inbound_stop(params: Mapping[str, Any]) -> str | None:
    """The sender's number (as Twilio gives it: +E.164, or whatsapp:+… on WhatsApp) when this inbound message
    is an opt-out, else None (see `twilio_inbound_keyword`)."""
    keyword = twilio_inbound_keyword(params)
    return keyword.sender if keyword is not None and keyword.action == "stop" else None


def verify_sendgrid(body: bytes, signature: str | None, timestamp: str | None, public_key: str) -> None:
    """Raise InvalidWebhook unless the X-Twilio-Email-Event-Webhook-Signature header is SendGrid's signature of
    the X-Twilio-Email-Event-Webhook-Timestamp header followed by the raw body, under `public_key` (the
    verification key shown in SendGrid's Mail Settings: base64 DER, or PEM)."""
    key_text = "".join((public_key or "").split())
    if not key_text:
        raise InvalidWebhook("no_secret", "the shop's SendGrid verification key is not known")
    helper = EventWebhook()
    try:
        if key_text.startswith("-----BEGIN"):
            key = helper.convert_public_key_to_ecdsa(_pem_body(public_key))
        else:
            key = helper.convert_public_key_to_ecdsa(key_text)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidWebhook("unusable_key", f"the SendGrid verification key cannot be read: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InvalidWebhook("unusable_key", "the SendGrid verification key is not an elliptic-curve key")
    if not signature or not timestamp:
        raise InvalidWebhook("bad_signature", "the signature or timestamp header is missing")
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidWebhook("malformed", "the body is not UTF-8") from None
    try:
        valid = helper.verify_signature(payload, signature.strip(), timestamp.strip(), key)
    except (ValueError, TypeError, binascii.Error):  # not base64, not a DER signature, not an EC key
        valid = False
    if not valid:
        raise InvalidWebhook("bad_signature", "the SendGrid event signature does not match this body")


def sendgrid_events(body: bytes, signature: str, timestamp: str, public_key: str) -> list[DeliveryUpdate]:
    """The final news in a verified batch of SendGrid events (delivered, bounce and blocked, dropped,
    spamreport, unsubscribe, group_unsubscribe), in the batch's order; processed, deferred, open, click and
    the rest say nothing final and are left out."""
    verify_sendgrid(body, signature, timestamp, public_key)
    try:
        events = json.loads(body)
    except ValueError:
        raise InvalidWebhook("malformed", "the body is not JSON") from None
    if not isinstance(events, list):
        raise InvalidWebhook("malformed", "SendGrid posts a JSON array of events")
    updates = []
    for event in events:
        update = _sendgrid_update(event) if isinstance(event, dict) else None
        if update is not None:
            updates.append(update)
    return updates


def _sendgrid_update(event: dict[str, Any]) -> DeliveryUpdate | None:
    kind = _text(event.get("event")).lower()
    reason = _text(event.get("reason"))
    status: DeliveryStatus
    if kind == "delivered":
        status = "delivered"
    elif kind == "bounce":
        # "blocked" (SendGrid: the receiving server refused the message temporarily) is not a bad address
        status = "failed" if _text(event.get("type")).lower() == "blocked" else "bounced"
        reason = " ".join(part for part in (
            _text(event.get("type")) or "bounce", reason,
            f"({_text(event.get('status'))})" if event.get("status") else "",
            f"[{_text(event.get('bounce_classification'))}]" if event.get("bounce_classification") else "",
        ) if part)
    elif kind == "dropped":
        status = SENDGRID_DROPPED.get(reason.lower(), "failed")
        reason = f"dropped: {reason}" if reason else "dropped"
    elif kind == "spamreport":
        status, reason = "complained", "marked as spam"
    elif kind == "unsubscribe":
        status, reason = "unsubscribed", "unsubscribed from all email"
    elif kind == "group_unsubscribe":
        status, reason = "unsubscribed", f"unsubscribed from group {_text(event.get('asm_group_id'))}".strip()
    else:
        return None
    sg_message_id = _text(event.get("sg_message_id"))
    found = SG_MESSAGE_ID.match(sg_message_id)
    provider_id = found.group(1) if found else sg_message_id or None
    key = _text(event.get(KEY_PARAM)) or None
    if provider_id is None and key is None:
        return None  # names no message Forewarn could have sent
    return DeliveryUpdate(provider="sendgrid", status=status, provider_id=provider_id, forewarn_key=key,
                          reason=reason or None, event_id=_text(event.get("sg_event_id")) or None,
                          occurred_at=_time(event.get("timestamp")), recipient=_text(event.get("email")) or None)


def _key_in(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(KEY_PARAM)
    return values[-1] if values else None


def _text(value: object) -> str:
    if isinstance(value, list):  # a multi-valued form read as lists
        value = value[-1] if value else None
    return "" if value is None else str(value).strip()


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _pem_body(pem: str) -> str:
    """The base64 between a PEM's BEGIN and END lines (the SDK adds those lines itself)."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))
