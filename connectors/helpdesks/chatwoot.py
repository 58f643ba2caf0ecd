"""Chatwoot (open source; self-hosted or app.chatwoot.com) through its Application API
(https://developers.chatwoot.com/api-reference/introduction), on `requests` so every call is testable with
`responses`. Base `{url}/api/v1/accounts/{account_id}`, header `api_access_token` (an agent's or admin's token
from Profile settings; the user must be an administrator or a member of the inbox).

A ticket is a conversation in the merchant's chosen inbox (Website, API or Email: the inbox types the
Create Conversation docs allow), opened for a contact found by email (GET /contacts/search; Chatwoot matches
substrings, so the email is compared exactly here) or created with that inbox (POST /contacts). Its ID is the
conversation's `id` as the API returns it (the number in the Chatwoot URL).

- Private body: the case body is the `message` of POST /conversations, sent with `message_type: outgoing` and
  `private: true`, so conversation and note are saved in one transaction. The docs list only `content` for
  that message; Chatwoot's ConversationsController#create hands it to Messages::MessageBuilder, which reads
  `private` and `message_type` exactly as for POST /conversations/{id}/messages (where both are documented).
  Later notes use that documented endpoint.
- No subject: Chatwoot conversations have none. The subject is the note's first line and the conversation
  custom attribute `forewarn_subject`. `retitle` rewrites that attribute (read, merged, written back whole:
  older Chatwoot replaces the hash) and adds a private note "New subject: …" so agents see the change.
- External id: the conversation custom attribute `forewarn_case`, set at creation. find_by_external_id only
  gets the id (no email, so not via the contact's conversations): the note ends with "[forewarn-case-N]" and
  GET /conversations?q= (documented: conversations with messages containing the term) finds it; only a
  conversation whose `forewarn_case` equals the id counts. Limits: the search runs in the configured inbox,
  and a merchant who deletes that first note makes a retried create open a second conversation. Attribute
  definitions are not needed; merchants may add `forewarn_case`/`forewarn_subject` (conversation attributes)
  to see them in the sidebar.
- find_open_ticket: the customer's conversations (GET /contacts/{id}/conversations, any inbox) that are open,
  pending or snoozed and whose latest page of messages (GET …/messages, not the whole history) names the
  order as a whole token ("#1001", not "#10012").
- Priority: urgent/high/normal map to Chatwoot's urgent/high/medium (POST …/toggle_priority); tags become
  labels (POST …/labels). Both come after the create call: a crash between them leaves a conversation
  without them, found again by its external id.
- Rate limits are Rack::Attack's plain 429, which may come without Retry-After (call_json then waits 60 s)."""
from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import requests

from connectors.rest import call_json
from core.errors import Permanent, Unauthorized
from core.ports import TicketDraft

