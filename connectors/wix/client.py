"""Every HTTP call to Wix for one app instance (one site that installed the app): an OAuth access token
from the app's credentials, then the eCom Orders, Order Fulfillments and App Instance REST APIs. Each call
goes through connectors.rest.call_json, so every failure is one of core.errors' types.

Wix OAuth is client credentials, with no handshake per install: POST /oauth2/token with the app id, the app
secret and the instance id gives a token for that site (`token_type` "Bearer", `expires_in` always 14400 s).
https://dev.wix.com/docs/rest/app-management/oauth-2/create-access-token
Later calls send the token as the whole Authorization header, with no "Bearer" in front:
https://dev.wix.com/docs/api-reference/articles/authentication/rest-api-authentication

Tokens are cached per instance id (unique to one install of one app) until shortly before they expire (a
TokenCache: in memory for one process, in Redis for the workers). A 401 or 403 drops the cached token and
the call is tried once more with a new one: Wix answers 401 for an expired token and "occasionally" for
missing permissions (https://dev.wix.com/docs/rest/articles/get-started/errors), so one status cannot tell
the two apart.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, Protocol
from urllib.parse import quote

import requests

from connectors.rest import call_json
from core.errors import NotFound, Permanent, Unauthorized

log = logging.getLogger(__name__)

VENDOR = "Wix"
DEFAULT_BASE_URL = "https://www.wixapis.com"
DEFAULT_EXPIRES_IN = 14400  # "Always 14400 (4 hours)" per Create Access Token
TOKEN_MARGIN = 300  # seconds before expiry when a cached token is no longer handed out
MAX_SEARCH_LIMIT = 100  # Search Orders: cursorPaging.limit defaults to, and is at most, 100
WIX_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")  # Wix ids are GUIDs; nothing that could change the URL path


class TokenCache(Protocol):
    """Where access tokens wait between calls, keyed by app instance id; `ttl` in seconds."""

    def get(self, key: str, /) -> str | None: ...

    def set(self, key: str, token: str, ttl: float, /) -> None: ...

    def delete(self, key: str, /) -> None: ...


class MemoryTokenCache:
    """Tokens for one process (the demo, tests, a long-lived client)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._tokens.get(key)
            if found is None or found[1] <= self._clock():
                self._tokens.pop(key, None)
                return None
            return found[0]

    def set(self, key: str, token: str, ttl: float) -> None:
        with self._lock:
            self._tokens[key] = (token, self._clock() + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)


class RedisTokenCache:
    """Tokens shared by every worker: one key per instance that Redis expires itself. The token is
    stored as Wix issued it (it is good for four hours at most and reaches only that one site)."""

    def __init__(self, redis: Any, *, prefix: str = "forewarn:wix:token:") -> None:
        self._redis = redis
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        value = self._redis.get(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, token: str, ttl: float) -> None:
        self._redis.set(self._prefix + key, token, px=max(int(ttl * 1000), 1))

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


