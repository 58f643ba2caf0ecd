"""Shopify request verification (pure).

Webhooks: `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(app client secret, raw body)), compared in
constant time on the bytes before any JSON parsing (https://shopify.dev/docs/apps/build/webhooks/subscribe/https).
Shopify's newer deliveries and its Events product send the same headers without the `X-` prefix,
and HTTP/2 lowercases them, so both spellings are read case-insensitively.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Shopify's own rule (shopify.utils.shop_url) without its habit of appending the suffix for us.
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


@dataclass(frozen=True)
class WebhookHeaders:
    topic: str | None
    hmac: str | None
    shop_domain: str | None
    webhook_id: str | None
    event_id: str | None
    triggered_at: str | None
    api_version: str | None


def _header(lowered: Mapping[str, str], name: str) -> str | None:
    value = lowered.get(f"x-shopify-{name}")
    if value is None:
        value = lowered.get(f"shopify-{name}")
    return value.strip() if value is not None else None


def webhook_headers(headers: Mapping[str, str]) -> WebhookHeaders:
    lowered = {k.lower(): v for k, v in headers.items() if "shopify-" in k.lower()}
    return WebhookHeaders(
        topic=_header(lowered, "topic"),
        hmac=_header(lowered, "hmac-sha256"),
        shop_domain=(_header(lowered, "shop-domain") or "").lower() or None,
        webhook_id=_header(lowered, "webhook-id"),
        event_id=_header(lowered, "event-id"),
        triggered_at=_header(lowered, "triggered-at"),
        api_version=_header(lowered, "api-version"),
    )


def webhook_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def valid_webhook(body: bytes, signature: str | None, secrets: Iterable[str]) -> bool:
    """True when `signature` is the body's HMAC under any of `secrets` (current, then the one being rotated out)."""
    if not signature:
        return False
    given = signature.encode()
    ok = False
    for secret in secrets:
        if secret:
            ok |= hmac.compare_digest(webhook_signature(secret, body).encode(), given)
    return ok


def valid_shop_domain(domain: str | None) -> bool:
    return bool(domain) and len(domain) <= 255 and SHOP_DOMAIN.match(domain) is not None