OPEN_STATUSES = {"open", "pending", "snoozed"}
CASE_ATTRIBUTE, SUBJECT_ATTRIBUTE = "forewarn_case", "forewarn_subject"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}  # http:// only here (tests, a Chatwoot on the same machine)
NUMBER = re.compile(r"[1-9][0-9]{0,17}")
PRINTABLE = re.compile(r"[\x21-\x7e]+")  # no spaces or control characters (URL, header value)
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class ChatwootHelpdesk:
    name = "chatwoot"

    def __init__(
        self, url: str, account_id: str | int, inbox_id: str | int, api_access_token: str,
        http: requests.Session | None = None, *, base_url: str | None = None,
    ) -> None:
        if not (url or base_url) or not account_id or not inbox_id or not api_access_token:
            raise Unauthorized("Chatwoot needs its URL, an account ID, an inbox ID and an API access token")
        instance = _instance(base_url or url)
        self.account_id = _number(account_id, "account ID (the number after /accounts/ in your Chatwoot address bar)")
        self.inbox_id = _number(inbox_id, "inbox ID (the number after /inboxes/ on the inbox's settings page)")
        if not PRINTABLE.fullmatch(api_access_token):
            raise Unauthorized("that Chatwoot API access token has spaces or other characters a token cannot have")
        self.base = f"{instance}/api/v1/accounts/{self.account_id}"
        self.headers = {"api_access_token": api_access_token}
        self.http = http or requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call_json(self.http, method, f"{self.base}{path}", vendor="Chatwoot", headers=self.headers, **kwargs)

    def check(self) -> None:
        try:
            self._call("GET", f"/inboxes/{self.inbox_id}")
        except Permanent:  # 404: the inbox is not in that account
            raise Unauthorized(f"Chatwoot account {self.account_id} has no inbox {self.inbox_id}") from None

    def find_by_external_id(self, external_id: str) -> str | None:
        params = {"q": _reference(external_id), "status": "all", "inbox_id": self.inbox_id}
        found = (self._call("GET", "/conversations", params=params).get("data") or {}).get("payload") or []
        ours = [c for c in found if (c.get("custom_attributes") or {}).get(CASE_ATTRIBUTE) == external_id]
        return str(ours[0]["id"]) if ours else None

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None:
        contact = self._contact(requester_email) if order_name.strip() else None
        if contact is None:
            return None
        mention = _mention(order_name.strip())
        for conversation in self._call("GET", f"/contacts/{int(contact['id'])}/conversations").get("payload") or []:
            if conversation.get("status") in OPEN_STATUSES:
                messages = self._call("GET", f"{_path(conversation['id'])}/messages").get("payload") or []
                if any(mention.search(m.get("content") or "") for m in messages):
                    return str(conversation["id"])
        return None

    def create_ticket(self, draft: TicketDraft) -> str:
        contact_id, source_id = self._contact_in_inbox(draft)
        body = draft.body if draft.body.startswith(draft.subject) else f"{draft.subject}\n\n{draft.body}"
        conversation = self._call("POST", "/conversations", json={
            "source_id": source_id, "inbox_id": self.inbox_id, "contact_id": contact_id, "status": "open",
            "custom_attributes": {CASE_ATTRIBUTE: draft.external_id, SUBJECT_ATTRIBUTE: draft.subject},
            "message": _note(f"{body}\n\nForewarn reference: {_reference(draft.external_id)}"),
        })
        ticket_id = str(conversation["id"])
        self.complete(ticket_id, draft)
        return ticket_id

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """Priority and labels are set after the conversation exists (Create Conversation takes neither);
        both calls set a value, so making sure of them after a crash is simply making them again."""
        self._call("POST", f"{_path(ticket_id)}/toggle_priority", json={"priority": _priority(draft.priority)})
        if draft.tags:
            self._call("POST", f"{_path(ticket_id)}/labels", json={"labels": list(draft.tags)})

    def add_note(self, ticket_id: str, body: str) -> None:
        self._call("POST", f"{_path(ticket_id)}/messages", json=_note(body))

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None:
        attributes = self._call("GET", _path(ticket_id)).get("custom_attributes") or {}
        self._call("POST", f"{_path(ticket_id)}/custom_attributes",
                   json={"custom_attributes": {**attributes, SUBJECT_ATTRIBUTE: subject}})
        self._call("POST", f"{_path(ticket_id)}/toggle_priority", json={"priority": _priority(priority)})
        self.add_note(ticket_id, f"New subject: {subject}")

    def reopen(self, ticket_id: str, body: str) -> None:
        self._call("POST", f"{_path(ticket_id)}/toggle_status", json={"status": "open"})
        self.add_note(ticket_id, body)

    def solve(self, ticket_id: str, body: str) -> None:
        self.add_note(ticket_id, body)
        self._call("POST", f"{_path(ticket_id)}/toggle_status", json={"status": "resolved"})

    def _contact(self, email: str) -> dict[str, Any] | None:
        email = email.strip().lower()
        contacts = self._call("GET", "/contacts/search", params={"q": email}).get("payload") or []
        return next((c for c in contacts if (c.get("email") or "").lower() == email), None)

    def _contact_in_inbox(self, draft: TicketDraft) -> tuple[int, str]:
        """The requester's contact ID and its `source_id` in our inbox (Create Conversation needs both)."""
        contact = self._contact(draft.requester_email) if draft.requester_email else None
        if contact is None:
            new: dict[str, Any] = {"inbox_id": self.inbox_id,
                                   "name": draft.requester_name or draft.requester_email or "Forewarn customer"}
            if draft.requester_email:
                new["email"] = draft.requester_email.strip()
            created = self._call("POST", "/contacts", json=new)["payload"]
            contact, source_id = created["contact"], (created.get("contact_inbox") or {}).get("source_id")
        else:
            source_id = next((ci.get("source_id") for ci in contact.get("contact_inboxes") or []
                              if (ci.get("inbox") or {}).get("id") == self.inbox_id), None)
            if not source_id:
                source_id = self._call("POST", f"/contacts/{int(contact['id'])}/contact_inboxes",
                                       json={"inbox_id": self.inbox_id}).get("source_id")
        if not source_id:
            raise Permanent(f"Chatwoot gave no source_id in inbox {self.inbox_id}: use a Website, API or Email inbox")
        return int(contact["id"]), str(source_id)


