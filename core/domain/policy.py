"""A shop's detection policy: thresholds with defaults (DESIGN.md §5, carriers.md §9.2) and per-shop
overrides by carrier × service level × domestic/international, its own closed days, and which incidents open
a case or tell the customer. Pure. (The admin's form and the API validate it with core/domain/policy_schema.py.)"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

EXPRESS, GROUND, POSTAL = "express", "ground", "postal"
POSTAL_CARRIERS = frozenset({"usps", "canadapost", "royalmail", "australiapost", "nzpost", "laposte", "colissimo",
                             "correos", "correios", "posteitaliane", "indiapost", "chinapost", "japanpost",
                             "deutsche_post", "postnl", "bpost", "swisspost"})
_EXPRESS_WORDS = ("express", "overnight", "next day", "next-day", "2day", "2 day", "2nd day", "priority", "saver")

#: Defaults in business days unless the name says otherwise.
DEFAULTS: dict[str, float] = {
    "not_picked_up.express": 2, "not_picked_up.ground": 3, "not_picked_up.postal": 3,
    "stuck.domestic_express": 2, "stuck.domestic_ground": 3, "stuck.domestic_postal": 3,
    "stuck.cross_border": 5, "stuck.in_customs": 7,
    "presumed_lost.domestic": 10, "presumed_lost.international": 20,
    "pickup_waiting": 3,
    "unfulfilled": 3,
    "partial": 5,
}
#: Thresholds a carrier can have its own value for (`name@carrier`): the ones the rules ask per parcel.
PER_CARRIER = tuple(name for name in DEFAULTS if name not in ("unfulfilled", "partial"))

#: Incident kinds (DESIGN.md §4), in the order a merchant reads them.
KINDS = ("not_picked_up", "stuck", "late", "running_late", "needs_action", "damaged", "returning", "presumed_lost",
         "unfulfilled", "partial")
#: Kinds that open a case unless the shop says otherwise (a carrier's own "running late" alone only joins one).
CASE_KINDS = frozenset({"late", "stuck", "not_picked_up", "needs_action", "damaged", "returning", "presumed_lost",
                        "unfulfilled", "partial"})
#: Kinds the customer hears of unless the shop says otherwise: each one Forewarn has a message for
#: (core/services/messaging.py TEMPLATE_OF_KIND, and needs_action, whose template depends on the parcel).
#: Not picked up is the team's to chase, not yet the customer's news: it has no message.
NOTIFY_KINDS = frozenset({"late", "stuck", "running_late", "needs_action", "damaged", "returning", "presumed_lost",
                          "unfulfilled", "partial"})


@dataclass(frozen=True)
class Policy:
    #: "kind.key" → value, optionally narrowed: "stuck.domestic_ground@ups" applies to UPS only.
    overrides: Mapping[str, float] = field(default_factory=dict)
    closed_days: tuple[date, ...] = ()
    #: Where the shop ships from: a parcel to another country is cross-border (None: unknown, domestic).
    origin_country: str | None = None
    #: Lane learning: a lane with this many delivered parcels adapts its thresholds to `factor × p90`, kept
    #: between `bounds` × the default (the merchant's limits on how far learning may move them).
    lane_min_samples: int = 30
    lane_factor: float = 1.5
    lane_bounds: tuple[float, float] = (0.5, 2.0)
    lane_late_factor: float = 1.25
    #: Which incident kinds open a case, and which tell the customer (the defaults above unless the shop chose).
    case_kinds: frozenset[str] = CASE_KINDS
    notify_kinds: frozenset[str] = NOTIFY_KINDS

    def threshold(self, name: str, carrier: str | None = None) -> float:
        if carrier and f"{name}@{carrier}" in self.overrides:
            return float(self.overrides[f"{name}@{carrier}"])
        return float(self.overrides.get(name, DEFAULTS[name]))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        data = data or {}
        closed = tuple(date.fromisoformat(d) for d in data.get("closed_days", ()))
        lanes = data.get("lanes") or {}
        return cls(overrides=dict(data.get("thresholds", {})), closed_days=closed,
                   origin_country=(data.get("origin_country") or None),
                   lane_min_samples=int(lanes.get("min_samples", 30)), lane_factor=float(lanes.get("factor", 1.5)),
                   lane_bounds=tuple(lanes.get("bounds", (0.5, 2.0))), lane_late_factor=float(lanes.get("late_factor", 1.25)),
                   case_kinds=_kinds(data.get("case_kinds"), CASE_KINDS),
                   notify_kinds=_kinds(data.get("notify_kinds"), NOTIFY_KINDS))


def _kinds(chosen: Any, default: frozenset[str]) -> frozenset[str]:
    """The shop's choice when it made one (an empty list is a choice: none), else the default."""
    return default if chosen is None else frozenset(chosen)


def service_level(carrier: str | None, service: str | None) -> str:
    text = (service or "").lower()
    if any(word in text for word in _EXPRESS_WORDS) or (carrier or "") in ("dhl_express",):
        return EXPRESS
    if (carrier or "") in POSTAL_CARRIERS:
        return POSTAL
    return GROUND
