"""One entry point from a raw carrier response to a TrackingSnapshot (pure)."""
from __future__ import annotations

from collections.abc import Callable

from connectors.carriers import canadapost, dhl, fedex, ups, usps
from core.ports import TrackingSnapshot

PARSERS: dict[str, Callable[[str, str], TrackingSnapshot]] = {
    "ups": ups.parse,
    "fedex": fedex.parse,
    "usps": usps.parse,
    "dhl": dhl.parse,
    "dhl_express": dhl.parse,
    "dhl_ecommerce": dhl.parse,
    "dhl_paket": dhl.parse,
    "canadapost": canadapost.parse,
}


def snapshot(carrier: str, raw: str, tracking_number: str) -> TrackingSnapshot:
    try:
        parse = PARSERS[carrier]
    except KeyError:
        raise ValueError(f"no tracking normalizer for carrier {carrier!r}; known: {', '.join(sorted(PARSERS))}") from None
    return parse(raw, tracking_number)
