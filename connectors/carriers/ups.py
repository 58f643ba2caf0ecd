"""UPS Track API v1 (and Track Alert push) → TrackingSnapshot, from UPS's raw activity type and code.

Types: M manifest, MV manifest voided, P pickup, I in transit, X exception ("something out of the normal
happened … may still be delivered on time"), U update (EDD changed), D delivered, RS returned to shipper.
karrio reads only the newest activity's type, so out-for-delivery (I/OT) looks like plain transit there.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from connectors.carriers.common import end_of_day, joined, newest_first, overall, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.errors import NotFound, Permanent, Transient, Unauthorized
from core.ports import ScanEvent, TrackingSnapshot

CARRIER = "ups"
OUT_FOR_DELIVERY_CODES = {"OT", "OF", "OD"}
#: Exception wording → substatus (UPS X-type descriptions vary by code; the words are stable).
EXCEPTION_WORDS = (
    (("weather", "emergency conditions"), S.EXCEPTION, Substatus.WEATHER),
    (("customs", "clearance", "brokerage"), S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    (("address", "incorrect", "insufficient"), S.EXCEPTION, Substatus.ADDRESS_ISSUE),
    (("damage",), S.EXCEPTION, Substatus.DAMAGED),
    (("refused",), S.EXCEPTION, Substatus.REFUSED),
    (("not available", "not home", "attempt", "business was closed", "receiver was not"), S.ATTEMPT_FAILED, None),
    (("delay", "rescheduled", "late"), S.EXCEPTION, Substatus.DELAYED),
)


def activity_status(type_: str, code: str, description: str) -> tuple[str, str | None]:
    text = description.lower()
    if type_ == "M":
        return S.PRE_TRANSIT, None
    if type_ == "MV":
        return S.CANCELLED, None
    if type_ in ("P", "I"):
        if code in OUT_FOR_DELIVERY_CODES or "out for delivery" in text:
            return S.OUT_FOR_DELIVERY, None
        if "return" in text and "shipper" in text:
            return S.RETURNING, None
        return S.IN_TRANSIT, None
    if type_ == "U":
        return S.IN_TRANSIT, (Substatus.DELAYED if any(w in text for w in ("delay", "rescheduled", "late")) else None)
    if type_ == "X":
        for words, status, substatus in EXCEPTION_WORDS:
            if any(w in text for w in words):
                return status, substatus
        return S.EXCEPTION, None
    if type_ == "D":
        if "access point" in text and "picked up" not in text:
            return S.AVAILABLE_FOR_PICKUP, None
        return S.DELIVERED, None
    if type_ in ("RS", "RT"):
        return S.RETURNING, None
    return unknown(CARRIER, f"{type_}/{code}", description)


def _ymd(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y%m%d").date()
    except ValueError:
        return None


def _hms(value: str | None) -> time | None:
    for fmt in ("%H%M%S", "%H:%M:%S"):
        try:
            return datetime.strptime(value or "", fmt).time()
        except ValueError:
            continue
    return None


def activity_time(activity: dict[str, Any]) -> datetime | None:
    """UPS gives GMT date/time (gmtDate/gmtTime, or Track Alert's gmtActivityDate/Time) beside local ones;
    only when it gives none is the local time taken as UTC."""
    gmt_day = _ymd(activity.get("gmtDate") or activity.get("gmtActivityDate"))
    gmt_time = _hms(activity.get("gmtTime") or activity.get("gmtActivityTime"))
    if gmt_day and gmt_time:
        return datetime.combine(gmt_day, gmt_time, tzinfo=timezone.utc)
    day = _ymd(activity.get("date") or activity.get("localActivityDate"))
    clock = _hms(activity.get("time") or activity.get("localActivityTime")) or time(0, 0)
    if day is None:
        return None
    local = datetime.combine(day, clock)
    offset = activity.get("gmtOffset")
    if offset:
        sign = -1 if offset.startswith("-") else 1
        hours, _, minutes = offset.lstrip("+-").partition(":")
        local -= sign * timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    return local.replace(tzinfo=timezone.utc)


def _location(address: dict[str, Any] | None) -> str | None:
    address = address or {}
    return joined(address.get("city"), address.get("stateProvince"), address.get("countryCode") or address.get("country"))


def event(activity: dict[str, Any]) -> ScanEvent:
    status_block = activity.get("status") or activity.get("activityStatus") or {}
    type_, code = (status_block.get("type") or "").strip(), (status_block.get("code") or "").strip()
    description = (status_block.get("description") or "").strip()
    status, substatus = activity_status(type_, code, description)
    location = activity.get("location") or {}
    address = location.get("address") if "address" in location else activity.get("activityLocation")
    return ScanEvent(activity_time(activity), status, substatus, f"{type_}/{code}", description, _location(address))


def parse(raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        body = json.loads(raw)
    except ValueError:
        raise Transient("UPS answered with a body that is not JSON") from None
    errors = ((body.get("response") or {}).get("errors")) or []
    if errors:
        code = str(errors[0].get("code"))
        if code in ("250002", "250003", "250004"):
            raise Unauthorized(f"UPS refused the credentials ({code})")
        if code == "TV1002":
            raise Permanent(f"UPS says {tracking_number} is not a valid tracking number (TV1002)")
        raise Transient(f"UPS error {code}: {errors[0].get('message')}")
    if "activityStatus" in body:  # a Track Alert push: one event
        return snapshot(tracking_number, [body], {}, body)
    shipments = ((body.get("trackResponse") or {}).get("shipment")) or []
    if not shipments:
        raise Transient("UPS answered without a shipment")
    shipment = shipments[0]
    for warning in shipment.get("warnings") or []:
        if warning.get("code") == "TW0001":
            raise NotFound(f"UPS has no record of {tracking_number} (TW0001)")
    packages = shipment.get("package") or []
    package = next((p for p in packages if p.get("trackingNumber") == tracking_number), packages[0] if packages else None)
    if package is None:
        raise NotFound(f"UPS returned no package for {tracking_number}")
    return snapshot(tracking_number, package.get("activity") or [], package, shipment)


def snapshot(number: str, activities: list[dict[str, Any]], package: dict[str, Any], shipment: dict[str, Any]) -> TrackingSnapshot:
    events = newest_first(event(a) for a in activities)
    status, substatus = overall(events)
    dates = {d.get("type"): _ymd(d.get("date")) for d in package.get("deliveryDate") or []}
    scheduled = _ymd(shipment.get("scheduledDeliveryDate")) if isinstance(shipment, dict) else None
    estimated = dates.get("RDD") or dates.get("SDD") or scheduled
    delivered_at = None
    if status == S.DELIVERED:
        delivered_at = next((e.occurred_at for e in events if e.status == S.DELIVERED), None)
    signed = ((package.get("deliveryInformation") or {}).get("receivedBy")) or None
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=number,
        status=status,
        substatus=substatus,
        events=tuple(events),
        estimated_delivery=end_of_day(estimated) if estimated else None,
        delivered_at=delivered_at,
        signed_by=signed,
        running_late="RDD" in dates or substatus == Substatus.DELAYED,
        service=((package.get("service") or {}).get("description")) if isinstance(package.get("service"), dict) else None,
        unknown_codes=unknown_codes(events),
    )

