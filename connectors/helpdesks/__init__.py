"""Merchants' helpdesks: one adapter per product, each implementing core.ports.Helpdesk, registered here with
the credentials a merchant enters for it (the admin's connect form is drawn from this table)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from connectors.helpdesks.chatwoot import ChatwootHelpdesk
from connectors.helpdesks.email import EmailInboxHelpdesk
from connectors.helpdesks.freshdesk import FreshdeskHelpdesk
from connectors.helpdesks.gorgias import GorgiasHelpdesk
from connectors.helpdesks.zendesk import ZendeskHelpdesk
from connectors.mail import Mailer, SmtpConfig
from core.errors import Unauthorized
from core.ports import Helpdesk


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    secret: bool = False  # write-only in the admin: never shown again once stored
    placeholder: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Kind:
    label: str
    fields: tuple[Field, ...]
    #: The credentials naming the account itself: when they change, its ticket numbers mean nothing any more.
    identity: tuple[str, ...]
    #: (credentials, the HTTP session, Forewarn's own outgoing mail server) → the adapter
    make: Callable[[Mapping[str, str], requests.Session | None, str | None], Helpdesk]
    help: str = ""


KINDS: dict[str, Kind] = {
    "zendesk": Kind(
        "Zendesk",
        (Field("subdomain", "Subdomain", placeholder="acme (from acme.zendesk.com)"), Field("email", "Agent email"),
         Field("api_token", "API token", secret=True)),
        ("subdomain",),
        lambda c, http, smtp_url: ZendeskHelpdesk(c.get("subdomain", ""), c.get("email", ""), c.get("api_token", ""), http),
        "Admin Center › Apps and integrations › Zendesk API: turn on token access and add a token.",
    ),
    "gorgias": Kind(
        "Gorgias",
        (Field("domain", "Domain", placeholder="acme (from acme.gorgias.com)"), Field("email", "API user's email"),
         Field("api_key", "REST API key", secret=True)),
        ("domain",),
        lambda c, http, smtp_url: GorgiasHelpdesk(c.get("domain", ""), c.get("email", ""), c.get("api_key", ""), http),
        "Settings › REST API shows the domain, the user and the key.",
    ),
    "freshdesk": Kind(
        "Freshdesk",
        (Field("domain", "Domain", placeholder="acme (from acme.freshdesk.com)"), Field("api_key", "API key", secret=True)),
        ("domain",),
        lambda c, http, smtp_url: FreshdeskHelpdesk(c.get("domain", ""), c.get("api_key", ""), http),
        "Profile settings › View API key, from an agent who can see all tickets.",
    ),
    "chatwoot": Kind(
        "Chatwoot",
        (Field("url", "Chatwoot address", placeholder="https://app.chatwoot.com or your own"),
         Field("account_id", "Account ID", placeholder="the number in /app/accounts/N/"),
         Field("inbox_id", "Inbox ID", placeholder="Settings › Inboxes › the inbox's number"),
         Field("api_access_token", "Access token", secret=True)),
        ("url", "account_id", "inbox_id"),
        lambda c, http, smtp_url: ChatwootHelpdesk(c.get("url", ""), c.get("account_id", ""), c.get("inbox_id", ""),
                                         c.get("api_access_token", ""), http),
        "Profile settings › Access token; an API, Website or Email inbox holds Forewarn's conversations.",
    ),
    "email": Kind(
        "Email to our support inbox",
        (Field("inbox", "Support inbox address", placeholder="support@your-shop.com"),
         Field("smtp_url", "Your own mail server", secret=True, optional=True,
               placeholder="smtps://user:password@smtp.example.com:465")),
        ("inbox",),
        lambda c, http, smtp_url: EmailInboxHelpdesk(c.get("inbox", ""), _mailer(c.get("smtp_url") or smtp_url)),
        "No helpdesk? Each case arrives as one email thread in your inbox, its updates as replies.",
    ),
}


def _mailer(smtp_url: str | None) -> Mailer:
    if not smtp_url:
        raise Unauthorized("no mail server to send from: enter your own SMTP server, or set FOREWARN_SMTP_URL")
    try:
        return Mailer(SmtpConfig.from_url(smtp_url))
    except ValueError as exc:
        raise Unauthorized(f"the mail server address is not usable: {exc}") from None


def build(kind: str, credentials: Mapping[str, str], http: requests.Session | None = None,
          simulator_url: str | None = None, smtp_url: str | None = None) -> Helpdesk:
    """The adapter for a shop's helpdesk. `simulated` (the demo's Zendesk look-alike, see simulator.py) exists
    only where the demo or a test set `simulator_url`."""
    if kind == "simulated" and simulator_url:
        return ZendeskHelpdesk("", credentials.get("email", ""), credentials.get("api_token", ""), http,
                               base_url=simulator_url)
    if kind not in KINDS:
        raise Unauthorized(f"no helpdesk adapter for {kind!r} (available: {', '.join(KINDS)})")
    return KINDS[kind].make(credentials, http, smtp_url)


def same_account(kind: str, before: Mapping[str, str], new_kind: str, after: Mapping[str, str]) -> bool:
    """Whether new credentials still name the same helpdesk account (a rotated token, not another desk)."""
    if kind != new_kind:
        return False
    keys = KINDS[kind].identity if kind in KINDS else ()
    return all(str(before.get(k, "")).strip().lower() == str(after.get(k, "")).strip().lower() for k in keys)
