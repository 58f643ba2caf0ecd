"""Customer SMS and WhatsApp messages through Twilio's Programmable Messaging, with Twilio's official SDK
(`twilio`, on requests).

One Message resource is created per message (https://www.twilio.com/docs/messaging/api/message-resource): To,
Body, From (a Twilio number or alphanumeric sender id) and/or a Messaging Service, and StatusCallback when
Forewarn has a public URL for it. WhatsApp addresses are the same numbers written `whatsapp:+…`. The callback
URL carries `forewarn_key=<idempotency key>`, so a status callback names the message even when its SID was never
stored (a crash between Twilio's answer and the commit); Twilio signs the URL with its query, so the key is as
trustworthy as the rest of the callback.

Twilio's errors (https://www.twilio.com/docs/api/errors) become core.errors' types: 20003 and other 401/403s →
Unauthorized; 21610 (the recipient texted STOP) → OptedOut; a From that is not a usable Twilio sender of the
account (21212, 21606, 21659, 21660) → Unauthorized, since the shop must fix its settings; 429 / 20429 →
RateLimited; 5xx, timeouts and dropped connections → Transient; any other 4xx (21211: not a valid phone number,
21614: not a mobile number, 63016: WhatsApp outside the 24-hour window) → Permanent with Twilio's message.

Twilio's Messages API has no idempotency key: a request that timed out after Twilio took it and is then sent
again is delivered twice.
"""
from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from connectors.channels.base import OptedOut, OutgoingMessage, SendResult
from connectors.mail import CONTROL
from connectors.rest import DEFAULT_RETRY_AFTER, retry_after
from core.errors import ConnectorError, MaybeSent, Permanent, RateLimited, Transient, Unauthorized

log = logging.getLogger(__name__)

TIMEOUT = 20.0  # seconds
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
WHATSAPP = "whatsapp:"
KEY_PARAM = "forewarn_key"
UNSUBSCRIBED = 21610
SENDER_NOT_USABLE = frozenset({21212, 21606, 21659, 21660})
AUTHENTICATE = 20003
TOO_MANY_REQUESTS = 20429


