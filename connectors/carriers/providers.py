"""Which provider tracks a parcel: the shop's carrier account decides (karrio for direct carriers, the
aggregator for the long tail, the simulator only in the demo and the tests)."""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from connectors.carriers.karrio_client import KarrioProvider
from core.errors import Unauthorized
from core.ports import TrackingProvider, TrackingSnapshot

SIMULATOR_CREDENTIALS = {"consumer_key": "simulator", "consumer_secret": "unused"}


class SimulatorProvider:
    """The carrier simulator through karrio's real DHL Unified client: any carrier's numbers, DHL's wire format."""

    name = "simulator"

    def __init__(self, base_url: str, redis: Any) -> None:
        self.inner = KarrioProvider({"dhl": SIMULATOR_CREDENTIALS}, redis, base_urls={"dhl": base_url})

    def track(self, carrier: str, tracking_number: str) -> TrackingSnapshot:
        return replace(self.inner.track("dhl", tracking_number), carrier=carrier)


def build(provider: str, carrier: str, credentials_json: str | None, redis: Any, simulator_url: str | None) -> TrackingProvider:
    credentials = json.loads(credentials_json) if credentials_json else {}
    if provider == "karrio":
        per_carrier = credentials if carrier == "*" else {carrier: credentials}
        return KarrioProvider(per_carrier, redis)
    if provider == "easypost":
        from connectors.carriers.easypost_client import EasyPostProvider

        return EasyPostProvider(credentials.get("api_key", ""))
    if provider == "simulator":
        if not simulator_url:
            raise Unauthorized("the carrier simulator exists only in forewarn demo and the tests")
        return SimulatorProvider(simulator_url, redis)
    raise Unauthorized(f"unknown tracking provider {provider!r}")