class WixClient:
    """One app instance's Wix REST APIs. Every method raises only core.errors' types."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        instance_id: str,
        http: requests.Session | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        token_cache: TokenCache | None = None,
    ) -> None:
        if not app_id or not app_secret:
            raise Unauthorized("Wix needs the app id and the app secret (App Dashboard, OAuth page)")
        if not instance_id or not WIX_ID.fullmatch(instance_id):
            raise Unauthorized(f"{instance_id!r} is not a Wix app instance id")
        self.app_id = app_id
        self.instance_id = instance_id
        self._secret = app_secret
        self.http = http or requests.Session()
        self.base = base_url.rstrip("/")
        self._cache: TokenCache = token_cache if token_cache is not None else MemoryTokenCache()
        self._key = instance_id
        self._lock = threading.Lock()

    # -- OAuth ---------------------------------------------------------------------------------------

    def token(self) -> str:
        """An access token for this instance: the cached one, or a new one from POST /oauth2/token."""
        with self._lock:
            return self._cache.get(self._key) or self._new_token()

    def _new_token(self) -> str:
        body = {"grant_type": "client_credentials", "client_id": self.app_id, "client_secret": self._secret,
                "instance_id": self.instance_id}
        try:
            answer = call_json(self.http, "POST", f"{self.base}/oauth2/token", vendor=VENDOR, json=body,
                               not_found=True)
        except (Unauthorized, Permanent, NotFound) as exc:
            # any refusal here means these credentials get no token for this site (a wrong app id or secret,
            # or the app was removed from the site): an admin must act, as for a 401
            raise Unauthorized(f"Wix gave no access token for instance {self.instance_id} ({exc}); check the app "
                               "id and secret, and that the app is still installed on the site") from None
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise Permanent("Wix answered the token request without an access_token")
        expires_in = answer.get("expires_in", DEFAULT_EXPIRES_IN)
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool):
            expires_in = DEFAULT_EXPIRES_IN
        ttl = float(expires_in) - TOKEN_MARGIN
        if ttl > 0:
            self._cache.set(self._key, token, ttl)
        log.info("new Wix access token for instance %s (expires in %ss)", self.instance_id, expires_in)
        return token

    def _forget(self, token: str) -> None:
        """Drop `token` from the cache unless another call already replaced it."""
        with self._lock:
            if self._cache.get(self._key) == token:
                self._cache.delete(self._key)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in (1, 2):
            token = self.token()
            try:
                return call_json(self.http, method, f"{self.base}{path}", vendor=VENDOR, not_found=True,
                                 headers={"Authorization": token}, **kwargs)
            except Unauthorized:
                self._forget(token)
                if attempt == 2:
                    raise
                log.info("Wix refused the token for instance %s; trying once with a new one", self.instance_id)
        raise AssertionError("unreachable")

    # -- eCom Orders ---------------------------------------------------------------------------------

    def get_order(self, order_id: str) -> dict[str, Any]:
        """GET /ecom/v1/orders/{id}: the eCom order (the `order` of the answer)."""
        answer = self._call("GET", f"/ecom/v1/orders/{_wix_id(order_id, 'order')}")
        return _object(answer, "order", f"order {order_id}")

    def search_orders_updated_since(self, since: datetime, limit: int = MAX_SEARCH_LIMIT) -> Iterator[dict[str, Any]]:
        """Orders updated at or after `since`, oldest change first, page after page (POST /ecom/v1/orders/search,
        cursor paging). Wix never returns orders in status INITIALIZED from this search."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_SEARCH_LIMIT}")
        stamp = since.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        search: dict[str, Any] = {
            "filter": {"updatedDate": {"$gte": stamp}},
            "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
            "cursorPaging": {"limit": limit},
        }
        seen: set[str] = set()
        while True:
            answer = self._call("POST", "/ecom/v1/orders/search", json={"search": search})
            orders = answer.get("orders") or []
            if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
                raise Permanent("Wix answered Search Orders with orders that are not a list of objects")
            yield from orders
            # Search methods name it `metadata`, query methods `pagingMetadata`: read either
            paging = answer.get("metadata") or answer.get("pagingMetadata") or {}
            cursor = (paging.get("cursors") or {}).get("next") if isinstance(paging, dict) else None
            if not orders or not cursor or paging.get("hasNext") is False:
                return
            if cursor in seen:
                log.warning("Wix sent the cursor of a page already read for instance %s; stopping", self.instance_id)
                return
            seen.add(cursor)
            # the cursor carries the filter and sort of the first request; only the paging goes with it
            search = {"cursorPaging": {"limit": limit, "cursor": cursor}}

    def add_order_activity(self, order_id: str, message: str) -> None:
        """A merchant comment on the order's activity timeline in the site's dashboard
        (POST /ecom/v1/orders/{orderId}/activities/add, Add Activities)."""
        if not message or not message.strip():
            raise ValueError("an order activity needs text")
        body = {"orderActivities": [{"merchantComment": {"message": message}}]}
        self._call("POST", f"/ecom/v1/orders/{_wix_id(order_id, 'order')}/activities/add", json=body)

    # -- eCom Order Fulfillments ---------------------------------------------------------------------

    def list_fulfillments(self, order_id: str) -> list[dict[str, Any]]:
        """GET /ecom/v1/fulfillments/orders/{orderId}: the order's fulfillments, each with its trackingInfo."""
        answer = self._call("GET", f"/ecom/v1/fulfillments/orders/{_wix_id(order_id, 'order')}")
        found = _object(answer, "orderWithFulfillments", f"the fulfillments of order {order_id}")
        fulfillments = found.get("fulfillments") or []
        if not isinstance(fulfillments, list) or not all(isinstance(f, dict) for f in fulfillments):
            raise Permanent(f"Wix answered the fulfillments of order {order_id} with a list that is not objects")
        return fulfillments

    # -- App Instance --------------------------------------------------------------------------------

    def app_instance(self) -> dict[str, Any]:
        """GET /apps/v1/instance: `instance` (app name, version, plan) and `site` (siteDisplayName, url, locale;
        ownerEmail only with the Read Site Owner Email permission)."""
        return self._call("GET", "/apps/v1/instance")


def _wix_id(value: str, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not WIX_ID.fullmatch(text):
        raise Permanent(f"{value!r} is not a Wix {what} id")
    return quote(text, safe="")


def _object(answer: dict[str, Any], field: str, what: str) -> dict[str, Any]:
    found = answer.get(field)
    if not isinstance(found, dict):
        raise Permanent(f"Wix answered {what} without an `{field}` object")
    return found
