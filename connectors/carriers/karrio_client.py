"""Direct carriers through karrio — the only module that imports it.

karrio is used for what it does well: each carrier's URLs, request building and OAuth token flows
(UPS, FedEx, USPS). Its parsing and normalization are not used: every HTTP exchange is captured raw
(status and body) at karrio's urlopen, and Forewarn's own normalizers read the carrier's codes.
The wrapping also fixes what hurts in karrio 2026.1.32 (see ../shared/reference/carriers.md §4):
- no timeout on any call → every urlopen gets one;
- an empty or unrecognised error body → raised as Transient, never taken as "no news";
- the tracer keeps every request forever → a gateway (and tracer) per call;
- OAuth tokens are cached per process → a Redis-backed cache shares them between workers;
- `asyncio.run` inside → called only from RQ jobs and the CLI, never from a running event loop.
Canada Post's single-PIN and FedEx's proof-of-delivery quirks live in karrio's parser, which is not used.
"""
from __future__ import annotations

import importlib
import io
import json
import logging
import os
import threading
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("KARRIO_LOG_LEVEL", "CRITICAL")  # karrio configures loguru at import; we log outcomes ourselves
logging.getLogger("jstruct").setLevel(logging.ERROR)

import karrio.core.utils.helpers as karrio_http  # noqa: E402
import karrio.lib as lib  # noqa: E402
import karrio.sdk as karrio  # noqa: E402
from karrio.core.models import TrackingRequest  # noqa: E402

from connectors.carriers.normalize import snapshot  # noqa: E402
from core.errors import NotFound, RateLimited, Transient, Unauthorized  # noqa: E402
from core.ports import TrackingSnapshot  # noqa: E402

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
#: Our carrier codes → karrio's gateway names.
GATEWAYS = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "canadapost": "canadapost",
    "dhl": "dhl_universal",
    "dhl_express": "dhl_universal",
    "dhl_paket": "dhl_universal",
    "dhl_ecommerce": "dhl_universal",
}
TOKEN_PATHS = ("/oauth/token", "/oauth2/v3/token", "/security/v1/oauth/token")


@dataclass(frozen=True)
class Exchange:
    url: str
    status: int
    body: str
    headers: Mapping[str, str]


class _Replayable:
    """A read response that karrio can read again (we have read it to keep it)."""

    def __init__(self, response: Any, body: bytes) -> None:
        self._body = io.BytesIO(body)
        self.headers = response.headers
        self.status = getattr(response, "status", 200)

    def read(self, *args: Any) -> bytes:
        return self._body.read(*args)

    def getcode(self) -> int:
        return self.status

    def __enter__(self) -> _Replayable:
        return self

    def __exit__(self, *exc: object) -> None:
        self._body.close()


_capture_lock = threading.Lock()
_captured: list[Exchange] = []
_urlopen = karrio_http.urlopen


def _record(url: str, status: int, body: bytes, headers: Any) -> None:
    _captured.append(Exchange(url, status, body.decode("utf-8", "replace"), dict(headers or {})))


