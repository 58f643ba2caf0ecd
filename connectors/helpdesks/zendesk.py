"""Zendesk Support through its REST API (https://developer.zendesk.com/api-reference/ticketing/), on
`requests` so every call is testable with `responses`. Tickets carry Forewarn's case as `external_id`:
a create retried after a crash finds the ticket it already made instead of opening a second one.

Why not Zenpy, the best-known Python client (community-maintained; Zendesk publishes none for Python): by
default it sleeps through a 429 inside the call, holding a worker for as long as Zendesk asks, where Forewarn
wants the job to fail as RateLimited and RQ to retry it later; its own exception types would need mapping to
core.errors anyway; and Forewarn makes six calls, which connectors/rest.py types in one place for every
helpdesk."""
from __future__ import annotations

import re
from typing import Any

import requests

from connectors.rest import call_json
from core.errors import Unauthorized
from core.ports import TicketDraft

OPEN_STATUSES = {"new", "open", "pending", "hold"}
SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)


class ZendeskHelpdesk:
    name = "zendesk"

    def __init__(
        self, subdomain: str, email: str, api_token: str, http: requests.Session | None = None, *, base_url: str | None = None
    ) -> None:
        if not (subdomain or base_url) or not email or not api_token:
            raise Unauthorized("Zendesk needs a subdomain, an agent email and an API token")
        if not base_url and not SUBDOMAIN.fullmatch(subdomain):  # it becomes a host name: nothing else gets in
            raise Unauthorized(f"{subdomain!r} is not a Zendesk subdomain (the NAME in NAME.zendesk.com)")
        self.base = f"{base_url or f'https://{subdomain}.zendesk.com'}/api/v2"
        self.auth = (f"{email}/token", api_token)
        self.http = http or requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call_json(self.http, method, f"{self.base}{path}", vendor="Zendesk", auth=self.auth, **kwargs)

    def check(self) -> None:
        self._call("GET", "/users/me.json")

    def find_by_external_id(self, external_id: str) -> str | None:
        tickets = self._call("GET", "/tickets.json", params={"external_id": external_id}).get("tickets") or []
        return str(tickets[0]["id"]) if tickets else None

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None:
        query = f'type:ticket status<solved requester:{requester_email} "{order_name}"'
        results = self._call("GET", "/search.json", params={"query": query}).get("results") or []
        found = [r for r in results if r.get("status") in OPEN_STATUSES]
        return str(found[0]["id"]) if found else None

    def create_ticket(self, draft: TicketDraft) -> str:
        ticket: dict[str, Any] = {
            "subject": draft.subject,
            "comment": {"body": draft.body, "public": False},
            "external_id": draft.external_id,
            "tags": list(draft.tags),
            "priority": _priority(draft.priority),
        }
        if draft.requester_email:
            ticket["requester"] = {"name": draft.requester_name or draft.requester_email, "email": draft.requester_email}
        return str(self._call("POST", "/tickets.json", json={"ticket": ticket})["ticket"]["id"])

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """The create is one call: a ticket that exists is whole."""

    def add_note(self, ticket_id: str, body: str) -> None:
        self._call("PUT", f"/tickets/{ticket_id}.json", json={"ticket": {"comment": {"body": body, "public": False}}})

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None:
        self._call("PUT", f"/tickets/{ticket_id}.json", json={"ticket": {"subject": subject, "priority": _priority(priority)}})

    def reopen(self, ticket_id: str, body: str) -> None:
        self._call("PUT", f"/tickets/{ticket_id}.json",
                   json={"ticket": {"status": "open", "comment": {"body": body, "public": False}}})

    def solve(self, ticket_id: str, body: str) -> None:
        self._call("PUT", f"/tickets/{ticket_id}.json",
                   json={"ticket": {"status": "solved", "comment": {"body": body, "public": False}}})


def _priority(priority: str) -> str:
    return priority if priority in ("urgent", "high", "normal", "low") else "normal"
