"""A fast presence check of a marshmallow schema's required fields, for the webhook request path.

Full validation (types, nested values) runs in the ingest job; the request only has to answer within
milliseconds whether a body misses something the mapping cannot do without. The required fields come
from the same schema, so the two checks cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields


def missing_required(schema: Schema, payload: Mapping[str, Any], path: str = "") -> list[str]:
    """Paths of required fields that are absent or null, descending into nested objects and lists of them."""
    missing: list[str] = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        value = payload.get(key)
        if value is None:
            if field.required:
                missing.append(f"{path}{key}")
            continue
        nested, many = _nested(field)
        if nested is None:
            continue
        items = value if many and isinstance(value, list) else [value] if not many else []
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                prefix = f"{path}{key}.{index}." if many else f"{path}{key}."
                missing += missing_required(nested, item, prefix)
    return missing


def _nested(field: fields.Field) -> tuple[Schema | None, bool]:
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        return field.schema, bool(field.many)
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        return field.inner.schema, True
    return None, False