def _capturing_urlopen(req: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
    url = getattr(req, "full_url", str(req))
    try:
        response = _urlopen(req, *args, timeout=timeout or TIMEOUT_SECONDS, **kwargs)
    except urllib.error.HTTPError as err:
        body = err.read()
        _record(url, err.code, body, err.headers)
        raise urllib.error.HTTPError(err.url, err.code, err.msg, err.headers, io.BytesIO(body)) from None
    body = response.read()
    _record(url, getattr(response, "status", 200), body, response.headers)
    return _Replayable(response, body)


karrio_http.urlopen = _capturing_urlopen


class RedisTokenCache:
    """The store behind karrio's token cache: one OAuth token per carrier account for all workers."""

    def __init__(self, redis: Any, prefix: str = "forewarn:karrio:") -> None:
        self.redis, self.prefix = redis, prefix

    def get(self, key: str) -> Any:
        value = self.redis.get(self.prefix + key)
        return None if value is None else json.loads(value)

    def set(self, key: str, value: Any, timeout: int = 86400, **_: Any) -> None:
        self.redis.set(self.prefix + key, json.dumps(value, default=str), ex=int(timeout))


def settings_class(gateway: str, base_url: str | None) -> type:
    cls = importlib.import_module(f"karrio.mappers.{gateway}.settings").Settings
    if not base_url:
        return cls
    # karrio's server_url is read-only: a subclass points it at the carrier simulator or a test server.
    return type(f"Local{cls.__name__}", (cls,), {"server_url": property(lambda self: base_url)})


def classify(exchanges: list[Exchange]) -> Exchange:
    """The tracking exchange, or the typed error its HTTP status (or a failed token call) stands for."""
    for exchange in exchanges:
        if exchange.url.split("?")[0].endswith(TOKEN_PATHS) and exchange.status >= 400:
            raise Unauthorized(f"the carrier refused the credentials ({exchange.status}): {exchange.body[:200]}")
    tracking = [e for e in exchanges if not e.url.split("?")[0].endswith(TOKEN_PATHS)]
    if not tracking:
        raise Transient("the carrier answered nothing (empty result)")
    last = tracking[-1]
    if not last.body.strip():
        raise Transient(f"the carrier answered {last.status} with an empty body")
    if last.status in (401, 403):
        raise Unauthorized(f"the carrier refused the credentials ({last.status})")
    if last.status == 429:
        retry_after = last.headers.get("Retry-After") or last.headers.get("retry-after") or "60"
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = 60.0
        raise RateLimited(f"the carrier's rate limit ({last.body[:120]})", seconds)
    if last.status >= 500:
        raise Transient(f"the carrier failed ({last.status})")
    return last


class KarrioProvider:
    """Tracks parcels of UPS, FedEx, USPS, DHL (Unified) and Canada Post through karrio's HTTP layer."""

    name = "karrio"
    carriers = frozenset(GATEWAYS)

    def __init__(self, credentials: Mapping[str, Mapping[str, Any]], redis: Any, base_urls: Mapping[str, str] | None = None) -> None:
        """`credentials`: karrio settings per carrier code (e.g. {"dhl": {"consumer_key": …}}).
        `base_urls` overrides the carrier host — the simulator in the demo, a replay server in tests."""
        self.credentials = credentials
        self.cache = lib.Cache(cache=RedisTokenCache(redis))
        self.base_urls = base_urls or {}

    def track(self, carrier: str, tracking_number: str) -> TrackingSnapshot:
        gateway_name = GATEWAYS.get(carrier)
        if gateway_name is None:
            raise ValueError(f"karrio does not track {carrier!r} here; use the aggregator")
        credentials = self.credentials.get(carrier) or self.credentials.get(gateway_name)
        if credentials is None:
            raise Unauthorized(f"no {carrier} credentials configured")
        settings = settings_class(gateway_name, self.base_urls.get(carrier) or self.base_urls.get(gateway_name))(**credentials)
        with _capture_lock:
            _captured.clear()
            gateway = karrio.gateway[gateway_name].create(settings, cache=self.cache, tracer=lib.Tracer())
            request = gateway.mapper.create_tracking_request(TrackingRequest(tracking_numbers=[tracking_number]))
            try:
                gateway.proxy.get_tracking(request)
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                raise Transient(f"{carrier} did not answer: {exc}") from None
            except Exception as exc:  # karrio's own errors (a refused token is raised as ParsedMessagesError)
                exchanges = list(_captured)
                if exchanges:
                    classify(exchanges)
                raise Transient(f"{carrier} request failed: {type(exc).__name__}: {exc}") from None
            exchanges = list(_captured)
        exchange = classify(exchanges)
        if exchange.status == 404:
            try:
                return snapshot(carrier, exchange.body, tracking_number)
            except (NotFound, Transient):
                raise NotFound(f"{carrier} has no record of {tracking_number}") from None
        return snapshot(carrier, exchange.body, tracking_number)

    def track_many(self, carrier: str, numbers: list[str]) -> dict[str, TrackingSnapshot | Exception]:
        """Several numbers in one request where the carrier takes them (FedEx: up to 30); one per call
        elsewhere. Each number gets its snapshot or its typed error."""
        if carrier != "fedex" or len(numbers) == 1:
            out: dict[str, TrackingSnapshot | Exception] = {}
            for number in numbers:
                try:
                    out[number] = self.track(carrier, number)
                except (NotFound, Unauthorized, RateLimited, Transient, ValueError) as exc:
                    out[number] = exc
            return out
        settings = settings_class("fedex", self.base_urls.get("fedex"))(**(self.credentials.get("fedex") or {}))
        with _capture_lock:
            _captured.clear()
            gateway = karrio.gateway["fedex"].create(settings, cache=self.cache, tracer=lib.Tracer())
            try:
                gateway.proxy.get_tracking(gateway.mapper.create_tracking_request(TrackingRequest(tracking_numbers=numbers)))
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                raise Transient(f"fedex did not answer: {exc}") from None
            except Exception as exc:
                classify(list(_captured))
                raise Transient(f"fedex request failed: {exc}") from None
            exchange = classify(list(_captured))
        results: dict[str, TrackingSnapshot | Exception] = {}
        for number in numbers:
            try:
                results[number] = snapshot("fedex", exchange.body, number)
            except (NotFound, Unauthorized, RateLimited, Transient, ValueError) as exc:
                results[number] = exc
        return results

    def raw(self) -> list[Exchange]:
        """The exchanges of the last call in this process (for `forewarn track` and poll records)."""
        return list(_captured)


def ups_token(credentials: Mapping[str, Any], redis: Any, base_url: str | None = None) -> str:
    """A UPS OAuth token from karrio's token flow, shared through Redis (for the Track Alert subscriptions,
    which karrio does not implement)."""
    settings = settings_class("ups", base_url)(**credentials)
    gateway = karrio.gateway["ups"].create(settings, cache=lib.Cache(cache=RedisTokenCache(redis)), tracer=lib.Tracer())
    with _capture_lock:
        _captured.clear()
        try:
            token = gateway.proxy.get_token()
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise Transient(f"UPS did not answer the token request: {exc}") from None
        except Exception as exc:
            classify(list(_captured) or [Exchange("/security/v1/oauth/token", 401, str(exc), {})])
            raise Transient(f"UPS token request failed: {exc}") from None
    return token["access_token"] if isinstance(token, dict) else str(token)
