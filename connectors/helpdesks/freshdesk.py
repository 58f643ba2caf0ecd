"""Freshdesk through its REST API v2 (https://developers.freshdesk.com/api/), on `requests` so every call is
testable with `responses`: basic auth with the agent's API key as user name and "X" as password.

Freshdesk tickets have no external-id field (`unique_external_id` belongs to contacts), so Forewarn's case rides
on the ticket as a tag equal to the external id (`forewarn-case-12`), set by create_ticket. It is looked for in
two places, because Freshdesk's filter API (GET /search/tickets) only sees a ticket "after a few minutes" of
indexing — exactly the window in which a worker that died after its create is retried:
  1. the helpdesk's 100 newest tickets (GET /tickets, newest first; the list is not indexed, so a ticket made
     seconds ago is there), then
  2. the filter API (`tag:'forewarn-case-12'`), for anything older.
Limits: a ticket is missed only if over 100 others were created after it and it is still unindexed, or if the
tag was removed by hand; archived tickets are not searched (Freshdesk leaves them out of the filter API).

The customer must not read Forewarn's text, and a Freshdesk ticket's description is the requester's own first
message (shown to them in the portal, and in any notification template that quotes it). So the description is
one neutral line naming the order, and the body goes in a private note right after the create. Freshdesk may
still send the customer its "new ticket created" acknowledgement, as for any ticket with them as requester.
If the worker dies between the two calls, the retry finds the ticket by its tag and the body's note is lost.

The API key must be an agent's with global ticket access (check() says so otherwise): with group or
restricted access the lookups above miss tickets and a retried create opens a second one."""
from __future__ import annotations

import html
import re
from typing import Any

import requests

from connectors.rest import call_json
from core.errors import Permanent, Transient, Unauthorized
from core.ports import TicketDraft

# NAME, NAME.freshdesk.com or https://NAME.freshdesk.com/ — only NAME reaches the URL's host. Freshdesk's API
# answers only on its own domains, never on a helpdesk's custom CNAME.
DOMAIN = re.compile(r"(?:https://)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.freshdesk\.com)?/?", re.IGNORECASE)
LOCAL_BASE = re.compile(r"http://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/.*)?")
OPEN, RESOLVED = 2, 4
CLOSED_STATUSES = {4, 5}  # resolved, closed; 2 open, 3 pending and custom statuses (6, 7 …) are still open
PRIORITIES = {"low": 1, "normal": 2, "high": 3, "urgent": 4}  # Freshdesk: low, medium, high, urgent
PORTAL = 2  # ticket source, Freshdesk's default; never 10 (outbound email), which mails the customer
GLOBAL_ACCESS = 1  # agent ticket_scope; 2 group, 3 restricted
RECENT = 100  # newest tickets read past the search index's delay (Freshdesk's largest page)


