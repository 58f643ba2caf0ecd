"""UPS Track Alert subscriptions (push): karrio has none, so this is Forewarn's own client, on `requests`.

A subscription lasts 14 days and covers at most 100 numbers per call; UPS then POSTs every scan to our
URL with the credential we gave it. Spec: UPS-API/api-documentation `UPSTrackAlert.yaml`.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence

import requests

from core.errors import Permanent, RateLimited, Transient, Unauthorized

SUBSCRIBE_URL = "https://onlinetools.ups.com/api/track/v1/subscription/standard/package"
MAX_NUMBERS = 100
TIMEOUT = (3.05, 20)


def subscribe(numbers: Sequence[str], token: str, destination_url: str, credential: str,
              http: requests.Session | None = None, url: str = SUBSCRIBE_URL) -> tuple[list[str], list[str]]:
    """Subscribe up to 100 numbers; (valid, invalid) as UPS answers them."""
    if len(numbers) > MAX_NUMBERS:
        raise ValueError(f"UPS takes at most {MAX_NUMBERS} numbers per subscription call")
    body = {
        "locale": "en_US",
        "countryCode": "US",
        "trackingNumberList": list(numbers),
        "destination": {"url": destination_url, "credentialType": "Bearer", "credential": credential},
    }
    headers = {"Authorization": f"Bearer {token}", "transId": uuid.uuid4().hex[:32], "transactionSrc": "forewarn"}
    try:
        response = (http or requests.Session()).post(url, json=body, headers=headers, timeout=TIMEOUT)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Transient(f"UPS Track Alert did not answer: {exc}") from None
    if response.status_code in (401, 403):
        raise Unauthorized(f"UPS refused the Track Alert subscription ({response.status_code})")
    if response.status_code == 429:
        raise RateLimited("UPS Track Alert rate limit", float(response.headers.get("Retry-After", "60")))
    if response.status_code >= 500:
        raise Transient(f"UPS Track Alert failed ({response.status_code})")
    if response.status_code >= 400:
        raise Permanent(f"UPS Track Alert refused the subscription: {response.text[:300]}")
    try:
        answer = response.json()
    except ValueError:
        raise Transient("UPS Track Alert answered with a body that is not JSON") from None
    return list(answer.get("validTrackingNumbers") or []), list(answer.get("invalidTrackingNumbers") or [])
