"""A case's SLA in words for the admin ("due in 3 h", "overdue by 2 h", "met", "breached"), and the urgency
the cases list sorts by. The SLA is the first response: it is met once a person touched the case before its
due time, breached when nobody had by then. Pure: `now` is an argument."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ACTIVE = ("open", "pending")
#: "Due soon": a response is due within this long (the cases list's SLA filter).
DUE_SOON = timedelta(hours=4)


@dataclass(frozen=True)
class SlaState:
    key: str  # breached | overdue | due_soon | due | met | none
    text: str
    tone: str  # the badge tone: critical | warning | info | success | ""


def duration_words(delta: timedelta) -> str:
    """A duration as a merchant reads it at a glance: "45 min", "3 h", "2 days"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} h"
    days = round(hours / 24)
    return f"{days} days"


def sla_state(status: str, sla_due_at: datetime, first_response_at: datetime | None, sla_breached: bool,
              now: datetime) -> SlaState:
    """Where the case stands against its first-response target."""
    if first_response_at is not None or status not in ACTIVE:
        if sla_breached or (first_response_at is not None and first_response_at > sla_due_at):
            return SlaState("breached", "breached", "critical")
        if first_response_at is None:  # resolved by Forewarn (the parcel arrived) before anyone had to answer
            return SlaState("none", "no response needed", "")
        return SlaState("met", "met", "success")
    if sla_breached or now >= sla_due_at:
        return SlaState("overdue", f"overdue by {duration_words(now - sla_due_at)}", "critical")
    left = sla_due_at - now
    if left <= DUE_SOON:
        return SlaState("due_soon", f"due in {duration_words(left)}", "warning")
    return SlaState("due", f"due in {duration_words(left)}", "info")
