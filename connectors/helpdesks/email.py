"""For shops with no helpdesk: each case becomes an email thread in the merchant's support inbox, sent through
connectors.mail.Mailer. The first email is the "ticket"; notes, solve, reopen and retitle are replies to it
(In-Reply-To and References name it), so a mail client shows one conversation per case.

What SMTP can and cannot do, and what follows:
- The ticket id is the first email's Message-ID, `<{external_id}@forewarn>` (`<forewarn-case-12@forewarn>`):
  made from the case alone, so a create sent again after a crash carries the same Message-ID, and mail systems
  that de-duplicate on it (Gmail, by common report; not a documented promise) show it once. Others show it
  twice; over SMTP nothing else can prevent that.
- SMTP only sends: an inbox cannot be searched, so `find_by_external_id` and `find_open_ticket` always return
  None. Idempotency rests on the deterministic Message-ID above, and the customer's own emails about the order
  are never joined: each case opens its own thread.
- Statuses live nowhere but in the emails: solve and reopen say so in a reply ("Solved", "Reopened").
- A reply does not know the subject the thread started with (the port passes only the ticket id), so replies
  are titled `Re: [forewarn-case-12] Note`, and the first email's subject ends with the same `[forewarn-case-12]`.
  Clients that thread on References alone (Thunderbird, for one) show one thread; those that also compare
  subjects (Gmail's conversations, Outlook's) may show the replies apart. Searching for the case key finds all.
- The emails go only to the inbox: the customer is named in the body, never a recipient or Reply-To, so the
  internal text (the suggested reply, the parcel's scans) is not sent to them.
- Subjects, names and tags from orders are made one line before they reach a header (no header injection).
"""
from __future__ import annotations

import re
import uuid
from email.headerregistry import Address
from email.message import EmailMessage

from connectors.mail import CONTROL, Mailer, mailbox
from core.errors import Permanent, Unauthorized
from core.ports import TicketDraft

DOMAIN = "forewarn"  # the right side of every Message-ID Forewarn makes (a valid dot-atom, RFC 5322 §3.6.4)
CASE_KEY = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")  # a subset of dot-atom-text: safe in any header
TICKET_ID = re.compile(rf"<({CASE_KEY.pattern})@{DOMAIN}>")
PREFIX = {"urgent": "[URGENT] ", "high": "[HIGH] "}
X_PRIORITY = {"urgent": "1 (Highest)", "high": "2 (High)"}  # what Outlook and Thunderbird flag
MAX_SUBJECT = 200


class EmailInboxHelpdesk:
    name = "email"

    def __init__(self, inbox: str, mailer: Mailer) -> None:
        if not inbox or not inbox.strip():
            raise Unauthorized("the email helpdesk needs the address of your support inbox (support@yourshop.com)")
        try:
            self.inbox = mailbox(inbox.strip(" "))  # spaces only: a line break anywhere is refused
        except ValueError as exc:
            raise Unauthorized(f"the support inbox must be one plain address like support@yourshop.com: {exc}") from None
        self.mailer = mailer

    def check(self) -> None:
        self.mailer.check()

    def find_by_external_id(self, external_id: str) -> str | None:
        return None  # an inbox cannot be searched over SMTP; see the module docstring

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None:
        return None

    def create_ticket(self, draft: TicketDraft) -> str:
        key = _case_key(draft.external_id)
        ticket_id = f"<{key}@{DOMAIN}>"
        customer = _line(draft.requester_name or "")
        if draft.requester_email:
            customer = f"{customer} <{_line(draft.requester_email)}>".strip()
        facts = [
            f"Customer: {customer or 'unknown'}",
            f"Order: {_line(draft.order_name) or 'unknown'}",
            f"Priority: {_priority(draft.priority)}",
            f"Tags: {', '.join(_line(tag) for tag in draft.tags) or 'none'}",
        ]
        message = self._message(key, f"{PREFIX.get(_priority(draft.priority), '')}{_subject(draft.subject)} [{key}]",
                                "\n".join(facts) + "\n\n" + draft.body, ticket_id)
        if X_PRIORITY.get(_priority(draft.priority)):
            message["X-Priority"] = X_PRIORITY[_priority(draft.priority)]
        return self.mailer.send(message)

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """The create is one call: a ticket that exists is whole."""

    def add_note(self, ticket_id: str, body: str) -> None:
        self._reply(ticket_id, "Note", body)

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None:
        title = f"{PREFIX.get(_priority(priority), '')}{_subject(subject)}"
        self._reply(ticket_id, f"Now: {title}", f"The case is now: {title}\nPriority: {_priority(priority)}")

    def reopen(self, ticket_id: str, body: str) -> None:
        self._reply(ticket_id, "Reopened", f"Status: reopened\n\n{body}")

    def solve(self, ticket_id: str, body: str) -> None:
        self._reply(ticket_id, "Solved", f"Status: solved\n\n{body}")

    def _reply(self, ticket_id: str, label: str, body: str) -> None:
        found = TICKET_ID.fullmatch(ticket_id)
        if not found:
            raise Permanent(f"{ticket_id!r} is not the Message-ID of a case email Forewarn sent")
        key = found.group(1)
        message = self._message(key, f"Re: [{key}] {label}", body, f"<{uuid.uuid4().hex}.{key}@{DOMAIN}>")
        message["In-Reply-To"] = ticket_id
        message["References"] = ticket_id
        self.mailer.send(message)

    def _message(self, key: str, subject: str, body: str, message_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = Address(display_name="Forewarn", addr_spec=self.mailer.config.sender)
        message["To"] = self.inbox
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message["X-Forewarn-Case"] = key
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to Forewarn
        footer = f"-- \nForewarn, case {key}. Sent only to this inbox: the customer did not receive this email."
        message.set_content(f"{body}\n\n{footer}\n")
        return message


def _case_key(external_id: str) -> str:
    if not CASE_KEY.fullmatch(external_id or ""):
        raise Permanent(f"{external_id!r} cannot be part of a Message-ID (letters, digits, -, _ and . only)")
    return external_id


def _line(text: str) -> str:
    """`text` on one line: any line break or control character becomes a space (header injection, tidy body)."""
    return " ".join(CONTROL.sub(" ", text).split())


def _subject(text: str) -> str:
    line = _line(text) or "Forewarn case"
    return line if len(line) <= MAX_SUBJECT else line[: MAX_SUBJECT - 1] + "…"


def _priority(priority: str) -> str:
    return priority if priority in ("urgent", "high", "normal") else "normal"
