"""FedEx Track API v1 → TrackingSnapshot, from FedEx's event types (Tracking-Status-Codes, karrio's fedex
vendor folder) plus the delay signals karrio drops: `latestStatusDetail.derivedCode` "RL" (Running Late)
and `delayDetail.status` DELAYED."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from connectors.carriers.common import joined, newest_first, overall, parse_iso, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.errors import NotFound, Transient, Unauthorized
from core.ports import ScanEvent, TrackingSnapshot

CARRIER = "fedex"
CODES: dict[str, tuple[str, str | None]] = {
    **{c: (S.PRE_TRANSIT, None) for c in ("OC", "OX", "EP")},
    **{c: (S.IN_TRANSIT, None) for c in (
        "PU", "PX", "OF", "AR", "AF", "DP", "IT", "IX", "FD", "SF", "LO", "PF", "PL", "AA", "EA", "EO", "TR", "CC", "CP",
        "RR", "RM", "RC", "AO", "AP", "CH", "DR", "DS", "SP", "TP", "AE",
    )},
    **{c: (S.OUT_FOR_DELIVERY, None) for c in ("AD", "ED", "OD")},
    **{c: (S.AVAILABLE_FOR_PICKUP, None) for c in ("HL", "HP")},
    "DL": (S.DELIVERED, None),
    "CA": (S.CANCELLED, None),
    **{c: (S.RETURNING, None) for c in ("RS", "RP", "RD")},
    "DE": (S.ATTEMPT_FAILED, None),
    "SE": (S.EXCEPTION, None),
    "CD": (S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    **{c: (S.EXCEPTION, Substatus.DELAYED) for c in ("DY", "DD", "PD")},
}


def event_status(code: str, description: str, exception: str) -> tuple[str, str | None]:
    known = CODES.get(code)
    if known is None:
        return unknown(CARRIER, code, description)
    status, substatus = known
    text = f"{description} {exception}".lower()
    if code in ("DE", "SE"):
        if "address" in text:
            return S.EXCEPTION, Substatus.ADDRESS_ISSUE
        if "damage" in text:
            return S.EXCEPTION, Substatus.DAMAGED
        if "refus" in text:
            return S.EXCEPTION, Substatus.REFUSED
        if "weather" in text:
            return S.EXCEPTION, Substatus.WEATHER
    return status, substatus


def _event(scan: dict[str, Any]) -> ScanEvent:
    code = (scan.get("eventType") or "").strip()
    description = (scan.get("eventDescription") or "").strip()
    exception = (scan.get("exceptionDescription") or "").strip()
    status, substatus = event_status(code, description, exception)
    where = scan.get("scanLocation") or {}
    return ScanEvent(
        parse_iso(scan.get("date")), status, substatus, code, joined(description, exception) or code,
        joined(where.get("city"), where.get("stateOrProvinceCode"), where.get("countryCode")),
    )


def parse(raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        body = json.loads(raw)
    except ValueError:
        raise Transient("FedEx answered with a body that is not JSON") from None
    for error in body.get("errors") or []:
        code = str(error.get("code"))
        if "UNAUTHORIZED" in code or "NOT.AUTHORIZED" in code or code.startswith("AUTH"):
            raise Unauthorized(f"FedEx refused the credentials ({code})")
        raise Transient(f"FedEx error {code}: {error.get('message')}")
    complete = ((body.get("output") or {}).get("completeTrackResults")) or []
    entry = next((c for c in complete if c.get("trackingNumber") == tracking_number), None)
    if entry is None and len(complete) == 1:
        entry = complete[0]
    if entry is None and complete:
        raise NotFound(f"FedEx answered about other numbers, not {tracking_number}")
    results = (entry or {}).get("trackResults") or []
    if not results:
        raise Transient("FedEx answered without a track result")
    # The OpenAPI sample pairs a placeholder error with real scans: scans win over an error field.
    found = [r for r in results if r.get("scanEvents") or r.get("latestStatusDetail") or not r.get("error")]
    if not found:
        raise NotFound(f"FedEx has no record of {tracking_number} ({results[0]['error'].get('code')})")
    # A recycled number can return several shipments: the one with the newest scan is ours.
    result = max(found, key=lambda r: max((parse_iso(s.get("date")) or datetime.min.replace(tzinfo=timezone.utc))
                                          for s in (r.get("scanEvents") or [{}])))
    events = newest_first(_event(s) for s in result.get("scanEvents") or [])
    status, substatus = overall(events)
    latest = result.get("latestStatusDetail") or {}
    delay = ((latest.get("delayDetail") or {}).get("status") or "").upper()
    running_late = latest.get("derivedCode") == "RL" or delay == "DELAYED"
    window = ((result.get("estimatedDeliveryTimeWindow") or {}).get("window")) or {}
    standard = ((result.get("standardTransitTimeWindow") or {}).get("window")) or {}
    estimated = parse_iso(window.get("ends") or window.get("begins") or standard.get("ends"))
    times = {t.get("type"): parse_iso(t.get("dateTime")) for t in result.get("dateAndTimes") or []}
    delivered_at = times.get("ACTUAL_DELIVERY") if status == S.DELIVERED else None
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=status,
        substatus=substatus if not (running_late and substatus is None and status == S.IN_TRANSIT) else Substatus.DELAYED,
        events=tuple(events),
        estimated_delivery=estimated,
        delivered_at=delivered_at,
        signed_by=((result.get("deliveryDetails") or {}).get("receivedByName")) or None,
        running_late=running_late,
        service=((result.get("serviceDetail") or {}).get("description")) or None,
        unknown_codes=unknown_codes(events),
    )
