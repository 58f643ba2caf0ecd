"""Merchants' helpdesks: one adapter per product, each implementing core.ports.Helpdesk, registered here with
the credentials a merchant enters for it (the admin's connect form is drawn from this table)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from connectors.helpdesks.chatwoot import ChatwootHelpdesk
from connectors.helpdesks.email import EmailInboxHelpdesk
from connectors.helpdesks.freshdesk import FreshdeskHelpdesk
from connectors.helpdesks.gorgias import GorgiasHelpdesk
from connectors.helpdesks.zendesk import ZendeskHelpdesk
from connectors.mail import mailer_for
from connectors.registry import Field
from connectors.netguard import check_host
from core.errors import Unauthorized
from core.ports import Helpdesk


@dataclass(frozen=True)
class Kind:
    label: str
    fields: tuple[Field, ...]
    #: The credentials naming the account itself: when they change, its ticket numbers mean nothing any more.
    identity: tuple[str, ...]
    #: (credentials, the HTTP session, Forewarn's own outgoing mail server) → the adapter
    make: Callable[[Mapping[str, str], requests.Session | None, str | None], Helpdesk]
    help: str = ""
    #: The hosts among the merchant's credentials (Forewarn must not be pointed back into its own network).
    hosts: Callable[[Mapping[str, str]], tuple[str | None, ...]] = lambda c: ()


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
        hosts=lambda c: (urlsplit(c.get("url", "")).hostname,),
    ),
    "email": Kind(
        "Email to our support inbox",
        (Field("inbox", "Support inbox address", placeholder="support@your-shop.com"),
         Field("smtp_url", "Your own mail server", secret=True, optional=True,
               placeholder="smtps://user:password@smtp.example.com:465")),
        ("inbox",),
        lambda c, http, smtp_url: EmailInboxHelpdesk(c.get("inbox", ""), mailer_for(c.get("smtp_url"), smtp_url)),
        "No helpdesk? Each case arrives as one email thread in your inbox, its updates as replies.",
        hosts=lambda c: (urlsplit(c["smtp_url"]).hostname,) if c.get("smtp_url") else (),
    ),
}


def build(kind: str, credentials: Mapping[str, str], http: requests.Session | None = None,
          simulator_url: str | None = None, smtp_url: str | None = None, allow_private: bool = False) -> Helpdesk:
    """The adapter for a shop's helpdesk. `simulated` (the demo's Zendesk look-alike, see simulator.py) exists
    only where the demo or a test set `simulator_url`. Hosts the merchant typed must be public unless the
    operator allows private networks (connectors/netguard.py)."""
    if kind == "simulated" and simulator_url:
        return ZendeskHelpdesk("", credentials.get("email", ""), credentials.get("api_token", ""), http,
                               base_url=simulator_url)
    if kind not in KINDS:
        raise Unauthorized(f"no helpdesk adapter for {kind!r} (available: {', '.join(KINDS)})")
    for host in KINDS[kind].hosts(credentials):
        check_host(host, allow_private=allow_private)
    return KINDS[kind].make(credentials, http, smtp_url)


def same_account(kind: str, before: Mapping[str, str], new_kind: str, after: Mapping[str, str]) -> bool:
    """Whether new credentials still name the same helpdesk account (a rotated token, not another desk)."""
    if kind != new_kind:
        return False
    keys = KINDS[kind].identity if kind in KINDS else ()
    return all(_same(before.get(k), after.get(k)) for k in keys)


def _same(a: str | None, b: str | None) -> bool:
    """One account's identifier written two ways (case, spaces, a trailing slash on an address) is the same."""
    return str(a or "").strip().rstrip("/").lower() == str(b or "").strip().rstrip("/").lower()
