"""USPS Tracking v3 (`expand=DETAIL`) → TrackingSnapshot, from the event wording and codes (USPS Pub 199
App. G) rather than karrio's eight substring rules, which file label-created, attempted delivery, pickup
and return-to-sender all under "in transit". Times come from `GMTTimestamp`."""
from __future__ import annotations

import json
from typing import Any

from connectors.carriers.common import end_of_named_day, joined, newest_first, overall, parse_iso, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.errors import NotFound, RateLimited, Transient, Unauthorized
from core.ports import ScanEvent, TrackingSnapshot

CARRIER = "usps"
#: Wording first (first match wins): USPS event types are stable sentences.
WORDING: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("return to sender", "returned to sender"), S.RETURNING, None),
    (("delivered to original sender", "delivered, to original sender"), S.RETURNED, None),
    (("available for pickup", "held at post office", "ready for pickup"), S.AVAILABLE_FOR_PICKUP, None),
    (("delivery attempted", "notice left", "attempted - no access", "no access to delivery location"), S.ATTEMPT_FAILED, None),
    (("insufficient address", "addressee unknown", "no such number", "undeliverable as addressed"), S.EXCEPTION, Substatus.ADDRESS_ISSUE),
    (("damaged",), S.EXCEPTION, Substatus.DAMAGED),
    (("refused",), S.EXCEPTION, Substatus.REFUSED),
    (("held in customs", "customs clearance delay", "held by customs"), S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    (("arriving late", "delayed", "delay"), S.IN_TRANSIT, Substatus.DELAYED),
    (("out for delivery",), S.OUT_FOR_DELIVERY, None),
    (("delivered",), S.DELIVERED, None),
    (("label created", "pre-shipment", "shipping label", "shipment received, package acceptance pending"), S.PRE_TRANSIT, None),
    (("accepted", "usps in possession", "picked up", "arrived", "departed", "in transit", "processed", "origin post",
      "forwarded", "tendered", "enroute", "en route"), S.IN_TRANSIT, None),
)
CODES: dict[str, tuple[str, str | None]] = {
    "GX": (S.PRE_TRANSIT, None), "MA": (S.PRE_TRANSIT, None),
    **{c: (S.IN_TRANSIT, None) for c in ("03", "OA", "10", "A1", "T1", "TL", "L1", "U1", "SF", "07", "80", "81", "82", "PC")},
    "OF": (S.OUT_FOR_DELIVERY, None), "01": (S.DELIVERED, None), "17": (S.DELIVERED, None),
    "02": (S.ATTEMPT_FAILED, None), "53": (S.ATTEMPT_FAILED, None), "54": (S.ATTEMPT_FAILED, None),
    "09": (S.RETURNING, None), "21": (S.EXCEPTION, Substatus.ADDRESS_ISSUE), "22": (S.EXCEPTION, Substatus.ADDRESS_ISSUE),
}


def event_status(kind: str, code: str | None) -> tuple[str, str | None]:
    text = kind.lower()
    for words, status, substatus in WORDING:
        if any(w in text for w in words):
            return status, substatus
    if code and code in CODES:
        return CODES[code]
    return unknown(CARRIER, code, kind)


def _event(e: dict[str, Any]) -> ScanEvent:
    kind = (e.get("eventType") or "").strip()
    status, substatus = event_status(kind, e.get("eventCode"))
    occurred = parse_iso(e.get("GMTTimestamp")) or parse_iso(e.get("eventTimestamp"))
    return ScanEvent(occurred, status, substatus, e.get("eventCode"), kind,
                     joined(e.get("eventCity"), e.get("eventState"), e.get("eventCountry")))


def parse(raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        body = json.loads(raw)
    except ValueError:
        raise Transient("USPS answered with a body that is not JSON") from None
    if body.get("error") in ("invalid_client", "invalid_token", "unauthorized_client"):
        raise Unauthorized(f"USPS refused the credentials ({body['error']})")
    error = body.get("error")
    if isinstance(error, dict):
        text = json.dumps(error).lower()
        if "quota" in text or str(error.get("code")) == "429":
            raise RateLimited("USPS quota exceeded", 3600)
        if "not found" in text or str(error.get("code")) in ("404", "400") and "tracking" in text:
            raise NotFound(f"USPS has no record of {tracking_number}")
        raise Transient(f"USPS error: {error.get('message')}")
    if "trackingEvents" not in body and "statusCategory" not in body:
        raise Transient("USPS answered without tracking")
    events = newest_first(_event(e) for e in body.get("trackingEvents") or [])
    status, substatus = overall(events)
    if not events:
        status, substatus = event_status(body.get("status") or body.get("statusCategory") or "", None)
    expected = body.get("expectedDeliveryTimeStamp") or body.get("expectedDeliveryDate")
    estimated = parse_iso(expected) or end_of_named_day(expected)
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=status,
        substatus=substatus,
        events=tuple(events),
        estimated_delivery=estimated,
        delivered_at=next((e.occurred_at for e in events if e.status == S.DELIVERED), None) if status == S.DELIVERED else None,
        running_late=substatus == Substatus.DELAYED,
        service=(body.get("mailClass") or "").split("<")[0] or None,
        unknown_codes=unknown_codes(events),
    )
