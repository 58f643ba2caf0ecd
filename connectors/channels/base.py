"""The customer-message port: what every channel (SMTP, SendGrid, Twilio SMS and WhatsApp) takes and gives back.

`OutgoingMessage` is one message to one customer, already rendered in their language; `Channel.send` hands it to
the provider and returns a `SendResult`, or raises core.errors' types: Transient and RateLimited are worth another
try, Unauthorized is the shop's to fix (credentials, an unverified sender), Permanent means this message can never
go (a bad address, a recipient the provider has unsubscribed) and `OptedOut` is the Permanent that says the
customer asked for no more. Delivery webhooks come back as `DeliveryUpdate`s (connectors/channels/webhooks.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from core.errors import Permanent

Direction = Literal["ltr", "rtl"]
SendStatus = Literal["sent", "queued"]
DeliveryStatus = Literal["delivered", "bounced", "failed", "complained", "unsubscribed"]

#: A BCP 47 language tag's shape (ar, bn, pt-BR, zh-Hant-TW): safe in a header and in an HTML attribute.
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
#: An http(s) URL without spaces, quotes or angle brackets: it goes between < and > as is (RFC 2369).
UNSUBSCRIBE_URL = re.compile(r"https?://[!#-;=?-~]+")
MAX_UNSUBSCRIBE_URL = 900  # the header line stays under RFC 5322's 998 characters unfolded


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one customer. `to` is an email address or an E.164 number (+4915123456789); `body` is
    plain text (the SMS, or the email's text part) and `html` the email's optional HTML alternative.
    `idempotency_key` names this message for good (Forewarn's Message.idempotency_key): the email's Message-ID
    is made from it and providers carry it back in their events. It travels to the providers (SendGrid keeps
    custom args for good), so it must hold no personal data — Forewarn's keys are ids and names of templates.
    `sender_address` is the From address for email, or a sender number / alphanumeric id for SMS; None uses
    the channel's own. `direction` is the language's writing direction (rtl for Arabic, Hebrew, Persian, Urdu)."""

    to: str
    body: str
    idempotency_key: str
    subject: str = ""
    html: str | None = None
    sender_name: str = ""
    sender_address: str | None = None
    reply_to: str | None = None
    list_unsubscribe_url: str | None = None
    list_unsubscribe_post: bool = False  # RFC 8058 one-click: the URL accepts a POST that unsubscribes at once
    language: str | None = None
    direction: Direction = "ltr"

    def __post_init__(self) -> None:
        if not self.to or not self.to.strip():
            raise ValueError("a message needs a recipient")
        if not self.body or not self.body.strip():
            raise ValueError("a message needs a body")
        if not self.idempotency_key or not self.idempotency_key.strip():
            raise ValueError("a message needs an idempotency key")
        if self.direction not in ("ltr", "rtl"):
            raise ValueError(f"direction is ltr or rtl, not {self.direction!r}")
        if self.language is not None and not LANGUAGE.fullmatch(self.language):
            raise ValueError(f"{self.language!r} is not a language tag (ar, bn, pt-BR)")
        if self.list_unsubscribe_url is not None and not (
                UNSUBSCRIBE_URL.fullmatch(self.list_unsubscribe_url)
                and len(self.list_unsubscribe_url) <= MAX_UNSUBSCRIBE_URL):
            raise ValueError("the unsubscribe URL must be one http(s):// URL without spaces or angle brackets")
        if self.list_unsubscribe_post and not (self.list_unsubscribe_url or "").startswith("https://"):
            # RFC 8058 §3.1: one-click needs an HTTPS URI (a plain http one may still be listed, without the POST)
            raise ValueError("one-click unsubscribe (List-Unsubscribe-Post) needs an https:// unsubscribe URL")


@dataclass(frozen=True)
class SendResult:
    """What the provider said: `sent` (handed over: an SMTP server or SendGrid accepted it) or `queued` (Twilio
    holds it for sending). `provider_id` is how its webhooks will name the message (Message-ID, X-Message-Id,
    Message SID); None when the provider gave none."""

    provider: str
    provider_id: str | None
    status: SendStatus


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's news about a message that was sent. It names the message by `provider_id` (what SendResult
    gave) and/or `forewarn_key` (the idempotency key the provider carried back); at least one is set.
    `reason` is the provider's own words (a bounce reply, an error code); `event_id` is stable across the
    provider's retries of the same event, for de-duplication; `recipient` is the address or number the event
    is about (what an unsubscribe or a complaint must be recorded against)."""

    provider: str
    status: DeliveryStatus
    provider_id: str | None = None
    forewarn_key: str | None = None
    reason: str | None = None
    event_id: str | None = None
    occurred_at: datetime | None = None  # timezone-aware UTC, when the provider dates its event
    recipient: str | None = None


class OptedOut(Permanent):
    """The provider refuses the recipient because they unsubscribed there (Twilio 21610: they texted STOP).
    Never to be retried; the customer is to be recorded as opted out of this channel."""

    opted_out = True


class Channel(Protocol):
    """One way to reach customers, configured for one shop."""

    provider: str

    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the provider once; raise core.errors' types (see the module docstring)."""
        ...
