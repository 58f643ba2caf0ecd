"""Gorgias through its REST API (https://developers.gorgias.com/reference), on `requests` so every call is
testable with `responses`. HTTP basic auth: the email of the account user who owns the key is the username,
the REST API key (Settings › REST API) the password.

Idempotency: tickets carry Forewarn's case in the Ticket object's own `external_id` ("not used by Gorgias,
feel free to set it as you wish"), and GET /api/tickets filters on it, so a create retried after a crash finds
the ticket it already made. That list includes trashed tickets by default, so a ticket an agent trashed is
found too rather than made a second time. The lookup only runs in the window between a create and its record
(see jobs/helpdesk.py); an agent clearing the external id within that window would defeat it.

Where Gorgias differs from Zendesk:
- A ticket cannot exist without a message: the case goes in as its first message, an internal note (channel
  and via "internal-note", from the API user), which Gorgias never sends to the customer. Every later note is
  one too (POST /api/tickets/{id}/messages).
- Two statuses only, "open" and "closed" (a snoozed ticket is "closed" until it wakes). Updating a ticket
  cannot add a message, so solve and reopen are two calls each; a failure between them is retried by the job,
  which can post that note twice.
- Priorities are critical/high/normal/low: Forewarn's "urgent" is Gorgias's "critical".
- The requester is the ticket's `customer`, given by email (Gorgias matches or creates the customer); a case
  without an email gets a ticket without a customer, which the docs allow.
- The ticket list has no requester-email or text filter (unknown query fields are refused with a 400), so
  find_open_ticket looks the customer up by email (GET /api/customers?email=), lists their 30 most recently
  updated tickets, keeps the open, non-spam ones and looks for the order name in subject and excerpt, then in
  the first page of messages of at most five of them. An older ticket, or a mention further down a long
  thread, is missed: Forewarn then opens its own.
- Rate limit: 40 requests per 20 s per API key; a 429 carries Retry-After, which call_json turns into RateLimited.
"""
from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import requests

from connectors.rest import call_json
from core.errors import Permanent, Unauthorized
from core.ports import TicketDraft

DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PRIORITIES = {"urgent": "critical", "high": "high", "normal": "normal", "low": "low"}
TICKETS_SCANNED = 30  # one page of the customer's tickets, most recently updated first
THREADS_READ = 5  # open tickets whose messages are read when subject and excerpt do not name the order


class GorgiasHelpdesk:
    name = "gorgias"

    def __init__(
        self, domain: str, email: str, api_key: str, http: requests.Session | None = None, *, base_url: str | None = None
    ) -> None:
        if not (domain or base_url) or not email or not api_key:
            raise Unauthorized("Gorgias needs the account domain, the API user's email and a REST API key "
                               "(all three are under Settings › REST API)")
        if not base_url and not DOMAIN.fullmatch(domain):  # it becomes a host name: nothing else gets in
            raise Unauthorized(f"{domain!r} is not a Gorgias domain (the NAME in NAME.gorgias.com)")
        if not EMAIL.fullmatch(email):
            raise Unauthorized(f"{email!r} is not an email address: Gorgias's API username is the email of "
                               "the user who created the API key")
        self.base = f"{_origin(base_url) if base_url else f'https://{domain.lower()}.gorgias.com'}/api"
        self.email = email
        self.auth = (email, api_key)
        self.http = http or requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call_json(self.http, method, f"{self.base}{path}", vendor="Gorgias", auth=self.auth, **kwargs)

    def check(self) -> None:
        self._call("GET", "/account")

    def find_by_external_id(self, external_id: str) -> str | None:
        tickets = self._call("GET", "/tickets", params={"external_id": external_id}).get("data") or []
        found = [t for t in tickets if t.get("external_id") == external_id]  # never trust a filter to be applied
        return str(found[0]["id"]) if found else None

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None:
        if not order_name.strip():
            return None
        mention = re.compile(rf"(?<!\d){re.escape(order_name.strip())}(?!\d)", re.IGNORECASE)  # #1001, not #10012
        customers = self._call("GET", "/customers", params={"email": requester_email}).get("data") or []
        for customer in customers:
            if (customer.get("email") or "").lower() != requester_email.lower():
                continue
            params = {"customer_id": customer["id"], "trashed": "false", "order_by": "updated_datetime:desc",
                      "limit": TICKETS_SCANNED}
            tickets = self._call("GET", "/tickets", params=params).get("data") or []
            candidates = [t for t in tickets
                          if t.get("status") == "open" and not t.get("spam") and not t.get("trashed_datetime")]
            for ticket in candidates:
                if mention.search(f"{ticket.get('subject') or ''}\n{ticket.get('excerpt') or ''}"):
                    return str(ticket["id"])
            for ticket in candidates[:THREADS_READ]:
                messages = self._call("GET", f"/tickets/{_id(ticket['id'])}/messages").get("data") or []
                if any(mention.search(f"{m.get('subject') or ''}\n{m.get('body_text') or ''}") for m in messages):
                    return str(ticket["id"])
        return None

    def create_ticket(self, draft: TicketDraft) -> str:
        ticket: dict[str, Any] = {
            "subject": draft.subject,
            "external_id": draft.external_id,
            "priority": _priority(draft.priority),
            "tags": [{"name": tag} for tag in draft.tags],
            "via": "api",
            "messages": [self._note(draft.body)],
        }
        if draft.requester_email:  # Gorgias matches the customer by email, or creates it
            ticket["customer"] = {"email": draft.requester_email}
            if draft.requester_name:
                ticket["customer"]["name"] = draft.requester_name
        return str(self._call("POST", "/tickets", json=ticket)["id"])

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """The create is one call: a ticket that exists is whole."""

    def add_note(self, ticket_id: str, body: str) -> None:
        self._call("POST", f"/tickets/{_id(ticket_id)}/messages", json=self._note(body))

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None:
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"subject": subject, "priority": _priority(priority)})

    def reopen(self, ticket_id: str, body: str) -> None:
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"status": "open"})
        self.add_note(ticket_id, body)

    def solve(self, ticket_id: str, body: str) -> None:
        self.add_note(ticket_id, body)  # before closing, so the note cannot be what reopens the ticket
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"status": "closed"})

    def _note(self, body: str) -> dict[str, Any]:
        """An internal note from the API user: Gorgias adds it to the ticket and sends it to nobody."""
        return {
            "channel": "internal-note",
            "via": "internal-note",
            "from_agent": True,
            "sender": {"email": self.email},
            "body_text": body,
            "body_html": "<br>".join(html.escape(line) for line in body.split("\n")),
        }


def _priority(priority: str) -> str:
    return PRIORITIES.get(priority, "normal")


def _id(ticket_id: str | int) -> str:
    if not re.fullmatch(r"[0-9]+", str(ticket_id)):  # it goes into the URL path
        raise Permanent(f"{ticket_id!r} is not a Gorgias ticket id")
    return str(ticket_id)


def _origin(base_url: str) -> str:
    """A full base URL (a test server or a proxy) must be https; plain http only on this machine."""
    parts = urlsplit(base_url)
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if not (parts.scheme == "https" or local) or not parts.hostname or parts.username or parts.query or parts.fragment:
        raise Unauthorized(f"{base_url!r} is not an https URL for Gorgias")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
