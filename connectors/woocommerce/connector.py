"""The WooCommerce store connector: implements core.ports.StoreConnector by delegating to schemas and mapping."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema

from connectors.payloads import checked_payload, loaded_payload
from connectors.woocommerce import mapping, schemas
from core.domain.events import Event
from core.ports import PayloadRejected

SCHEMAS: dict[str, Schema] = {
    **{topic: schemas.ORDER for topic in mapping.ORDER_TOPICS},
    mapping.DELETED_TOPIC: schemas.DELETED,
}

#: Keys only a full order body has. WooCommerce signs the body, not the topic header, so a captured order body
#: re-sent as `order.deleted` would otherwise close a live order.
ORDER_ONLY_KEYS = ("line_items", "status", "date_modified_gmt")


def schema_for(topic: str) -> Schema | None:
    return SCHEMAS.get(topic)


class WooCommerceConnector:
    platform = mapping.PLATFORM
    capabilities: frozenset[str] = frozenset({"webhooks", "wc_auth_install", "order_notes", "reconciliation"})
    topics = frozenset(SCHEMAS)

    def parse(self, topic: str, body: bytes, shop_domain: str | None = None) -> Mapping[str, Any]:
        """`shop_domain` is not compared with the body: an order body does not name its store, and the
        per-store webhook secret already ties a verified body to its store."""
        payload = checked_payload(topic, body, schema_for(topic))
        if topic == mapping.DELETED_TOPIC and any(key in payload for key in ORDER_ONLY_KEYS):
            raise PayloadRejected("body is a whole order, so it cannot be an order.deleted delivery")
        return payload

    def to_events(self, shop_domain: str, topic: str, payload: Mapping[str, Any]) -> Sequence[Event]:
        schema = schema_for(topic)
        if schema is None:
            return []
        return mapping.to_events(shop_domain, topic, loaded_payload(topic, payload, schema))
