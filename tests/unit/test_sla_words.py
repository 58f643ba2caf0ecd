"""A case's SLA in words (core/domain/sla.py): pure, with `now` given."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.sla import SlaState, duration_words, sla_state

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)


def test_an_unanswered_case_is_due_in_or_overdue_by_a_duration() -> None:
    assert sla_state("open", NOW + timedelta(hours=3), None, False, NOW) == SlaState("due_soon", "due in 3 h", "warning")
    assert sla_state("open", NOW + timedelta(hours=30), None, False, NOW).text == "due in 30 h"
    assert sla_state("pending", NOW + timedelta(days=3), None, False, NOW).text == "due in 3 days"
    assert sla_state("open", NOW - timedelta(hours=2), None, False, NOW) == SlaState("overdue", "overdue by 2 h", "critical")
    assert sla_state("open", NOW - timedelta(minutes=20), None, True, NOW).text == "overdue by 20 min"


def test_an_answered_or_closed_case_met_or_breached_its_sla() -> None:
    due = NOW - timedelta(hours=1)
    assert sla_state("open", due, due - timedelta(minutes=5), False, NOW) == SlaState("met", "met", "success")
    assert sla_state("resolved", due, due + timedelta(minutes=5), False, NOW).text == "breached"
    assert sla_state("pending", due, due - timedelta(hours=1), True, NOW).text == "breached"
    assert sla_state("resolved", due, None, False, NOW).key == "none"  # the parcel arrived before anyone had to answer


def test_durations_read_at_a_glance() -> None:
    assert [duration_words(timedelta(seconds=s)) for s in (10, 45 * 60, 90 * 60, 47 * 3600, 50 * 3600)] == \
        ["less than a minute", "45 min", "2 h", "47 h", "2 days"]
