"""Helpers the per-carrier normalizers share (pure)."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone

from core.domain.status import ShipmentStatus, Substatus
from core.ports import ScanEvent

log = logging.getLogger("forewarn.tracking.codes")

#: Standard offsets of the North American zone abbreviations carriers print beside local times.
ZONE_OFFSETS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5, "HST": -10, "AKST": -9, "AKDT": -8, "UTC": 0, "GMT": 0,
}


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 time with its offset → aware UTC; None when absent or unparseable; naive → None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)


def at_zone(day: str, clock: str, zone: str | None) -> datetime | None:
    """A local date and time with a zone abbreviation → aware UTC (None when the zone is unknown)."""
    offset = ZONE_OFFSETS.get((zone or "").upper())
    if offset is None:
        return None
    try:
        local = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    except ValueError:
        return None
    return (local - timedelta(hours=offset)).replace(tzinfo=timezone.utc)


def end_of_day(day: date) -> datetime:
    """A date-only estimate ends when that date ends wherever the parcel is: at the latest, 23:59:59 at
    UTC−12 (so a parcel never looks late while its delivery day is still running locally)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc) + timedelta(hours=12)


def end_of_named_day(value: object) -> datetime | None:
    """`end_of_day` of the date an ISO date or timestamp names (its first ten characters); None when
    there is none or it is not a date."""
    if not value:
        return None
    try:
        return end_of_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return None


def unknown(carrier: str, code: str | None, description: str) -> tuple[str, str | None]:
    log.warning("unmapped %s tracking code %r (%s)", carrier, code, description)
    return ShipmentStatus.UNKNOWN, None


def overall(events: Sequence[ScanEvent], delivered_codes: Iterable[str] = ()) -> tuple[str, str | None]:
    """The parcel's status: its newest event that says something (a signature image or an unknown code
    does not override what the scans before it established)."""
    for event in events:
        if event.status != ShipmentStatus.UNKNOWN:
            return event.status, event.substatus
    return (ShipmentStatus.UNKNOWN, None) if events else (ShipmentStatus.NOT_FOUND, None)


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def newest_first(events: Iterable[ScanEvent]) -> list[ScanEvent]:
    return sorted(events, key=lambda e: e.occurred_at or _EARLIEST, reverse=True)


def unknown_codes(events: Iterable[ScanEvent], informational: Iterable[str] = ()) -> tuple[str, ...]:
    """Raw codes no table knew (events that only describe, such as a signature image, excepted)."""
    skip = set(informational)
    return tuple(e.code for e in events if e.status == ShipmentStatus.UNKNOWN and e.code and e.code.lstrip("0") not in skip)


def joined(*parts: str | None) -> str | None:
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    return text or None


DELAYED = Substatus.DELAYED
