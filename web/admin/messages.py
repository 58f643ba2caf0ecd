"""`/admin/messages`: the texts customers are told with (a template editor with a live preview and a test
send to the merchant's own address), and the send log — what each customer was told, or in plain words why
they were not.

The editor is progressive enhancement over `/api/v1/templates…` (web/api_messaging.py): the page gives it the
kinds, languages, channels, variables and which templates the shop edited; the texts and the previews come
from the API as the merchant picks and types. The send log is a plain GET form (filters and pages are links a
merchant can keep), read here; the words for each reason a message waits or was dropped are `reason_words`,
pure, from the reasons jobs/messages.py and core/domain/hygiene.py record.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from core.adapters.crypto import SecretKeyMissing
from core.domain import templates
from core.domain.model import MessageStatus, Shop
from core.services.messaging import DEFAULTS as MESSAGING_DEFAULTS
from core.services.messaging import settings_of
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.api_messaging import PARTS, message_summary, own_addresses, send_log, send_log_count

log = logging.getLogger(__name__)

#: Send-log rows per page: enough to scan a day's messages, short enough to reach the editor below.
PAGE_SIZE = 25
#: Message statuses in the order a message lives them, for the status filter.
STATUSES = (MessageStatus.PLANNED, MessageStatus.DEFERRED, MessageStatus.SENDING, MessageStatus.SENT,
            MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.SUPPRESSED)
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp"}
#: The reasons a message waits or was not sent, as jobs/messages.py records them (hygiene.decide's, then the
#: send job's own: messages turned off, the channel removed, the news out of date), with a filter label.
REASON_LABELS = {
    "quiet_hours": "Quiet hours", "cap": "Daily limit reached", "opted_out": "Unsubscribed",
    "no_consent": "No opt-in", "duplicate": "Already sent", "no_contact": "No address or number",
    "disabled": "Messages turned off", "channel_off": "Channel turned off", "resolved": "Out of date",
}
#: Each kind as a merchant names it (core/domain/templates.KINDS has the longer description).
KIND_LABELS = {
    "late": "Late", "stuck": "Stuck (no scans)", "running_late": "Running late",
    "needs_action.failed_attempt": "Delivery attempt failed", "needs_action.pickup_waiting": "Waiting at a pickup point",
    "needs_action.customs": "Held at customs", "needs_action.address": "Address problem", "damaged": "Damaged",
    "returning": "Returning to the shop", "presumed_lost": "Presumed lost", "unfulfilled": "Not shipped yet",
    "partial": "Partly shipped", "shipped": "Shipped", "out_for_delivery": "Out for delivery",
    "delivered_after_problem": "Delivered after a problem", "follow_up": "Follow-up on a case",
    "survey": "Satisfaction survey",
}
#: Each message language in its own words, and in English for the merchant who does not read it.
LANGUAGE_NAMES = {
    "en": ("English", "English"), "es": ("Español", "Spanish"), "fr": ("Français", "French"),
    "de": ("Deutsch", "German"), "pt": ("Português", "Portuguese"), "it": ("Italiano", "Italian"),
    "nl": ("Nederlands", "Dutch"), "hi": ("हिन्दी", "Hindi"), "bn": ("বাংলা", "Bengali"), "ar": ("العربية", "Arabic"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("needs_action.", "").replace("_", " ").capitalize()


def reason_words(reason: str | None, channel: str, settings: Mapping[str, Any]) -> str | None:
    """Why a message waits or was not sent, in the merchant's words, with the shop's own numbers (quiet hours'
    end, the daily caps) from its messaging settings (core/services/messaging.settings_of)."""
    if not reason:
        return None
    settings = {**MESSAGING_DEFAULTS, **settings}  # the shop's numbers, else Forewarn's own (one source of them)
    if reason == "quiet_hours":
        hours = settings["quiet_hours"] or MESSAGING_DEFAULTS["quiet_hours"]
        return f"Waits for the end of the customer's quiet hours ({hours[1]} their time)"
    if reason == "cap":
        return (f"Not sent: the customer already had the day's messages (at most {settings['per_order_per_day']} "
                f"per order and {settings['per_customer_per_day']} per customer a day)")
    if reason == "opted_out":
        return "Not sent: the customer unsubscribed from delivery updates"
    if reason == "no_consent":
        return f"Not sent: your shop asks for an opt-in and the customer gave none for {CHANNEL_LABELS.get(channel, channel)}"
    if reason == "duplicate":
        return "Not sent: the customer already got this notice"
    if reason == "no_contact":
        return "Not sent: the order has no " + ("email address" if channel == "email" else "mobile number")
    if reason == "disabled":
        return "Not sent: customer messages were turned off when it was due"
    if reason == "channel_off":
        return f"Not sent: {CHANNEL_LABELS.get(channel, channel)} was turned off when it was due"
    if reason == "resolved":
        return "Not sent: out of date — the problem cleared and the parcel arrived before it was due"
    return "Not sent: " + reason.replace("_", " ")


def duration_words(seconds: float | None) -> str:
    """A median wait as a merchant reads it: under 1 min, 12 min, 3 h 5 min, 2 days."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "under 1 min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{round(hours / 24)} days"


