"""Customer-message channels: one adapter per provider, each implementing `Channel` (base.py), registered here with
the settings a merchant enters for it (the admin's connect form can be drawn from this table, as for helpdesks).

    channel = build("sms_twilio", {"account_sid": …, "auth_token": …, "from": "+14155550100"},
                    status_callback="https://forewarn.example/webhooks/twilio/status")
    result = channel.send(OutgoingMessage(to="+4915123456789", body="…", idempotency_key="incident:12:late:sms"))
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from connectors.channels.base import (Channel, DeliveryStatus, DeliveryUpdate, OptedOut, OutgoingMessage,
                                      SendResult)
from connectors.channels.email_sendgrid import HOSTS, EmailSendgridChannel
from connectors.channels.email_smtp import EmailSmtpChannel
from connectors.channels.sms_twilio import SmsTwilioChannel
from connectors.mail import mailer_for
from connectors.registry import Field
from connectors.netguard import check_host
from core.errors import Unauthorized

__all__ = ["Channel", "DeliveryStatus", "DeliveryUpdate", "EmailSendgridChannel", "EmailSmtpChannel", "KINDS",
           "OptedOut", "OutgoingMessage", "SendResult", "SmsTwilioChannel", "build"]


@dataclass(frozen=True)
class Options:
    """What the operator, not the merchant, decides: Forewarn's own mail server, the public status-callback
    URL, and (tests, the demo) another SendGrid host."""

    smtp_url: str | None = None
    status_callback: str | None = None
    sendgrid_host: str | None = None


@dataclass(frozen=True)
class Kind:
    label: str
    fields: tuple[Field, ...]
    make: Callable[[Mapping[str, str], Options], Channel]
    help: str = ""
    #: The hosts among the merchant's settings (Forewarn must not be pointed back into its own network).
    hosts: Callable[[Mapping[str, str]], tuple[str | None, ...]] = lambda s: ()


def _twilio(settings: Mapping[str, str], options: Options, whatsapp: bool) -> Channel:
    return SmsTwilioChannel(settings.get("account_sid", ""), settings.get("auth_token", ""),
                            settings.get("from") or None, settings.get("messaging_service_sid") or None,
                            whatsapp=whatsapp, status_callback=options.status_callback)


def _sendgrid(settings: Mapping[str, str], options: Options) -> Channel:
    region = (settings.get("region") or "global").strip().lower()
    if region not in HOSTS:
        raise Unauthorized(f"SendGrid's region is {' or '.join(HOSTS)}, not {region!r}")
    return EmailSendgridChannel(settings.get("api_key", ""), sender_address=settings.get("sender_address") or None,
                                sender_name=settings.get("sender_name", ""),
                                host=options.sendgrid_host or HOSTS[region])


TWILIO_FIELDS = (
    Field("account_sid", "Account SID", placeholder="AC…"),
    Field("auth_token", "Auth Token", secret=True),
    Field("from", "Sender", optional=True, placeholder="+14155550100, or an alphanumeric sender id"),
    Field("messaging_service_sid", "Messaging Service SID", optional=True, placeholder="MG…"),
)

KINDS: dict[str, Kind] = {
    "email_smtp": Kind(
        "Email through a mail server",
        (Field("smtp_url", "Your own mail server", secret=True, optional=True,
               placeholder="smtps://user:password@smtp.example.com:465"),),
        lambda s, o: EmailSmtpChannel(mailer_for(s.get("smtp_url"), o.smtp_url)),
        "Without your own server, Forewarn's sends; your customers' replies go to your reply-to address.",
        hosts=lambda s: (urlsplit(s["smtp_url"]).hostname,) if s.get("smtp_url") else (),
    ),
    "email_sendgrid": Kind(
        "Email through SendGrid",
        (Field("api_key", "API key", secret=True, placeholder="SG.…"),
         Field("sender_address", "Sender address", placeholder="a verified Sender Identity: news@your-shop.com"),
         Field("sender_name", "Sender name", optional=True),
         Field("region", "Region", optional=True, placeholder="global, or eu for an EU subuser"),
         Field("event_public_key", "Event Webhook verification key", optional=True,
               placeholder="from Settings › Mail Settings › Event Webhook › Signature Verification")),
        _sendgrid,
        "Settings › API Keys: a key with Mail Send. Settings › Mail Settings › Event Webhook: "
        "Forewarn's /webhooks/sendgrid/events/<your shop id>, signed, for bounces and unsubscribes.",
    ),
    "sms_twilio": Kind(
        "SMS through Twilio", TWILIO_FIELDS, lambda s, o: _twilio(s, o, whatsapp=False),
        "Console › Account Info shows the Account SID and the Auth Token; give a Twilio number or a Messaging Service.",
    ),
    "whatsapp_twilio": Kind(
        "WhatsApp through Twilio", TWILIO_FIELDS, lambda s, o: _twilio(s, o, whatsapp=True),
        "Your WhatsApp sender registered in Twilio, written as its number (+14155550100).",
    ),
}


def build(kind: str, settings: Mapping[str, str], *, smtp_url: str | None = None, status_callback: str | None = None,
          allow_private: bool = False, sendgrid_host: str | None = None) -> Channel:
    """The channel for a shop's settings of one kind; Unauthorized when the settings cannot work. Hosts the
    merchant typed must be public unless the operator allows private networks (connectors/netguard.py)."""
    if kind not in KINDS:
        raise Unauthorized(f"no message channel {kind!r} (available: {', '.join(KINDS)})")
    for host in KINDS[kind].hosts(settings):
        check_host(host, allow_private=allow_private)
    options = Options(smtp_url=smtp_url, status_callback=status_callback, sendgrid_host=sendgrid_host)
    return KINDS[kind].make(settings, options)
