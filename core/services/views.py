"""Read models: orders and shipments as plain dicts, for the CLI, the admin page and (later) the JSON API."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.domain.model import Order, Shipment


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def shipment_view(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "name": shipment.name,
        "platform_fulfillment_id": shipment.platform_fulfillment_id,
        "tracking_number": shipment.tracking_number or None,
        "carrier": shipment.carrier,
        "carrier_raw": shipment.carrier_raw,
        "service": shipment.service,
        "tracking_url": shipment.tracking_url,
        "status": shipment.status,
        "substatus": shipment.substatus,
        "platform_status": shipment.platform_status,
        "superseded": shipment.superseded,
        "items": _plain(shipment.items),
        "destination": _plain(shipment.destination),
        "shipped_at": _plain(shipment.shipped_at),
        "next_check_at": _plain(shipment.next_check_at),
    }


def order_view(order: Order, shipments: Sequence[Shipment]) -> dict[str, Any]:
    return {
        "id": order.id,
        "platform_order_id": order.platform_order_id,
        "name": order.name,
        "placeholder": order.placeholder,
        "status": order.status,
        "placed_at": _plain(order.placed_at),
        "customer": {
            "name": order.customer_name,
            "email": order.email,
            "phone": order.phone,
            "locale": order.locale,
        },
        "shipping_address": _plain(order.shipping_address),
        "line_items": _plain(order.line_items),
        "total_price": _plain(order.total_price),
        "currency": order.currency,
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "cancelled_at": _plain(order.cancelled_at),
        "shipments": [shipment_view(s) for s in shipments],
    }
