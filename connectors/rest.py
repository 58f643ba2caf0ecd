"""One JSON call to an outside REST API, its failures turned into core.errors' types (the job layer
decides what to retry): no answer or a 5xx is Transient, 401/403 Unauthorized, 429 RateLimited with the
vendor's Retry-After, any other 4xx (and a redirect, never followed) Permanent, a body that is not JSON Transient.
A caller that tells "no such thing" apart from other refusals passes not_found=True: a 404 is then NotFound."""
from __future__ import annotations

import math
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from core.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized

TIMEOUT = (3.05, 20)  # connect, read (seconds)
DEFAULT_RETRY_AFTER = 60.0


def call_json(http: requests.Session, method: str, url: str, *, vendor: str, not_found: bool = False,
              **kwargs: Any) -> dict[str, Any]:
    try:
        # never followed: an API that answers with a redirect is misconfigured, and following it would let an
        # address a merchant typed lead anywhere
        response = http.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Transient(f"{vendor} did not answer: {exc}") from None
    if response.status_code in (401, 403):
        raise Unauthorized(f"{vendor} refused the credentials ({response.status_code})")
    if response.status_code == 429:
        raise RateLimited(f"{vendor} rate limit", retry_after(response))
    if response.status_code >= 500:
        raise Transient(f"{vendor} failed ({response.status_code})")
    if 300 <= response.status_code < 400:
        raise Permanent(f"{vendor} answered with a redirect ({response.status_code}); check the address")
    if response.status_code == 404 and not_found:
        raise NotFound(f"{vendor} has no such resource (404): {response.text[:300]}")
    if response.status_code >= 400:
        raise Permanent(f"{vendor} refused the request ({response.status_code}): {response.text[:300]}")
    try:
        return response.json() if response.content else {}
    except ValueError:
        raise Transient(f"{vendor} answered with a body that is not JSON") from None


def retry_after(response: requests.Response) -> float:
    """Retry-After in seconds, given as a number or an HTTP date; DEFAULT_RETRY_AFTER when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        seconds = float(value)
        return max(seconds, 0.0) if math.isfinite(seconds) else DEFAULT_RETRY_AFTER
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_RETRY_AFTER