def _instance(url: str) -> str:
    """`https://host[:port]` from what the merchant typed, and nothing else: it becomes the host of every call."""
    if not PRINTABLE.fullmatch(url.strip()):
        raise Unauthorized("Chatwoot's URL has spaces or other characters a web address cannot have")
    parts = urlsplit(url.strip())
    try:
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise Unauthorized("Chatwoot's URL has a port that is not a number from 1 to 65535") from None
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOCAL_HOSTS):
        raise Unauthorized("Chatwoot's URL must start with https:// (like https://app.chatwoot.com)")
    if parts.username is not None or parts.path not in ("", "/") or "?" in url or "#" in url:
        raise Unauthorized("Chatwoot's URL must be only its address, like https://chat.example.com: "
                           "no path, query or login in it")
    if not _public_host(host) or port == 0:
        raise Unauthorized(f"{host!r} is not the host name of a Chatwoot server")
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{f':{port}' if port else ''}"


def _public_host(host: str) -> bool:
    """A DNS name (last label not all digits, so no 0251.0376.0251.0376 spelling of an IP) or an IP literal
    other than link-local (cloud metadata), multicast, unspecified or reserved addresses."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        return len(host) <= 253 and all(LABEL.fullmatch(x) for x in labels) and not labels[-1].isdigit()
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return not (ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved)


def _number(value: str | int, what: str) -> int:
    text = "" if isinstance(value, bool) else str(value).strip()
    if not NUMBER.fullmatch(text):
        raise Unauthorized(f"Chatwoot's {what} must be a whole number above zero")
    return int(text)


def _path(ticket_id: str | int) -> str:
    if not NUMBER.fullmatch(str(ticket_id)):
        raise Permanent(f"{ticket_id!r} is not a Chatwoot conversation ID")
    return f"/conversations/{ticket_id}"


def _note(body: str) -> dict[str, Any]:
    return {"content": body, "message_type": "outgoing", "private": True}


def _reference(external_id: str) -> str:
    # brackets end the search term, so forewarn-case-1 does not also find forewarn-case-12
    return f"[{external_id}]"


def _mention(order_name: str) -> re.Pattern[str]:
    """The order name as a whole token: "#1001" but not "#10012"."""
    left = r"(?<!\w)" if re.match(r"\w", order_name) else ""
    right = r"(?!\w)" if re.search(r"\w\Z", order_name) else ""
    return re.compile(f"{left}{re.escape(order_name)}{right}", re.IGNORECASE)


def _priority(priority: str) -> str:
    return {"urgent": "urgent", "high": "high", "low": "low"}.get(priority, "medium")
