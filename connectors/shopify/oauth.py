"""Shopify install (OAuth authorization-code grant) and app-load checks, pure.

The query HMAC follows Shopify's rules exactly as its Python library computes them
(shopify.Session.calculate_hmac, which keeps the secret in class state; this takes it as an
argument so a rotation can try two): every parameter but `hmac`, `%`/`=`/`&` escaped, `ids[]`
values as a JSON list, sorted, joined with `&`, hex HMAC-SHA256 with the app secret.
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from connectors.shopify.verify import valid_shop_domain

#: How old (or how far in the future) a signed request's timestamp may be.
TIMESTAMP_TOLERANCE = timedelta(minutes=10)

QueryParams = Mapping[str, str | Sequence[str]]


def _pairs(params: QueryParams) -> Iterable[str]:
    for key, value in params.items():
        if key in ("hmac", "signature"):
            continue
        if key.endswith("[]"):
            key = key[:-2]
            value = json.dumps([str(v) for v in (value if isinstance(value, (list, tuple)) else [value])])
        elif isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        key = str(key).replace("%", "%25").replace("=", "%3D")
        value = str(value).replace("%", "%25")
        yield f"{key}={value}".replace("&", "%26")


def query_hmac(params: QueryParams, secret: str) -> str:
    message = "&".join(sorted(_pairs(params)))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def valid_query_hmac(params: QueryParams, secrets: Iterable[str]) -> bool:
    given = params.get("hmac")
    if not isinstance(given, str) or not given:
        return False
    ok = False
    for secret in secrets:
        if secret:
            ok |= hmac.compare_digest(query_hmac(params, secret).encode(), given.encode())
    return ok


def fresh(timestamp: str | None, now: datetime) -> bool:
    try:
        signed = datetime.fromtimestamp(int(timestamp or ""), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(now - signed) <= TIMESTAMP_TOLERANCE


class InvalidRequest(ValueError):
    """A request that claims to come from Shopify and does not check out; the message says why."""


def check_signed_request(params: QueryParams, secrets: Iterable[str], now: datetime) -> str:
    """The shop of a signed install/app-load request, or InvalidRequest. Checks HMAC, shop and timestamp."""
    shop = params.get("shop")
    if not isinstance(shop, str) or not valid_shop_domain(shop.lower()):
        raise InvalidRequest("the shop parameter is not a *.myshopify.com domain")
    if not valid_query_hmac(params, secrets):
        raise InvalidRequest("the request's hmac does not match")
    timestamp = params.get("timestamp")
    if not fresh(timestamp if isinstance(timestamp, str) else None, now):
        raise InvalidRequest("the request's timestamp is too old or in the future")
    return shop.lower()


def authorize_url(shop: str, api_key: str, scopes: str, redirect_uri: str, state: str) -> str:
    """Where the merchant approves the app (offline access: no `grant_options[]`)."""
    query = urlencode({"client_id": api_key, "scope": scopes, "redirect_uri": redirect_uri, "state": state})
    return f"https://{shop}/admin/oauth/authorize?{query}"


def embedded_app_url(shop: str, api_key: str) -> str:
    """The app inside the merchant's Shopify admin."""
    return f"https://{shop}/admin/apps/{api_key}"
