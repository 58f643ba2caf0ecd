"""EasyPost trackers → TrackingSnapshot (pure): the aggregator for every carrier without a direct client.

EasyPost `status` values (docs.easypost.com/docs/trackers): unknown, pre_transit, in_transit,
out_for_delivery, delivered, available_for_pickup, return_to_sender, failure, cancelled, error; its
`status_detail` refines them (weather_delay, delayed, damaged, lost, address_correction, refused, …).
"""
from __future__ import annotations

from typing import Any

from connectors.carriers.common import joined, newest_first, parse_iso, unknown, unknown_codes
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.ports import ScanEvent, TrackingSnapshot

STATUS = {
    "pre_transit": (S.PRE_TRANSIT, None),
    "in_transit": (S.IN_TRANSIT, None),
    "out_for_delivery": (S.OUT_FOR_DELIVERY, None),
    "delivered": (S.DELIVERED, None),
    "available_for_pickup": (S.AVAILABLE_FOR_PICKUP, None),
    "return_to_sender": (S.RETURNING, None),
    "failure": (S.EXCEPTION, None),
    "cancelled": (S.CANCELLED, None),
}
DETAIL = {
    "weather_delay": (S.EXCEPTION, Substatus.WEATHER),
    "delayed": (S.IN_TRANSIT, Substatus.DELAYED),
    "damaged": (S.EXCEPTION, Substatus.DAMAGED),
    "lost": (S.EXCEPTION, Substatus.LOST),
    "address_correction": (S.EXCEPTION, Substatus.ADDRESS_ISSUE),
    "incorrect_address": (S.EXCEPTION, Substatus.ADDRESS_ISSUE),
    "refused": (S.EXCEPTION, Substatus.REFUSED),
    "delivery_exception": (S.ATTEMPT_FAILED, None),
    "held": (S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    "return": (S.RETURNING, None),
}
#: Our carrier codes → EasyPost's carrier names, where they differ from a plain upper-case.
CARRIER_NAMES = {"royalmail": "RoyalMail", "canadapost": "CanadaPost", "dhl_express": "DHLExpress", "dpd_uk": "DPDUK",
                 "australiapost": "AustraliaPost", "gls": "GLS", "dpd": "DPD", "evri": "Evri", "postnl": "PostNL"}


def status_of(status: str | None, detail: str | None, carrier: str) -> tuple[str, str | None]:
    if status == "delivered" and detail in ("return", "returned", "arrived_at_sender"):
        return S.RETURNED, None
    if detail in DETAIL and status not in ("delivered", "cancelled"):
        return DETAIL[detail]
    if status in STATUS:
        return STATUS[status]
    return unknown(carrier, f"{status}/{detail}", "easypost status")


def snapshot(tracker: dict[str, Any], carrier: str) -> TrackingSnapshot:
    events = []
    for detail in tracker.get("tracking_details") or []:
        status, substatus = status_of(detail.get("status"), detail.get("status_detail"), carrier)
        where = detail.get("tracking_location") or {}
        events.append(ScanEvent(
            parse_iso(detail.get("datetime")), status, substatus, detail.get("status_detail") or detail.get("status"),
            detail.get("message") or detail.get("description") or "", joined(where.get("city"), where.get("state"), where.get("country")),
        ))
    events = newest_first(events)
    status, substatus = status_of(tracker.get("status"), tracker.get("status_detail"), carrier)
    delivered = next((e.occurred_at for e in events if e.status == S.DELIVERED), None) if status == S.DELIVERED else None
    return TrackingSnapshot(
        carrier=carrier,
        tracking_number=str(tracker.get("tracking_code") or ""),
        status=status,
        substatus=substatus,
        events=tuple(events),
        estimated_delivery=parse_iso(tracker.get("est_delivery_date")),
        delivered_at=delivered,
        signed_by=tracker.get("signed_by"),
        running_late=substatus == Substatus.DELAYED,
        service=((tracker.get("carrier_detail") or {}).get("service")) if tracker.get("carrier_detail") else None,
        unknown_codes=unknown_codes(events),
    )
