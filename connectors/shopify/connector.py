"""The Shopify store connector: implements core.ports.StoreConnector by delegating to schemas and mapping."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema

from connectors.payloads import checked_payload, loaded_payload
from connectors.shopify import mapping, schemas
from core.domain.events import Event
from core.ports import PayloadRejected

SCHEMAS: dict[str, Schema] = {
    **{topic: schemas.ORDER for topic in mapping.ORDER_TOPICS},
    **{topic: schemas.FULFILLMENT for topic in mapping.FULFILLMENT_TOPICS},
    "app/uninstalled": schemas.APP_UNINSTALLED,
    "customers/data_request": schemas.DATA_REQUEST,
    "customers/redact": schemas.CUSTOMERS_REDACT,
    "shop/redact": schemas.SHOP_REDACT,
}


def schema_for(topic: str) -> Schema | None:
    return SCHEMAS.get(topic)


#: Keys that only other resources' bodies carry: a signed order or fulfillment body re-sent under a
#: lifecycle topic is refused (the HMAC covers the body, not the topic header).
FOREIGN_KEYS = {"app/uninstalled": ("line_items", "order_id", "customer", "shop_id")}


def check_body_matches_headers(topic: str, payload: Mapping[str, Any], shop_domain: str) -> None:
    """Shopify signs the body only; where the body itself says which shop (or what) it is, it must agree
    with the unsigned headers, so a valid body cannot be replayed against another shop or topic."""
    named = payload.get("shop_domain") if topic in mapping.LIFECYCLE_TOPICS else None
    if topic == "app/uninstalled":
        named = payload.get("myshopify_domain")
        if any(key in payload for key in FOREIGN_KEYS[topic]):
            raise PayloadRejected("body is not a shop resource, so it cannot be an app/uninstalled delivery")
    if isinstance(named, str) and named and named.lower() != shop_domain:
        raise PayloadRejected(f"body is for shop {named!r} but the header says {shop_domain!r}")


class ShopifyConnector:
    platform = mapping.PLATFORM
    capabilities: frozenset[str] = frozenset(
        {"webhooks", "oauth_install", "session_tokens", "fulfillment_events", "order_tags", "reconciliation"}
    )
    topics = frozenset(SCHEMAS)

    def parse(self, topic: str, body: bytes, shop_domain: str | None = None) -> Mapping[str, Any]:
        payload = checked_payload(topic, body, schema_for(topic))
        if shop_domain is not None:
            check_body_matches_headers(topic, payload, shop_domain)
        return payload

    def to_events(self, shop_domain: str, topic: str, payload: Mapping[str, Any]) -> Sequence[Event]:
        schema = schema_for(topic)
        if schema is None:
            return []
        return mapping.to_events(shop_domain, topic, loaded_payload(topic, payload, schema))
