"""Marshmallow schemas for the Shopify webhook bodies Forewarn reads. Unknown fields are dropped;
what the mapping needs is required, so a body without it is rejected with a readable reason."""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields


class PlatformId(fields.Field):
    """Shopify ids are 64-bit integers (sometimes sent as strings); we keep them as strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value).strip() == "":
            raise ValidationError("must be an integer or string id")
        return str(value).strip()


class Base(Schema):
    class Meta:
        unknown = EXCLUDE


class AddressSchema(Base):
    name = fields.String(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    province_code = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    zip = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)


class CustomerSchema(Base):
    id = PlatformId(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)


class LineItemSchema(Base):
    id = PlatformId(required=True)
    title = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    sku = fields.String(allow_none=True)
    quantity = fields.Integer(required=True)
    requires_shipping = fields.Boolean(load_default=True, allow_none=True)


class FulfillmentSchema(Base):
    id = PlatformId(required=True)
    order_id = PlatformId(required=True)
    name = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    service = fields.String(allow_none=True)
    shipment_status = fields.String(allow_none=True)
    tracking_company = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    tracking_numbers = fields.List(fields.String(), allow_none=True)
    tracking_url = fields.String(allow_none=True)
    tracking_urls = fields.List(fields.String(), allow_none=True)
    line_items = fields.List(fields.Nested(LineItemSchema), load_default=list)
    destination = fields.Nested(AddressSchema, allow_none=True)
    created_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class OrderSchema(Base):
    id = PlatformId(required=True)
    name = fields.String(required=True)
    order_number = PlatformId(allow_none=True)
    email = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    customer_locale = fields.String(allow_none=True)
    customer = fields.Nested(CustomerSchema, allow_none=True)
    shipping_address = fields.Nested(AddressSchema, allow_none=True)
    line_items = fields.List(fields.Nested(LineItemSchema), required=True)
    fulfillments = fields.List(fields.Nested(FulfillmentSchema), load_default=list)
    currency = fields.String(allow_none=True)
    total_price = fields.Decimal(allow_none=True, as_string=False)
    financial_status = fields.String(allow_none=True)
    fulfillment_status = fields.String(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)
    order_status_url = fields.String(allow_none=True)


ORDER = OrderSchema()
FULFILLMENT = FulfillmentSchema()


class ComplianceCustomerSchema(Base):
    id = PlatformId(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class CustomersDataRequestSchema(Base):
    shop_id = PlatformId(required=True)
    shop_domain = fields.String(allow_none=True)
    customer = fields.Nested(ComplianceCustomerSchema, required=True)
    orders_requested = fields.List(PlatformId(), load_default=list)


class CustomersRedactSchema(Base):
    shop_id = PlatformId(required=True)
    shop_domain = fields.String(allow_none=True)
    customer = fields.Nested(ComplianceCustomerSchema, required=True)
    orders_to_redact = fields.List(PlatformId(), load_default=list)


class ShopRedactSchema(Base):
    shop_id = PlatformId(required=True)
    shop_domain = fields.String(allow_none=True)


class AppUninstalledSchema(Base):
    id = PlatformId(required=True)


DATA_REQUEST = CustomersDataRequestSchema()
CUSTOMERS_REDACT = CustomersRedactSchema()
SHOP_REDACT = ShopRedactSchema()
APP_UNINSTALLED = AppUninstalledSchema()
