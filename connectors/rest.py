"""One JSON call to an outside REST API, its failures turned into core.errors' types (the job layer
decides what to retry): no answer or a 5xx is Transient, 401/403 Unauthorized, 429 RateLimited with the
vendor's Retry-After, any other 4xx (and a redirect, never followed) Permanent, a body that is not JSON Transient."""
from __future__ import annotations

from typing import Any

import requests

from core.errors import Permanent, RateLimited, Transient, Unauthorized

TIMEOUT = (3.05, 20)  # connect, read (seconds)


def call_json(http: requests.Session, method: str, url: str, *, vendor: str, **kwargs: Any) -> dict[str, Any]:
    try:
        # never followed: an API that answers with a redirect is misconfigured, and following it would let an
        # address a merchant typed lead anywhere
        response = http.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Transient(f"{vendor} did not answer: {exc}") from None
    if response.status_code in (401, 403):
        raise Unauthorized(f"{vendor} refused the credentials ({response.status_code})")
    if response.status_code == 429:
        raise RateLimited(f"{vendor} rate limit", float(response.headers.get("Retry-After", "60")))
    if response.status_code >= 500:
        raise Transient(f"{vendor} failed ({response.status_code})")
    if 300 <= response.status_code < 400:
        raise Permanent(f"{vendor} answered with a redirect ({response.status_code}); check the address")
    if response.status_code >= 400:
        raise Permanent(f"{vendor} refused the request ({response.status_code}): {response.text[:300]}")
    try:
        return response.json() if response.content else {}
    except ValueError:
        raise Transient(f"{vendor} answered with a body that is not JSON") from None
