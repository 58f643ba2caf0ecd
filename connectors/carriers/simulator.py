"""A fake carrier for `forewarn demo` and the tests: it answers in DHL's Unified Tracking wire format, so the
real karrio path and DHL normalizer run end to end, and it serves realistic scan timelines on a virtual clock.

Scenarios: on time, late, stuck at a hub, lost, damaged, failed attempt then pickup point, returned to sender,
customs hold. Never selected by production configuration: the `simulator` provider exists only in the demo
and in tests (see connectors/carriers/providers.py).
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

# (hours after shipping, DHL statusCode, description, where, remark)
Step = tuple[float, str, str, str, str]

ORIGIN, HUB, DEST_HUB, DEST = "Memphis, US", "Cincinnati Hub, US", "Louisville Hub, US", "Louisville, US"

_PICKED = [
    (0, "pre-transit", "The shipment data has been received", ORIGIN, ""),
    (8, "transit", "Shipment picked up", ORIGIN, ""),
    (14, "transit", "Processed at sort facility", HUB, ""),
    (20, "transit", "Departed from facility", HUB, ""),
]
SCENARIOS: dict[str, list[Step]] = {
    "on_time": _PICKED + [
        (34, "transit", "Arrived at delivery facility", DEST_HUB, ""),
        (52, "transit", "Out for delivery - with delivery courier", DEST, ""),
        (56, "delivered", "Delivered - signed for by receiver", DEST, ""),
    ],
    "late": _PICKED + [
        (34, "transit", "Arrived at delivery facility", DEST_HUB, ""),
        (60, "transit", "Shipment delayed", DEST_HUB, "The shipment is delayed; it will arrive later than planned"),
        (100, "transit", "Out for delivery - with delivery courier", DEST, ""),
        (104, "delivered", "Delivered - signed for by receiver", DEST, ""),
    ],
    "stuck": _PICKED[:3],
    "lost": _PICKED + [
        (30, "transit", "Arrived at delivery facility", DEST_HUB, ""),
        (340, "failure", "Shipment could not be located", DEST_HUB, "An investigation has been opened"),
    ],
    "damaged": _PICKED + [
        (30, "failure", "Shipment damaged", HUB, "The shipment was damaged in transit; the sender has been informed"),
    ],
    "failed_attempt_then_pickup": _PICKED + [
        (34, "transit", "Arrived at delivery facility", DEST_HUB, ""),
        (52, "transit", "Out for delivery - with delivery courier", DEST, ""),
        (56, "failure", "Delivery attempt failed - recipient not at home", DEST, "A notification card was left"),
        (60, "failure", "Ready for pick-up at DHL Parcel Shop", "Parcel Shop Bardstown Rd, Louisville, US", ""),
        (130, "delivered", "Picked up by the recipient at the Parcel Shop", "Parcel Shop Bardstown Rd, Louisville, US", ""),
    ],
    "returned": _PICKED + [
        (34, "transit", "Arrived at delivery facility", DEST_HUB, ""),
        (52, "failure", "Delivery attempt failed - recipient not at home", DEST, ""),
        (76, "failure", "Delivery attempt failed - recipient not at home", DEST, ""),
        (100, "transit", "Shipment is being returned to sender", DEST_HUB, ""),
        (160, "delivered", "Delivered back to the sender", ORIGIN, ""),
    ],
    "customs_hold": [
        (0, "pre-transit", "The shipment data has been received", "Leipzig, DE", ""),
        (8, "transit", "Shipment picked up", "Leipzig, DE", ""),
        (26, "transit", "Arrived at destination country", "JFK Gateway, US", ""),
        (30, "failure", "Held by customs", "JFK Gateway, US", "The shipment is pending completion of customs inspection"),
        (150, "transit", "Customs clearance completed", "JFK Gateway, US", ""),
        (170, "transit", "Out for delivery - with delivery courier", DEST, ""),
        (174, "delivered", "Delivered - signed for by receiver", DEST, ""),
    ],
}
PROMISED_HOURS = {"customs_hold": 120.0}
DEFAULT_PROMISED_HOURS = 72.0


class SimClock:
    """Virtual time: starts at `start` and runs `speed` times faster than the wall clock."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        self._real0 = time.monotonic()
        self._virtual0 = start or datetime.now(timezone.utc)
        self.speed = speed
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._real0) * self.speed
            return self._virtual0 + timedelta(seconds=elapsed) + self._offset

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta


@dataclass(frozen=True)
class Parcel:
    number: str
    scenario: str
    shipped_at: datetime


class CarrierSimulator:
    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.parcels: dict[str, Parcel] = {}
        self.calls = 0

    def register(self, number: str, scenario: str, shipped_at: datetime | None = None) -> Parcel:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        parcel = Parcel(number, scenario, shipped_at or self.clock.now())
        self.parcels[number] = parcel
        return parcel

    def parcel(self, number: str) -> Parcel:
        """A registered parcel, or one whose scenario follows from its number (stable across runs)."""
        if number not in self.parcels:
            names = sorted(SCENARIOS)
            scenario = names[int(hashlib.sha256(number.encode()).hexdigest(), 16) % len(names)]
            self.register(number, scenario, self.clock.now() - timedelta(hours=12))
        return self.parcels[number]

    def response(self, number: str) -> tuple[int, dict[str, Any]]:
        self.calls += 1
        parcel = self.parcel(number)
        now = self.clock.now()
        steps = [s for s in SCENARIOS[parcel.scenario] if parcel.shipped_at + timedelta(hours=s[0]) <= now]
        if not steps:
            return 404, {"title": "No result found", "detail": "No shipment with given tracking number found.",
                         "status": 404, "instance": f"/shipment/{number}"}
        events = [self._event(parcel, s) for s in reversed(steps)]
        promised = parcel.shipped_at + timedelta(hours=PROMISED_HOURS.get(parcel.scenario, DEFAULT_PROMISED_HOURS))
        shipment: dict[str, Any] = {
            "id": number,
            "service": "express",
            "origin": {"address": {"addressLocality": SCENARIOS[parcel.scenario][0][3]}},
            "destination": {"address": {"addressLocality": DEST}},
            "status": events[0],
            "estimatedTimeOfDelivery": promised.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events": events,
        }
        if steps[-1][1] == "delivered":
            shipment["details"] = {"proofOfDelivery": {"signed": {"name": "J. RECEIVER"}}}
        return 200, {"shipments": [shipment]}

    @staticmethod
    def _event(parcel: Parcel, step: Step) -> dict[str, Any]:
        hours, code, description, where, remark = step
        at = parcel.shipped_at + timedelta(hours=hours)
        event: dict[str, Any] = {
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "location": {"address": {"addressLocality": where}},
            "statusCode": code,
            "status": code.upper(),
            "description": description,
        }
        if remark:
            event["remark"] = remark
        return event


def create_app(simulator: CarrierSimulator) -> Flask:
    """The simulator as a web service (DHL Unified Tracking's `GET /track/shipments`)."""
    app = Flask("forewarn-carrier-simulator")

    @app.get("/track/shipments")
    def track() -> ResponseReturnValue:
        if not request.headers.get("DHL-API-Key"):
            return jsonify(title="Unauthorized", status=401, detail="missing DHL-API-Key"), 401
        number = request.args.get("trackingNumber", "")
        status, body = simulator.response(number)
        return jsonify(body), status

    return app
