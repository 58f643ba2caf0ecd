"""The shipment and order vocabulary of DESIGN.md §4, and the mapping of platform-reported states to it."""
from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    NOT_FOUND = "not_found"
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    ATTEMPT_FAILED = "attempt_failed"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


#: States after which a parcel is never polled again.
FINAL_STATUSES = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED, ShipmentStatus.EXPIRED}
)


class OrderStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class Substatus(StrEnum):
    DELAYED = "delayed"
    WEATHER = "weather"
    CUSTOMS_HOLD = "customs_hold"
    ADDRESS_ISSUE = "address_issue"
    DAMAGED = "damaged"
    LOST = "lost"
    REFUSED = "refused"
    #: The platform replaced this parcel's tracking number (the merchant corrected it).
    REPLACED = "replaced"
    #: No tracking number was given by the merchant: nothing to track.
    NO_TRACKING = "no_tracking"
