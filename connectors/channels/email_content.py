"""What both email channels put in a message, pure: the deterministic Message-ID, the HTML part's direction and
language, the RFC 8058 unsubscribe headers, one-line header text, and the addresses checked."""
from __future__ import annotations

import hashlib
import re

from connectors.channels.base import OutgoingMessage
from connectors.mail import CONTROL, mailbox
from core.errors import Permanent, Unauthorized

MAX_SUBJECT = 250
HTML_TAG = re.compile(r"<(html)(?=[\s>])([^>]*)>", re.IGNORECASE)
DIR_ATTRIBUTE = re.compile(r"\bdir\s*=", re.IGNORECASE)
LANG_ATTRIBUTE = re.compile(r"\blang\s*=", re.IGNORECASE)


def message_id(idempotency_key: str, domain: str) -> str:
    """`<forewarn.{digest}@{domain}>`: the same key gives the same Message-ID, so a message sent again after a
    crash is the same message to every system that de-duplicates on it. Hashed, so any key fits RFC 5322's
    dot-atom and the key itself does not show."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<forewarn.{digest}@{domain}>"


def one_line(text: str) -> str:
    """`text` on one line: line breaks and control characters become spaces (no header injection)."""
    return " ".join(CONTROL.sub(" ", text).split())


def subject(message: OutgoingMessage) -> str:
    line = one_line(message.subject)
    if not line:
        raise Permanent("an email needs a subject")
    return line if len(line) <= MAX_SUBJECT else line[: MAX_SUBJECT - 1] + "…"


def recipient(message: OutgoingMessage) -> str:
    """The customer's address, or Permanent: a message to an address that is not one can never go."""
    try:
        return mailbox(message.to.strip())
    except ValueError as exc:
        raise Permanent(f"the customer's email address is not usable: {exc}") from None


def shop_address(value: str, what: str) -> str:
    """A sender or reply-to address from the shop's settings, or Unauthorized: the shop must fix it."""
    try:
        return mailbox(value.strip())
    except ValueError as exc:
        raise Unauthorized(f"the {what} address in your message settings is not usable: {exc}") from None


def directed_html(html: str, direction: str, language: str | None) -> str:
    """The HTML part with its writing direction and language declared: on the <html> element when the part is
    a document (attributes it already has are kept), else — for a fragment in a right-to-left language — by
    wrapping it in <div dir="rtl">. Mail clients lay out Arabic or Hebrew right to left only when told."""
    tag = HTML_TAG.search(html)
    if tag:
        name, attributes = tag.group(1), tag.group(2)
        added = ""
        if direction == "rtl" and not DIR_ATTRIBUTE.search(attributes):
            added += ' dir="rtl"'
        if language and not LANG_ATTRIBUTE.search(attributes):
            added += f' lang="{language}"'
        if not added:
            return html
        return f"{html[: tag.start()]}<{name}{attributes.rstrip()}{added}>{html[tag.end():]}"
    if direction == "rtl":
        lang = f' lang="{language}"' if language else ""
        return f'<div dir="rtl"{lang}>{html}</div>'
    return html


def unsubscribe_headers(message: OutgoingMessage) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) and, for one-click, List-Unsubscribe-Post (RFC 8058 §3.1: exactly
    `List-Unsubscribe=One-Click`); empty when the message has no unsubscribe URL."""
    if message.list_unsubscribe_url is None:
        return {}
    headers = {"List-Unsubscribe": f"<{message.list_unsubscribe_url}>"}
    if message.list_unsubscribe_post:
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers
