"""Marshmallow schemas for the WooCommerce webhook bodies Forewarn reads.

An `order.*` webhook body is the REST v3 order exactly as `GET /wc/v3/orders/<id>` returns it
(`WC_Webhook::get_wp_api_payload`); an `order.deleted` body is only `{"id": <id>}` (`WC_Webhook::build_payload`).
Unknown fields are dropped; what the mapping needs is required, so a body without it is rejected with a reason.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields


class WooId(fields.Field):
    """WooCommerce ids are positive integers (a filter may send them as strings); we keep them as strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not text.isdigit():
            raise ValidationError("must be an integer id")
        return text


class GmtDateTime(fields.Field):
    """The `*_gmt` dates: ISO 8601 in UTC without an offset ("2017-03-22T19:28:08"); returned aware, in UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError("must be an ISO 8601 date and time")
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("must be an ISO 8601 date and time") from None
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


class Base(Schema):
    class Meta:
        unknown = EXCLUDE


class AddressSchema(Base):
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    email = fields.String(allow_none=True)  # billing only
    phone = fields.String(allow_none=True)  # billing; shipping too since WooCommerce 5.6


class MetaSchema(Base):
    id = fields.Integer(allow_none=True)
    key = fields.String(allow_none=True)
    value = fields.Raw(allow_none=True)  # any JSON: plugins store lists and objects here


class LineItemSchema(Base):
    id = WooId(required=True)
    name = fields.String(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    variation_id = fields.Integer(allow_none=True)
    quantity = fields.Integer(required=True)
    sku = fields.String(allow_none=True)


class ShippingLineSchema(Base):
    id = WooId(allow_none=True)
    method_id = fields.String(allow_none=True)
    method_title = fields.String(allow_none=True)


class OrderSchema(Base):
    id = WooId(required=True)
    number = fields.String(allow_none=True)
    status = fields.String(required=True)
    currency = fields.String(allow_none=True)
    total = fields.Decimal(allow_none=True, as_string=False)
    date_created_gmt = GmtDateTime(allow_none=True)
    date_modified_gmt = GmtDateTime(required=True)
    date_paid_gmt = GmtDateTime(allow_none=True)
    date_completed_gmt = GmtDateTime(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    customer_note = fields.String(allow_none=True)
    billing = fields.Nested(AddressSchema, allow_none=True)
    shipping = fields.Nested(AddressSchema, allow_none=True)
    line_items = fields.List(fields.Nested(LineItemSchema), required=True)
    shipping_lines = fields.List(fields.Nested(ShippingLineSchema), load_default=list)
    refunds = fields.List(fields.Raw(), load_default=list)
    meta_data = fields.List(fields.Nested(MetaSchema), load_default=list)
    #: Polylang for WooCommerce registers a `lang` REST field on orders (a language slug, or false).
    lang = fields.Raw(allow_none=True)


class DeletedSchema(Base):
    id = WooId(required=True)


ORDER = OrderSchema()
DELETED = DeletedSchema()
