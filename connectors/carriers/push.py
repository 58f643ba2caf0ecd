"""Carrier push verification and parsing (pure): UPS Track Alert and EasyPost tracker webhooks.

UPS Track Alert echoes back, in a `credential` header, the opaque token we gave it when subscribing; each
carrier account gets its own token, derived from FOREWARN_SECRET_KEY, so nothing extra is stored.
EasyPost signs `X-Hmac-Signature: hmac-sha256-hex=<hex>` over the raw body with the account's webhook
secret (its SDK's own check is used).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from easypost.errors import SignatureVerificationError
from easypost.util import validate_webhook

from connectors.carriers import easypost as easypost_mapping
from connectors.carriers import ups
from core.ports import TrackingSnapshot

CARRIERS = ("ups", "easypost")


def ups_credential(secret_key: str, account_id: int) -> str:
    return hmac.new(secret_key.encode(), f"ups-track-alert:{account_id}".encode(), hashlib.sha256).hexdigest()


def verify(carrier: str, body: bytes, headers: Mapping[str, str], secret_key: str, account_id: int,
           credentials: Mapping[str, Any]) -> bool:
    if carrier == "ups":
        given = headers.get("credential") or headers.get("Credential") or ""
        return bool(given) and hmac.compare_digest(given.encode(), ups_credential(secret_key, account_id).encode())
    if carrier == "easypost":
        secret = credentials.get("webhook_secret")
        if not secret:
            return False
        try:
            validate_webhook(body, {"X-Hmac-Signature": headers.get("X-Hmac-Signature", "")}, secret)
        except (SignatureVerificationError, ValueError):
            return False
        return True
    return False


def parse(carrier: str, body: bytes) -> list[tuple[str, TrackingSnapshot | None, dict[str, Any]]]:
    """(tracking number, snapshot, raw) for each parcel a push is about; raises ValueError for a body that
    is not what the carrier sends."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("push body is not a JSON object")
    if carrier == "ups":
        number = payload.get("trackingNumber")
        if not isinstance(number, str) or not number or not isinstance(payload.get("activityStatus"), dict):
            raise ValueError("a UPS Track Alert event needs a trackingNumber and an activityStatus object")
        return [(number, ups.parse(json.dumps(payload), number), payload)]
    if carrier == "easypost":
        tracker = payload.get("result") if payload.get("object") == "Event" else None
        if not isinstance(tracker, dict) or tracker.get("object") != "Tracker":
            return []  # an EasyPost event about something else: acknowledged, nothing to do
        number = tracker.get("tracking_code")
        if not isinstance(number, str) or not number:
            raise ValueError("an EasyPost tracker event without tracking_code")
        if not isinstance(tracker.get("tracking_details", []), list):
            raise ValueError("an EasyPost tracker whose tracking_details is not a list")
        return [(number, None, tracker)]
    raise ValueError(f"no push receiver for {carrier}")


def easypost_snapshot(tracker: dict[str, Any], carrier: str) -> TrackingSnapshot:
    return easypost_mapping.snapshot(tracker, carrier)
