"""Customer email through SendGrid's v3 Mail Send API, with SendGrid's official SDK (`sendgrid`, on
python_http_client and urllib).

The request: From (a verified Sender Identity of the shop's SendGrid account) with the shop's name, Reply-To,
Subject, the text part then the HTML part (SendGrid wants them first and in that order), the List-Unsubscribe
headers, Content-Language, and `custom_args` {"forewarn_key": idempotency key}: SendGrid copies custom args into
every event of the message, which is how sendgrid_events (webhooks.py) names it.

Answers (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors):
202 (accepted and queued) → sent, with the X-Message-Id header as provider_id; 401 and 403 (a revoked key, a key
without Mail Send, a From that is not a verified Sender Identity) → Unauthorized with SendGrid's message; 429 →
RateLimited; 400 and other 4xx → Permanent with SendGrid's `errors[].message`; 5xx, timeouts and dropped
connections → Transient.

SendGrid has no idempotency key for Mail Send: a request that timed out after SendGrid took it and is then sent
again is delivered twice. SendGrid sets its own Message-ID, so the deterministic one of the SMTP channel is not
available here either.
"""
from __future__ import annotations

import http.client
import json
import logging
import math
import time
import urllib.error
from collections.abc import Mapping
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.base_interface import region_host_dict
from sendgrid.helpers.mail import Content, CustomArg, From, Header, Mail, MimeType, ReplyTo, To

from connectors.channels import email_content
from connectors.channels.base import OutgoingMessage, SendResult
from connectors.rest import DEFAULT_RETRY_AFTER
from core.errors import ConnectorError, MaybeSent, Permanent, RateLimited, Transient, Unauthorized

log = logging.getLogger(__name__)
# python_http_client logs every request's headers (the API key) and body (the customer's address and message)
# at DEBUG: kept quiet whatever the application's level, since Forewarn's logs never hold either.
logging.getLogger("python_http_client").setLevel(logging.INFO)

#: SendGrid's API hosts by data residency, as the SDK knows them ({"global": …, "eu": …}).
HOSTS: Mapping[str, str] = region_host_dict
TIMEOUT = 20.0  # seconds; the SDK sets none, and urllib would wait for ever
KEY_ARG = "forewarn_key"


def mail(message: OutgoingMessage, sender_address: str | None, sender_name: str) -> Mail:
    """The SDK's Mail for `message` (pure). `sender_address`/`sender_name` are the channel's defaults."""
    address = message.sender_address or sender_address
    if not address:
        raise Unauthorized("SendGrid needs a sender address: one of your account's verified Sender Identities")
    name = email_content.one_line(message.sender_name) or email_content.one_line(sender_name)
    html = (email_content.directed_html(message.html, message.direction, message.language)
            if message.html is not None else None)
    result = Mail(from_email=From(email_content.shop_address(address, "sender"), name or None),
                  to_emails=To(email_content.recipient(message)), subject=email_content.subject(message))
    result.content = Content(MimeType.text, message.body)
    if html is not None:
        result.content = Content(MimeType.html, html)
    if message.reply_to:
        result.reply_to = ReplyTo(email_content.shop_address(message.reply_to, "reply-to"))
    result.custom_arg = CustomArg(KEY_ARG, message.idempotency_key)
    headers = email_content.unsubscribe_headers(message)
    if message.language:
        headers["Content-Language"] = message.language
    for key, value in headers.items():
        result.header = Header(key, value)
    return result


class EmailSendgridChannel:
    provider = "sendgrid"

    def __init__(self, api_key: str, *, sender_address: str | None = None, sender_name: str = "",
                 host: str = HOSTS["global"], timeout: float = TIMEOUT) -> None:
        if not api_key or not api_key.strip():
            # never None into the SDK: it would fall back to the SENDGRID_API_KEY of Forewarn's own environment
            raise Unauthorized("SendGrid needs an API key with the Mail Send permission")
        self.sender_address = sender_address
        self.sender_name = sender_name
        self.client = SendGridAPIClient(api_key=api_key.strip(), host=host.rstrip("/"))
        self.client.client.timeout = timeout

    def send(self, message: OutgoingMessage) -> SendResult:
        payload = mail(message, self.sender_address, self.sender_name).get()
        try:
            response = self.client.send(payload)
        except HTTPError as exc:
            raise failure(exc.status_code, exc.body, exc.headers) from None
        except urllib.error.URLError as exc:  # while connecting: SendGrid has nothing yet
            raise Transient(f"SendGrid could not be reached: {exc}") from None
        except (OSError, http.client.HTTPException) as exc:  # a read timeout or a reset after the request went out
            raise MaybeSent(f"SendGrid took the request and did not answer: {exc}") from None
        provider_id = response.headers.get("X-Message-Id") if response.headers is not None else None
        log.info("SendGrid accepted customer email %s (%s) as %s", message.idempotency_key, response.status_code,
                 provider_id)
        return SendResult(provider=self.provider, provider_id=provider_id or None, status="sent")


def failure(status: int, body: bytes | str | None, headers: Any) -> ConnectorError:
    """The typed error for a SendGrid answer that is not 2xx."""
    reason = errors_text(body)
    if status in (401, 403):
        return Unauthorized(f"SendGrid refused the API key or the sender ({status}): {reason}")
    if status == 429:
        return RateLimited(f"SendGrid rate limit: {reason}", retry_after(headers))
    if status >= 500:
        return Transient(f"SendGrid failed ({status}): {reason}")
    return Permanent(f"SendGrid refused the message ({status}): {reason}")


def errors_text(body: bytes | str | None) -> str:
    """SendGrid's `{"errors": [{"field": …, "message": …}]}` as one line; the raw start of anything else."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        errors = json.loads(raw).get("errors")
        parts = [f"{e['message']} ({e['field']})" if e.get("field") else str(e["message"]) for e in errors]
    except (ValueError, AttributeError, TypeError, KeyError):
        return email_content.one_line(raw)[:300] or "no details"
    return email_content.one_line("; ".join(parts))[:500] or "no details"


def retry_after(headers: Any) -> float:
    """Seconds to wait: Retry-After when given, else until X-RateLimit-Reset (a Unix time, SendGrid's rate-limit
    header: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/rate-limits)."""
    get = getattr(headers, "get", None)
    if get is None:
        return DEFAULT_RETRY_AFTER
    for name, absolute in (("Retry-After", False), ("X-RateLimit-Reset", True)):
        try:
            value = float(get(name) or "")
        except ValueError:
            continue
        if math.isfinite(value):
            return max(value - time.time() if absolute else value, 0.0)
    return DEFAULT_RETRY_AFTER
