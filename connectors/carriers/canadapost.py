"""Canada Post VIS tracking (track-v2 XML) → TrackingSnapshot.

Event identifiers come zero-padded ("0174") while code lists are not ("174"): leading zeros are stripped
before matching. Delivered is any delivered event in the history (a later "signature image recorded"
must not hide it). Local times carry a zone abbreviation and are converted to UTC with it.
"""
from __future__ import annotations

from xml.etree import ElementTree

from connectors.carriers.common import at_zone, end_of_named_day, joined, newest_first, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.errors import NotFound, Transient, Unauthorized
from core.ports import ScanEvent, TrackingSnapshot

CARRIER = "canadapost"


def _codes(*ranges: str) -> frozenset[str]:
    return frozenset(ranges)


DELIVERED = _codes("1408", "1409", *(str(c) for c in range(1421, 1435)), "1441", "1442", "1496", "1497", "1498", "1499")
PICKED_UP = _codes(*(str(c) for c in range(100, 108)), *(str(c) for c in range(1400, 1406)))
HELD = _codes("117", "120", "121", "125", "127", "810", "1411", "1414", "1443", "1484", "1487", "1494", "2411", "2414", "4700")
PICKUP_READY = _codes("118", "156", "1407", "1410", "1435", "1436", "1437", "1438", "1479", "1488", "1701", "2410")
ATTEMPTED = _codes("154", "167", "168", "169", "1100", "1417", "1418", "1419", "1420", "1450", "1481", "1482", "1483",
                   "1491", "1492", "1493", "2600", "2802", "3001", "4650", "179", "181", "182", "183", "184", "190")
REFUSED = _codes("150", "1415", "1416")
DELAYED = _codes("159", "160", "161", "162", "163", "172", "2412")
ADDRESS = _codes("173", "122", "123", "1413", "1440", "1485", "1486", "1489", "1490")
DAMAGED = _codes(*(str(c) for c in range(142, 150)), "119")
LOST = _codes("124", "126", "151", "152", "153")
OUT_FOR_DELIVERY = _codes("174", "500")
#: Events that describe, not move, the parcel.
INFORMATIONAL = _codes("20", "21", "22", "23")


def event_status(code: str, description: str) -> tuple[str, str | None]:
    text = description.lower()
    if code in DELIVERED:
        return S.DELIVERED, None
    if code in OUT_FOR_DELIVERY:
        return S.OUT_FOR_DELIVERY, None
    if code in PICKUP_READY:
        return S.AVAILABLE_FOR_PICKUP, None
    if code in REFUSED:
        return S.EXCEPTION, Substatus.REFUSED
    if code in ATTEMPTED:
        return S.ATTEMPT_FAILED, None
    if code in ADDRESS:
        return S.EXCEPTION, Substatus.ADDRESS_ISSUE
    if code in DAMAGED:
        return S.EXCEPTION, Substatus.DAMAGED
    if code in LOST:
        return S.EXCEPTION, Substatus.LOST
    if code in DELAYED:
        return S.EXCEPTION, Substatus.DELAYED
    if code in HELD:
        return S.EXCEPTION, (Substatus.CUSTOMS_HOLD if "customs" in text else None)
    if "return to sender" in text or "returned to sender" in text or "being returned" in text:
        return S.RETURNING, None
    if code in PICKED_UP or "processed" in text or "in transit" in text or "arrived" in text or "departed" in text:
        return S.IN_TRANSIT, None
    if code in INFORMATIONAL or "signature" in text:
        return S.UNKNOWN, None  # says nothing about where the parcel is
    return unknown(CARRIER, code, description)


def _strip(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {_strip(child.tag): child for child in element}


def _text(element: ElementTree.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse(raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise Transient("Canada Post answered with a body that is not XML") from None
    details = [e for e in root.iter() if _strip(e.tag) == "tracking-detail"]
    if not details:
        codes = [_text(e) for e in root.iter() if _strip(e.tag) == "code"]
        if "004" in codes:
            raise NotFound(f"Canada Post has no record of {tracking_number} (004 No Pin History)")
        if any(c.startswith("E00") for c in codes):
            raise Unauthorized(f"Canada Post refused the credentials ({', '.join(codes)})")
        raise Transient(f"Canada Post answered without tracking ({', '.join(codes) or 'no code'})")
    detail = details[0]
    fields = _children(detail)
    events: list[ScanEvent] = []
    signed_by = None
    for occurrence in (e for e in detail.iter() if _strip(e.tag) == "occurrence"):
        f = _children(occurrence)
        raw_code = _text(f.get("event-identifier"))
        code = raw_code.lstrip("0") or "0"
        description = _text(f.get("event-description"))
        status, substatus = event_status(code, description)
        occurred = at_zone(_text(f.get("event-date")), _text(f.get("event-time")), _text(f.get("event-time-zone")))
        events.append(ScanEvent(occurred, status, substatus, raw_code, description,
                                joined(_text(f.get("event-site")), _text(f.get("event-province")))))
        signed_by = signed_by or _text(f.get("signatory-name")) or None
    events = newest_first(events)
    returning = any(e.status == S.RETURNING for e in events)
    delivered = next((e for e in events if e.status == S.DELIVERED), None)
    if delivered is not None and (returning or any(w in delivered.description.lower() for w in ("sender", "shipper"))):
        # Canada Post records the hand-back to the shipper as a delivery (carriers.md §6.3).
        status, substatus, delivered = S.RETURNED, None, None
    elif delivered is not None:
        status, substatus = S.DELIVERED, None
    else:
        moving = next((e for e in events if e.status != S.UNKNOWN), None)
        status, substatus = (moving.status, moving.substatus) if moving else (S.PRE_TRANSIT, None)
    expected = _text(fields.get("changed-expected-date")) or _text(fields.get("expected-delivery-date"))
    estimated = end_of_named_day(expected)
    return TrackingSnapshot(
        carrier=CARRIER,
        tracking_number=tracking_number,
        status=status,
        substatus=substatus,
        events=tuple(events),
        estimated_delivery=estimated,
        delivered_at=delivered.occurred_at if delivered else None,
        signed_by=signed_by,
        running_late=bool(_text(fields.get("changed-expected-date"))) or substatus == Substatus.DELAYED,
        service=_text(fields.get("service-name")) or None,
        unknown_codes=unknown_codes(events, INFORMATIONAL),
    )
