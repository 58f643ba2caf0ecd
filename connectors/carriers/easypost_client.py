"""The aggregator provider through EasyPost's official Python SDK (on `requests`, so tests use `responses`).

Chosen over AfterShip and 17TRACK for the SDK: EasyPost's is official, typed and maintained (10.x, 2026),
raises typed errors, and ships webhook signature validation; AfterShip's Python SDK has not moved since
2022, and 17TRACK has none. EasyPost trackers cover the long tail of carriers merchants use, and
creating a tracker twice returns the same tracker (EasyPost de-duplicates by code and carrier).
"""
from __future__ import annotations

from typing import Any

import easypost
from easypost.errors import (
    EasyPostError,
    ForbiddenError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ServiceUnavailableError,
    TimeoutError,
    UnauthorizedError,
)

from connectors.carriers.easypost import CARRIER_NAMES, snapshot
from core.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized
from core.ports import TrackingSnapshot


class EasyPostProvider:
    name = "easypost"

    def __init__(self, api_key: str, client: Any = None) -> None:
        if not api_key and client is None:
            raise Unauthorized("no EasyPost API key configured")
        self.client = client or easypost.EasyPostClient(api_key, timeout=20)

    def track(self, carrier: str, tracking_number: str) -> TrackingSnapshot:
        name = CARRIER_NAMES.get(carrier, carrier.upper())
        try:
            tracker = self.client.tracker.create(tracking_code=tracking_number, carrier=name)
        except (UnauthorizedError, ForbiddenError) as exc:
            raise Unauthorized(f"EasyPost refused the API key: {exc.message}") from None
        except RateLimitError as exc:
            raise RateLimited(f"EasyPost rate limit: {exc.message}", 60) from None
        except NotFoundError as exc:
            raise NotFound(f"EasyPost has no record of {tracking_number}: {exc.message}") from None
        except (TimeoutError, GatewayTimeoutError, ServiceUnavailableError, InternalServerError) as exc:
            raise Transient(f"EasyPost did not answer: {exc.message}") from None
        except EasyPostError as exc:
            raise Permanent(f"EasyPost refused the request: {getattr(exc, 'message', exc)}") from None
        return snapshot(tracker.to_dict(), carrier)
