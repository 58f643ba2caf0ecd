"""UPS Track Alert subscriptions (push): karrio has none, so this is Forewarn's own client, on `requests`.

A subscription lasts 14 days and covers at most 100 numbers per call; UPS then POSTs every scan to our
URL with the credential we gave it. Spec: UPS-API/api-documentation `UPSTrackAlert.yaml`.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence

import requests

from connectors.rest import call_json

SUBSCRIBE_URL = "https://onlinetools.ups.com/api/track/v1/subscription/standard/package"
MAX_NUMBERS = 100


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
    answer = call_json(http or requests.Session(), "POST", url, vendor="UPS Track Alert", json=body, headers=headers)
    return list(answer.get("validTrackingNumbers") or []), list(answer.get("invalidTrackingNumbers") or [])
