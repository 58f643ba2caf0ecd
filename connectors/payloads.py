"""Decoding a verified webhook body, and marshmallow's errors as one readable line: shared by the store
connectors so that every platform rejects a body it cannot use in the same words."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from connectors.schema_check import missing_required
from core.ports import MissingFields, PayloadRejected


def describe(errors: Any, prefix: str = "") -> str:
    """Marshmallow's nested error dict as one line: 'line_items.0.quantity: Missing data for required field.'"""
    if isinstance(errors, Mapping):
        return "; ".join(describe(v, f"{prefix}{k}.") for k, v in errors.items())
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return f"{prefix.rstrip('.')}: {' '.join(errors)}"
    return f"{prefix.rstrip('.')}: {errors}"


def decode_json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadRejected(f"body is not valid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise PayloadRejected("body is JSON but not an object")
    return payload


def checked_payload(topic: str, body: bytes, schema: Schema | None) -> dict[str, Any]:
    """A verified body decoded, with what the topic's schema cannot do without (MissingFields: a 422)."""
    payload = decode_json_object(body)
    if schema is not None and (missing := missing_required(schema, payload)):
        raise MissingFields(f"{topic} body is missing required fields: {', '.join(missing)}")
    return payload


def loaded_payload(topic: str, payload: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """The payload through the topic's schema; invalid fields named in one line (PayloadRejected)."""
    try:
        return schema.load(payload)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise PayloadRejected(f"{topic} body has invalid fields: {describe(exc.messages)}") from None