@dataclass
class LogQuery:
    """The send log's filters and page, read from the query string; a value the page does not know is named
    in `problems` and ignored (the log shows everything for that filter), never an error page."""

    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1
    problems: list[str] = field(default_factory=list)


#: Each filter's allowed values.
FILTER_CHOICES: dict[str, tuple[str, ...]] = {
    "status": STATUSES, "channel": tuple(CHANNEL_LABELS), "kind": tuple(templates.KINDS),
    "reason": tuple(REASON_LABELS),
}


def parse_log_query(args: Mapping[str, str]) -> LogQuery:
    query = LogQuery()
    for key, choices in FILTER_CHOICES.items():
        value = (args.get(key) or "").strip()
        if not value:
            continue
        if value in choices:
            query.filters[key] = value
        else:
            query.problems.append(f"There is no {key} “{value}”: showing every {key}.")
    page = (args.get("page") or "").strip()
    if page:
        if page.isdigit() and int(page) >= 1:
            query.page = int(page)
        else:
            query.problems.append(f"“{page}” is not a page number: showing the first page.")
    return query


def edited_templates(shop: Shop | None) -> dict[str, dict[str, list[str]]]:
    """{kind: {language: [parts]}}: the templates the shop rewrote, for the picker's "edited" marks."""
    own = ((shop.messaging or {}) if shop else {}).get("templates") or {}
    return {kind: {lang: [p for p in PARTS if (parts or {}).get(p)] for lang, parts in (langs or {}).items()
                   if any((parts or {}).get(p) for p in PARTS)}
            for kind, langs in own.items() if kind in templates.KINDS}


def editor_data(shop: Shop | None, test_address: str | None) -> dict[str, Any]:
    """What the template editor's script starts from (the texts themselves come from the API)."""
    return {
        "kinds": [{"kind": k, "label": kind_label(k), "description": d} for k, d in templates.KINDS.items()],
        "languages": [{"code": code, "name": LANGUAGE_NAMES.get(code, (code, code))[0],
                       "english": LANGUAGE_NAMES.get(code, (code, code))[1], "dir": templates.text_direction(code)}
                      for code in templates.LANGUAGES],
        "channels": [{"channel": c, "label": CHANNEL_LABELS.get(c, c), "parts": list(parts)}
                     for c, parts in templates.CHANNELS.items()],
        "variables": [{"name": n, "description": d} for n, d in templates.VARIABLES.items()],
        "edited": edited_templates(shop),
        "test_address": test_address,
        "default_language": ((shop.messaging or {}) if shop else {}).get("default_language") or "en",
    }


def _test_address(shop: Shop) -> str | None:
    """Where "Send a test" goes: the merchant's own address (the API's own_addresses), or None."""
    try:
        addresses = own_addresses(runtime(), dict(shop.messaging or {}))
    except (ValueError, SecretKeyMissing) as exc:  # a provider stored under a key that is gone
        log.warning("shop %s: own addresses unreadable: %s", shop.id, exc)
        addresses = [a for a in [(shop.messaging or {}).get("reply_to")] if a]
    return addresses[0] if addresses else None


@bp.get("/admin/messages")
@admin_page
def messages_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    query = parse_log_query(request.args)
    if shop is None:
        return render(ctx, "admin/messages.html", "messages", shop, messages=[], message_summary=None,
                      query=query, total=0, everything=0, pages=1, editor=editor_data(None, None), **_choices())
    with runtime().uow() as uow:
        total = send_log_count(uow, shop.id, query.filters)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if query.page > pages:
            query.page = pages
        settings = settings_of(shop)
        rows = send_log(uow, shop.id, PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE, filters=query.filters)
        for row in rows:
            row["reason_words"] = reason_words(row["reason"], row["channel"], settings)
            row["kind_label"] = kind_label(row["kind"])
            row["channel_label"] = CHANNEL_LABELS.get(row["channel"], row["channel"])
            row["language_name"] = LANGUAGE_NAMES.get(row["language"] or "", (None, row["language"]))[1]
        summary = message_summary(uow, shop.id)
        summary["median_words"] = duration_words(summary["median_seconds_to_told"])
        everything = total if not query.filters else send_log_count(uow, shop.id)
        return render(ctx, "admin/messages.html", "messages", shop, messages=rows, message_summary=summary,
                      query=query, total=total, everything=everything, pages=pages,
                      editor=editor_data(shop, _test_address(shop)), **_choices())


def _choices() -> dict[str, Any]:
    return {"status_choices": STATUSES, "channel_labels": CHANNEL_LABELS, "reason_labels": REASON_LABELS,
            "kind_choices": [(k, kind_label(k)) for k in templates.KINDS]}
