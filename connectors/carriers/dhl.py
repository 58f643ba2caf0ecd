"""DHL Shipment Tracking – Unified API → TrackingSnapshot, from `statusCode` (pre-transit, transit,
delivered, failure, unknown) refined with the description and remark. karrio maps `pre-transit` to in
transit and `unknown` to delayed; both are wrong for deciding anything."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from connectors.carriers.common import joined, newest_first, overall, parse_iso, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.errors import NotFound, RateLimited, Transient, Unauthorized
from core.ports import ScanEvent, TrackingSnapshot

CARRIER = "dhl"
REFINEMENTS: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("clearance completed", "released by customs", "customs cleared"), S.IN_TRANSIT, None),
    (("returned to sender", "return to sender", "returned to shipper", "being returned"), S.RETURNING, None),
    (("customs",), S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    (("address",), S.EXCEPTION, Substatus.ADDRESS_ISSUE),
    (("damage",), S.EXCEPTION, Substatus.DAMAGED),
    (("refused",), S.EXCEPTION, Substatus.REFUSED),
    (("lost", "could not be located"), S.EXCEPTION, Substatus.LOST),
    (("ready for pick", "available for pick", "parcel shop", "packstation", "service point", "post office for collection"),
     S.AVAILABLE_FOR_PICKUP, None),
    (("not at home", "attempt", "could not be delivered", "recipient not available"), S.ATTEMPT_FAILED, None),
    (("weather",), S.EXCEPTION, Substatus.WEATHER),
    (("delay", "later than planned"), S.EXCEPTION, Substatus.DELAYED),
)


TRANSIT_PHRASES: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("out for delivery", "with delivery courier"), S.OUT_FOR_DELIVERY, None),
    (("ready for pick-up", "ready for pickup", "available for pick-up", "available for pickup"), S.AVAILABLE_FOR_PICKUP, None),
    (("being returned", "returned to sender", "return to sender", "returned to shipper"), S.RETURNING, None),
    (("shipment delayed", "is delayed", "later than planned", "delivery delayed"), S.IN_TRANSIT, Substatus.DELAYED),
)


def _utc(value: str | None) -> datetime | None:
    """DHL event times come with an offset or Z; a bare local time is read as UTC (DHL gives no zone)."""
    parsed = parse_iso(value)
    if parsed is None and value:
        try:
            parsed = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    return parsed


def event_status(code: str, description: str, remark: str) -> tuple[str, str | None]:
    text = f"{description} {remark}".lower()
    if code == "pre-transit":
        return S.PRE_TRANSIT, None
    if code == "delivered":
        return (S.RETURNED, None) if "sender" in text or "shipper" in text else (S.DELIVERED, None)
    if code == "transit":
        # A transit event moves the parcel: only these specific phrases change what it means.
        for words, status, substatus in TRANSIT_PHRASES:
            if any(w in text for w in words):
                return status, substatus
        return S.IN_TRANSIT, None
    if code == "failure":
        for words, status, substatus in REFINEMENTS:
            if any(w in text for w in words):
                return status, substatus
        return S.EXCEPTION, None
    return unknown(CARRIER, code, description)


def _event(e: dict[str, Any]) -> ScanEvent:
    code = (e.get("statusCode") or "").strip()
    description = (e.get("description") or e.get("status") or "").strip()
    remark = (e.get("remark") or "").strip()
    status, substatus = event_status(code, description, remark)
    address = ((e.get("location") or {}).get("address")) or {}
    return ScanEvent(_utc(e.get("timestamp")), status, substatus, code, joined(description, remark) or code,
                     joined(address.get("addressLocality"), address.get("countryCode")))


def parse(raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        body = json.loads(raw)
    except ValueError:
        raise Transient("DHL answered with a body that is not JSON") from None
    if "shipments" not in body:
        status = body.get("status")
        if status == 404:
            raise NotFound(f"DHL has no record of {tracking_number}")
        if status in (401, 403):
            raise Unauthorized(f"DHL refused the API key: {body.get('detail') or body.get('title')}")
        if status == 429:
            raise RateLimited("DHL rate limit or daily quota exceeded", 3600)
        raise Transient(f"DHL answered without shipments: {body.get('title') or body}")
    shipments = body["shipments"] or []
    shipment = next((s for s in shipments if str(s.get("id")) == tracking_number), shipments[0] if shipments else None)
    if shipment is None:
        raise NotFound(f"DHL has no record of {tracking_number}")
    events = newest_first(_event(e) for e in shipment.get("events") or [])
    current = _event(shipment["status"]) if shipment.get("status") else None
    status, substatus = (current.status, current.substatus) if current else overall(events)
    if current and not any(e.code == current.code and e.occurred_at == current.occurred_at for e in events):
        events.insert(0, current)
    proof = ((shipment.get("details") or {}).get("proofOfDelivery")) or {}
    signed = ((proof.get("signed") or {}).get("name")) or (proof.get("signedBy") if isinstance(proof.get("signedBy"), str) else None)
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=status,
        substatus=substatus,
        events=tuple(events),
        estimated_delivery=_utc(shipment.get("estimatedTimeOfDelivery")),
        delivered_at=(current.occurred_at if current and status == S.DELIVERED else None),
        signed_by=signed,
        running_late=substatus == Substatus.DELAYED,
        service=shipment.get("service"),
        unknown_codes=unknown_codes(events),
    )
