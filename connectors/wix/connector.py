"""The Wix store connector: implements core.ports.StoreConnector by delegating to schemas and mapping.

Its `topic` is the webhook's `eventType` and its `body` the inner domain event as JSON: the webhook endpoint
verifies the JWT (verify.py) and stores only what was inside it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema

from connectors.payloads import checked_payload, loaded_payload
from connectors.wix import mapping, schemas
from core.domain.events import Event

SCHEMAS: dict[str, Schema] = {
    mapping.ORDER_CREATED: schemas.ORDER_CREATED,
    mapping.ORDER_APPROVED: schemas.ORDER_ACTION,
    mapping.ORDER_UPDATED: schemas.ORDER_UPDATED,
    mapping.ORDER_PAYMENT_STATUS_UPDATED: schemas.ORDER_ACTION,
    mapping.ORDER_CANCELED: schemas.ORDER_ACTION,
    mapping.FULFILLMENTS_UPDATED: schemas.FULFILLMENTS_UPDATED,
    mapping.LEGACY_FULFILLMENT_CREATED: schemas.LEGACY_FULFILLMENT_CREATED,
    mapping.LEGACY_FULFILLMENT_UPDATED: schemas.LEGACY_FULFILLMENT_UPDATED,
}


def schema_for(topic: str) -> Schema | None:
    return SCHEMAS.get(topic)


class WixConnector:
    platform = mapping.PLATFORM
    capabilities: frozenset[str] = frozenset({"webhooks", "signed_instance", "order_activities", "reconciliation"})
    topics = frozenset(SCHEMAS)

    def parse(self, topic: str, body: bytes, shop_domain: str | None = None) -> Mapping[str, Any]:
        """`shop_domain` (the app instance id) is not compared with the body: no Wix event names its site inside
        the domain event, and the JWT already binds the instance, the event type and the event together."""
        payload = checked_payload(topic, body, schema_for(topic))
        return payload

    def to_events(self, shop_domain: str, topic: str, payload: Mapping[str, Any]) -> Sequence[Event]:
        schema = schema_for(topic)
        if schema is None:
            return []
        return mapping.to_events(shop_domain, topic, loaded_payload(topic, payload, schema))