class SmsTwilioChannel:
    """SMS (or, with whatsapp=True, WhatsApp) for one shop's Twilio account. Give `from_`, a
    `messaging_service_sid`, or both (Twilio then sends from that number of the service's pool)."""

    def __init__(self, account_sid: str, auth_token: str, from_: str | None = None,
                 messaging_service_sid: str | None = None, *, whatsapp: bool = False,
                 status_callback: str | None = None, timeout: float = TIMEOUT) -> None:
        account_sid, auth_token = (account_sid or "").strip(), (auth_token or "").strip()
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise Unauthorized("the Twilio Account SID is AC followed by 32 letters and digits (Console › Account)")
        if not auth_token:
            # never empty into the SDK: it would fall back to the TWILIO_AUTH_TOKEN of Forewarn's own environment
            raise Unauthorized("Twilio needs the account's Auth Token")
        if messaging_service_sid is not None and not SERVICE_SID.fullmatch(messaging_service_sid.strip()):
            raise Unauthorized("a Twilio Messaging Service SID is MG followed by 32 letters and digits")
        if not from_ and not messaging_service_sid:
            raise Unauthorized("Twilio needs a sender: a Twilio number or a Messaging Service")
        self.provider = "twilio_whatsapp" if whatsapp else "twilio"
        self.whatsapp = whatsapp
        self.from_ = from_.strip() if from_ else None
        self.messaging_service_sid = messaging_service_sid.strip() if messaging_service_sid else None
        self.status_callback = status_callback
        self._retry_after = DEFAULT_RETRY_AFTER
        http_client = TwilioHttpClient(timeout=timeout, request_hooks={"response": [self._remember]})
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def send(self, message: OutgoingMessage) -> SendResult:
        params: dict[str, Any] = {"to": self._address(message.to, "the customer's number", Permanent),
                                  "body": message.body}
        sender = message.sender_address or self.from_
        if sender:
            params["from_"] = self._address(sender, "the sender", Unauthorized, sender_id=True)
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        if self.status_callback:
            params["status_callback"] = with_key(self.status_callback, message.idempotency_key)
        try:
            created = self.client.messages.create(**params)
        except (TwilioRestException, TwilioServiceException) as exc:  # the latter for RFC 9457 problem documents
            raise failure(exc, self._retry_after) from None
        except requests.ConnectTimeout as exc:  # never reached Twilio: safe to try again
            raise Transient(f"Twilio did not answer: {exc}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            if "NewConnectionError" in repr(exc) or "NameResolutionError" in repr(exc):
                raise Transient(f"Twilio could not be reached: {exc}") from None
            raise MaybeSent(f"Twilio took the request and did not answer: {exc}") from None
        except ValueError as exc:  # a 2xx body that is not JSON: Twilio accepted the message
            raise MaybeSent(f"Twilio answered with a body that could not be read: {exc}") from None
        except TwilioException as exc:
            raise Permanent(f"Twilio could not send the message: {exc}") from None
        status = created.status or ""
        if status in ("failed", "undelivered", "canceled"):
            raise Permanent(f"Twilio did not send the message ({status}, error {created.error_code}): "
                            f"{created.error_message or 'no details'}")
        log.info("Twilio took customer message %s as %s (%s)", message.idempotency_key, created.sid, status)
        return SendResult(provider=self.provider, provider_id=created.sid,
                          status="sent" if status in ("sent", "delivered", "read") else "queued")

    def _address(self, value: str, what: str, error: type[ConnectorError], *, sender_id: bool = False) -> str:
        """An E.164 number, `whatsapp:`-prefixed on WhatsApp; an SMS sender may also be a short code or an
        alphanumeric sender id, which Twilio itself checks."""
        number = value.strip()
        if number.lower().startswith(WHATSAPP):
            number = number[len(WHATSAPP):]
        if self.whatsapp or not sender_id:
            if not E164.fullmatch(number):
                raise error(f"{what} is not a phone number in international form (+4915123456789)")
        elif not number or CONTROL.search(number):
            raise error(f"{what} is not a Twilio sender")
        return f"{WHATSAPP}{number}" if self.whatsapp else number

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A requests hook: the SDK's exception drops the headers, so a 429's Retry-After is kept here."""
        if response.status_code == 429:
            self._retry_after = retry_after(response)


def with_key(url: str, key: str) -> str:
    """`url` with forewarn_key=<key> in its query (replacing one already there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != KEY_PARAM]
    query.append((KEY_PARAM, key))
    return urlunsplit(parts._replace(query=urlencode(query)))


def failure(exc: TwilioException, retry_after_seconds: float = DEFAULT_RETRY_AFTER) -> ConnectorError:
    """The typed error for Twilio's refusal (TwilioRestException, or TwilioServiceException for RFC 9457)."""
    status = int(getattr(exc, "status", 0) or 0)
    code = _code(getattr(exc, "code", None))
    text = str(getattr(exc, "msg", "") or getattr(exc, "detail", "") or getattr(exc, "title", "") or "")
    reason = " ".join(f"{text} (Twilio error {code})".split()) if code else " ".join(text.split())
    if code == UNSUBSCRIBED:
        return OptedOut(f"the customer unsubscribed from this sender (texted STOP): {reason}")
    if status in (401, 403) or code == AUTHENTICATE:
        return Unauthorized(f"Twilio refused the credentials ({status}): {reason}")
    if code in SENDER_NOT_USABLE:
        return Unauthorized(f"Twilio cannot send from the configured sender: {reason}")
    if status == 429 or code == TOO_MANY_REQUESTS:
        return RateLimited(f"Twilio rate limit: {reason}", retry_after_seconds)
    if status >= 500 or status == 0:
        return Transient(f"Twilio failed ({status}): {reason}")
    return Permanent(f"Twilio refused the message ({status}): {reason}")


def _code(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