class FreshdeskHelpdesk:
    name = "freshdesk"

    def __init__(
        self, domain: str, api_key: str, http: requests.Session | None = None, *, base_url: str | None = None
    ) -> None:
        api_key = (api_key or "").strip()
        if not (domain or base_url) or not api_key:
            raise Unauthorized("Freshdesk needs the helpdesk's domain (NAME in NAME.freshdesk.com) and an agent's API key")
        if any(c.isspace() or c == ":" for c in api_key):
            raise Unauthorized("that is not a Freshdesk API key (Profile settings → View API key in Freshdesk)")
        if base_url:  # tests and the demo only: https, or plain http on this machine
            if not (base_url.startswith("https://") or LOCAL_BASE.fullmatch(base_url)):
                raise Unauthorized(f"{base_url!r} is not an https URL")
            self.base = f"{base_url.rstrip('/')}/api/v2"
        else:
            match = DOMAIN.fullmatch(domain.strip())
            if match is None:  # it becomes a host name: nothing else gets in
                raise Unauthorized(f"{domain!r} is not a Freshdesk domain (the NAME in NAME.freshdesk.com)")
            self.base = f"https://{match.group(1).lower()}.freshdesk.com/api/v2"
        self.auth = (api_key, "X")
        self.http = http or requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return call_json(self.http, method, f"{self.base}{path}", vendor="Freshdesk", auth=self.auth, **kwargs)

    def _list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        found = self._call("GET", path, params=params)
        if not isinstance(found, list):
            raise Transient(f"Freshdesk answered {path} with something that is not a list")
        return found

    def check(self) -> None:
        me = self._call("GET", "/agents/me")
        if me.get("ticket_scope", GLOBAL_ACCESS) != GLOBAL_ACCESS:
            raise Unauthorized("this API key's agent cannot see every ticket: use the key of an agent with "
                               "Global ticket access (Admin → Agents → Ticket scope)")

    def find_by_external_id(self, external_id: str) -> str | None:
        recent = self._list("/tickets", {"order_by": "created_at", "order_type": "desc", "per_page": RECENT})
        found = [t for t in recent if _tagged(t, external_id, unknown=False)]
        if not found:
            query = f"\"tag:'{external_id}'\""  # the filter API wants the whole query in double quotes
            results = self._call("GET", "/search/tickets", params={"query": query}).get("results") or []
            found = [t for t in results if _tagged(t, external_id, unknown=True)]
        return str(found[0]["id"]) if found else None

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None:
        """The customer's open tickets that name the order in their subject or text. Freshdesk cannot search
        by requester email, and GET /tickets?email= answers 400 for an address with no contact, so the contact
        is looked up first. Freshdesk lists a requester's tickets of the last 30 days only."""
        if not order_name:
            return None
        contacts = self._list("/contacts", {"email": requester_email})
        if not contacts:
            return None
        tickets = self._list("/tickets", {"requester_id": contacts[0]["id"], "include": "description",
                                          "order_by": "updated_at", "per_page": RECENT})
        mentions = re.compile(rf"{re.escape(order_name)}(?![0-9A-Za-z])")  # "#1001", not "#10012"
        found = [t for t in tickets if t.get("status") not in CLOSED_STATUSES
                 and (mentions.search(t.get("subject") or "") or mentions.search(t.get("description_text") or ""))]
        return str(found[0]["id"]) if found else None

    def create_ticket(self, draft: TicketDraft) -> str:
        ticket: dict[str, Any] = {
            "subject": draft.subject,
            "description": _html(f"Forewarn opened this ticket about order {draft.order_name}."
                                 if draft.order_name else "Forewarn opened this ticket."),
            "status": OPEN,
            "priority": _priority(draft.priority),
            "source": PORTAL,
            "tags": [*draft.tags, draft.external_id],
        }
        if draft.requester_email:
            ticket["email"] = draft.requester_email
            if draft.requester_name:
                ticket["name"] = draft.requester_name
        else:  # Freshdesk needs a requester: the agent whose key this is, as Zendesk does by default
            ticket["email"] = self._call("GET", "/agents/me")["contact"]["email"]
        ticket_id = str(self._call("POST", "/tickets", json=ticket)["id"])
        self.add_note(ticket_id, _with_reference(draft))
        return ticket_id

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """The body is a second call after the create: when a crash fell between the two, the ticket's
        conversation has no private note naming the case yet, and it is posted now."""
        conversations = self._list(f"/tickets/{_id(ticket_id)}/conversations", {"per_page": 100})
        reference = _reference(draft.external_id)
        if not any(c.get("private") and reference in (c.get("body_text") or c.get("body") or "") for c in conversations):
            self.add_note(ticket_id, _with_reference(draft))

    def add_note(self, ticket_id: str, body: str) -> None:
        self._call("POST", f"/tickets/{_id(ticket_id)}/notes", json={"body": _html(body), "private": True})

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None:
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"subject": subject, "priority": _priority(priority)})

    def reopen(self, ticket_id: str, body: str) -> None:
        # status first: a retry after a failed note sets it again harmlessly instead of adding the note twice
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"status": OPEN})
        self.add_note(ticket_id, body)

    def solve(self, ticket_id: str, body: str) -> None:
        self._call("PUT", f"/tickets/{_id(ticket_id)}", json={"status": RESOLVED})
        self.add_note(ticket_id, body)


def _reference(external_id: str) -> str:
    return f"[{external_id}]"


def _with_reference(draft: TicketDraft) -> str:
    """The case's body with its key on the last line, so `complete` can tell whether it was posted."""
    return f"{draft.body}\n\nForewarn reference: {_reference(draft.external_id)}"


def _html(text: str) -> str:
    """Freshdesk bodies are HTML: Forewarn's plain text escaped, its line breaks kept."""
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def _priority(priority: str) -> int:
    return PRIORITIES.get(priority, PRIORITIES["normal"])


def _id(ticket_id: str) -> str:
    if not str(ticket_id).isdigit():  # it becomes part of the URL's path
        raise Permanent(f"{ticket_id!r} is not a Freshdesk ticket id")
    return str(ticket_id)


def _tagged(ticket: dict[str, Any], tag: str, *, unknown: bool) -> bool:
    """Whether the ticket carries the tag; `unknown` when the answer does not list its tags."""
    tags = ticket.get("tags")
    return unknown if tags is None else tag.lower() in (t.lower() for t in tags)
