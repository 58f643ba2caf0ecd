"""Every HTTP call to Shopify: the OAuth token endpoints and one GraphQL Admin API client.

Built on `requests` so each call is testable with `responses`. The API version is pinned here and
nowhere else. Errors come out typed (connectors.errors); GraphQL throttling (a `THROTTLED` error, with
the bucket's state in `extensions.cost.throttleStatus`) and HTTP 429 `Retry-After` are waited out when
the wait is short and raised as RateLimited otherwise, so the job can retry later.
https://shopify.dev/docs/api/usage/rate-limits
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from connectors.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized
from connectors.shopify import queries

log = logging.getLogger(__name__)

API_VERSION = "2026-07"
TIMEOUT = (3.05, 20)
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    scope: str | None


@dataclass(frozen=True)
class Throttle:
    maximum: float
    available: float
    restore_rate: float


def _typed_http_error(response: requests.Response) -> Exception:
    status = response.status_code
    detail = f"Shopify answered {status}: {response.text[:300]}"
    if status in (401, 403):
        return Unauthorized(detail)
    if status == 404:
        return NotFound(detail)
    if status == 429:
        try:
            retry_after = float(response.headers.get("Retry-After", "2"))
        except ValueError:
            retry_after = 2.0
        return RateLimited(detail, retry_after)
    if status >= 500:
        return Transient(detail)
    return Permanent(detail)


class ShopifyClient:
    def __init__(
        self,
        shop: str,
        access_token: str | None = None,
        *,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 10.0,
        max_attempts: int = 4,
    ) -> None:
        self.shop = shop
        self.access_token = access_token
        self.http = http or requests.Session()
        self.sleep = sleep
        self.max_wait = max_wait
        self.max_attempts = max_attempts
        self.last_throttle: Throttle | None = None

    # -- HTTP ----------------------------------------------------------------------------------------

    def _post(self, path: str, **kwargs: Any) -> requests.Response:
        url = f"https://{self.shop}{path}"
        try:
            response = self.http.post(url, timeout=TIMEOUT, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"Shopify did not answer: {exc}") from None
        if response.status_code >= 400:
            raise _typed_http_error(response)
        return response

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise Transient(f"Shopify answered {response.status_code} with a body that is not JSON") from None
        if not isinstance(body, dict):
            raise Permanent("Shopify answered with JSON that is not an object")
        return body

    # -- OAuth ---------------------------------------------------------------------------------------

    def _token(self, payload: Mapping[str, str]) -> TokenGrant:
        try:
            body = self._json(self._post("/admin/oauth/access_token", json=dict(payload)))
        except Permanent as exc:
            if "invalid_subject_token" in str(exc) or "invalid_request" in str(exc):
                raise Unauthorized(str(exc)) from None
            raise
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise Permanent("Shopify's token response has no access_token")
        return TokenGrant(access_token=token, scope=body.get("scope"))

    def exchange_code(self, api_key: str, secret: str, code: str) -> TokenGrant:
        """The authorization-code grant's second step: the `code` from the callback for an offline token."""
        return self._token({"client_id": api_key, "client_secret": secret, "code": code})

    def exchange_session_token(self, api_key: str, secret: str, session_token: str) -> TokenGrant:
        """Token exchange for embedded apps (managed install): an App Bridge session token for an offline token."""
        return self._token(
            {
                "client_id": api_key,
                "client_secret": secret,
                "grant_type": TOKEN_EXCHANGE_GRANT,
                "subject_token": session_token,
                "subject_token_type": ID_TOKEN_TYPE,
                "requested_token_type": OFFLINE_TOKEN_TYPE,
            }
        )

    # -- GraphQL -------------------------------------------------------------------------------------

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a query or mutation; its `data`. Short throttles are waited out, long ones raised."""
        if not self.access_token:
            raise Unauthorized(f"no access token for {self.shop}")
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._graphql_once(query, variables)
            except RateLimited as exc:
                if attempt == self.max_attempts or exc.retry_after > self.max_wait:
                    raise
                log.info("Shopify throttled %s; waiting %.1f s", self.shop, exc.retry_after)
                self.sleep(exc.retry_after)
        raise AssertionError("unreachable")

    def _graphql_once(self, query: str, variables: Mapping[str, Any] | None) -> dict[str, Any]:
        response = self._post(
            f"/admin/api/{API_VERSION}/graphql.json",
            json={"query": query, "variables": dict(variables or {})},
            headers={"X-Shopify-Access-Token": self.access_token or "", "Content-Type": "application/json"},
        )
        body = self._json(response)
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus")
        if status:
            self.last_throttle = Throttle(
                float(status.get("maximumAvailable", 0)),
                float(status.get("currentlyAvailable", 0)),
                float(status.get("restoreRate", 0)) or 1.0,
            )
        errors = body.get("errors")
        if errors:
            codes = {((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)}
            message = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
            if "THROTTLED" in codes:
                raise RateLimited(f"Shopify throttled the query: {message}", self._throttle_wait(cost))
            if "ACCESS_DENIED" in codes:
                raise Unauthorized(f"Shopify denied access: {message}")
            if "INTERNAL_SERVER_ERROR" in codes:
                raise Transient(f"Shopify failed: {message}")
            raise Permanent(f"Shopify GraphQL error: {message}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise Permanent("Shopify's GraphQL response has no data")
        return data

    def _throttle_wait(self, cost: Mapping[str, Any]) -> float:
        """Seconds until the bucket holds what the query asked for."""
        throttle = self.last_throttle
        requested = float(cost.get("requestedQueryCost") or 0)
        if throttle is None:
            return 1.0
        missing = max(requested - throttle.available, 0.0)
        return max(missing / throttle.restore_rate, 1.0)

    # -- operations ----------------------------------------------------------------------------------

    @staticmethod
    def _user_errors(payload: Mapping[str, Any] | None, what: str) -> list[str]:
        errors = (payload or {}).get("userErrors") or []
        return [f"{'.'.join(e.get('field') or []) or what}: {e.get('message')}" for e in errors]

    def register_webhook(self, topic: str, uri: str) -> str | None:
        """Subscribe `topic` to `uri`; the subscription id, or None when it already exists (a re-install)."""
        data = self.graphql(
            queries.WEBHOOK_SUBSCRIPTION_CREATE,
            {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}},
        )
        result = data.get("webhookSubscriptionCreate") or {}
        errors = self._user_errors(result, topic)
        if errors:
            if all("already been taken" in e or "already exists" in e for e in errors):
                return None
            raise Permanent(f"webhook {topic} not registered: {'; '.join(errors)}")
        return ((result.get("webhookSubscription") or {}).get("id")) or None

    def create_fulfillment_event(self, event: Mapping[str, Any]) -> str:
        """Post a fulfillment event (GraphQL: the REST resource of the Python SDK refuses `delayed`)."""
        data = self.graphql(queries.FULFILLMENT_EVENT_CREATE, {"fulfillmentEvent": dict(event)})
        result = data.get("fulfillmentEventCreate") or {}
        errors = self._user_errors(result, "fulfillmentEvent")
        if errors:
            raise Permanent(f"fulfillment event refused: {'; '.join(errors)}")
        return str((result.get("fulfillmentEvent") or {}).get("id") or "")

    def add_order_tags(self, order_gid: str, tags: list[str]) -> str:
        data = self.graphql(queries.TAGS_ADD, {"id": order_gid, "tags": tags})
        result = data.get("tagsAdd") or {}
        errors = self._user_errors(result, "tags")
        if errors:
            raise Permanent(f"order tags refused: {'; '.join(errors)}")
        return str((result.get("node") or {}).get("id") or order_gid)

    def orders_updated_since(self, since: str, after: str | None = None, first: int = 50) -> dict[str, Any]:
        """One page of orders updated at or after `since` (ISO 8601), oldest first: {nodes, pageInfo}."""
        data = self.graphql(
            queries.ORDERS_UPDATED_SINCE, {"first": first, "after": after, "query": f"updated_at:>='{since}'"}
        )
        orders = data.get("orders")
        if not isinstance(orders, dict):
            raise Permanent("Shopify's orders query returned no orders connection")
        return orders

    def fulfillment_events(self, fulfillment_gid: str) -> list[dict[str, Any]]:
        """The latest events already on a fulfillment (to reconcile a retried post)."""
        data = self.graphql(queries.FULFILLMENT_EVENTS, {"id": fulfillment_gid})
        fulfillment = data.get("fulfillment")
        if fulfillment is None:
            raise NotFound(f"fulfillment {fulfillment_gid} not found")
        return list(((fulfillment.get("events") or {}).get("nodes")) or [])
