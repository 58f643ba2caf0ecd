"""Marshmallow schemas for the Wix events Forewarn reads: the inner domain event of each webhook (what
connectors/wix/verify.py unwraps from the JWT), not the JWT itself.

Field names are Wix's own: the eCom v1 Order and its Order With Fulfillments object, and the domain-event
shapes `createdEvent.entity`, `updatedEvent.currentEntity` and `actionEvent.body` (Wix's REST reference, whose
source is wix-incubator/wix-rest-docs `all/all-apis/orders.service.json` and `order-fulfillments.service.json`),
and the legacy Stores fulfillment events (`stores-orders.service.json`). Unknown fields are dropped; what the
mapping needs is required, so a body without it is rejected with a readable reason.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from connectors.wix.verify import parse_time


class WixId(fields.Field):
    """Wix ids are GUID strings. Kept as trimmed strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not text:
            raise ValidationError("must be a non-empty string id")
        return text


class IsoDateTime(fields.Field):
    """ISO 8601 times as Wix writes them ("2022-12-21T13:30:36.798Z"); returned aware, in UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = parse_time(value)
        if parsed is None:
            raise ValidationError("must be an ISO 8601 date and time")
        return parsed


class Base(Schema):
    class Meta:
        unknown = EXCLUDE


# -- the eCom v1 Order ----------------------------------------------------------------------------------------


class MoneySchema(Base):
    amount = fields.Decimal(allow_none=True, as_string=False)
    formattedAmount = fields.String(allow_none=True)


class AddressSchema(Base):
    country = fields.String(allow_none=True)  # ISO 3166-1 alpha-2
    subdivision = fields.String(allow_none=True)  # ISO 3166-2, "US-NY"
    city = fields.String(allow_none=True)
    postalCode = fields.String(allow_none=True)


class ContactDetailsSchema(Base):
    firstName = fields.String(allow_none=True)
    lastName = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    company = fields.String(allow_none=True)


class AddressWithContactSchema(Base):
    address = fields.Nested(AddressSchema, allow_none=True)
    contactDetails = fields.Nested(ContactDetailsSchema, allow_none=True)


class LogisticsSchema(Base):
    shippingDestination = fields.Nested(AddressWithContactSchema, allow_none=True)
    deliveryTime = fields.String(allow_none=True)


class ShippingInfoSchema(Base):
    title = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    logistics = fields.Nested(LogisticsSchema, allow_none=True)


class ProductNameSchema(Base):
    original = fields.String(allow_none=True)
    translated = fields.String(allow_none=True)


class PhysicalPropertiesSchema(Base):
    sku = fields.String(allow_none=True)
    shippable = fields.Boolean(allow_none=True)


class ItemTypeSchema(Base):
    preset = fields.String(allow_none=True)  # PHYSICAL, DIGITAL, GIFT_CARD, SERVICE, …
    custom = fields.String(allow_none=True)


class CatalogReferenceSchema(Base):
    catalogItemId = fields.String(allow_none=True)
    appId = fields.String(allow_none=True)


class LineItemSchema(Base):
    id = WixId(required=True)
    productName = fields.Nested(ProductNameSchema, allow_none=True)
    quantity = fields.Integer(required=True)
    physicalProperties = fields.Nested(PhysicalPropertiesSchema, allow_none=True)
    itemType = fields.Nested(ItemTypeSchema, allow_none=True)
    catalogReference = fields.Nested(CatalogReferenceSchema, allow_none=True)


class BuyerInfoSchema(Base):
    email = fields.String(allow_none=True)
    contactId = fields.String(allow_none=True)
    memberId = fields.String(allow_none=True)
    visitorId = fields.String(allow_none=True)


class PriceSummarySchema(Base):
    total = fields.Nested(MoneySchema, allow_none=True)
    totalPrice = fields.Nested(MoneySchema, allow_none=True)  # deprecated for `total`, still sent
    subtotal = fields.Nested(MoneySchema, allow_none=True)
    shipping = fields.Nested(MoneySchema, allow_none=True)


class ActivitySchema(Base):
    type = fields.String(allow_none=True)
    createdDate = IsoDateTime(allow_none=True)


class OrderSchema(Base):
    id = WixId(required=True)
    number = fields.Raw(allow_none=True)  # a string ("10002"); an integer in legacy Stores orders
    createdDate = IsoDateTime(allow_none=True)
    updatedDate = IsoDateTime(required=True)
    status = fields.String(allow_none=True)  # INITIALIZED, APPROVED, CANCELED
    paymentStatus = fields.String(allow_none=True)
    fulfillmentStatus = fields.String(allow_none=True)
    buyerInfo = fields.Nested(BuyerInfoSchema, allow_none=True)
    buyerLanguage = fields.String(allow_none=True)
    billingInfo = fields.Nested(AddressWithContactSchema, allow_none=True)
    recipientInfo = fields.Nested(AddressWithContactSchema, allow_none=True)  # newer orders
    shippingInfo = fields.Nested(ShippingInfoSchema, allow_none=True)
    lineItems = fields.List(fields.Nested(LineItemSchema), required=True)
    priceSummary = fields.Nested(PriceSummarySchema, allow_none=True)
    currency = fields.String(allow_none=True)
    activities = fields.List(fields.Nested(ActivitySchema), load_default=list)


# -- domain-event shapes ------------------------------------------------------------------------------------


class DomainEventSchema(Base):
    id = fields.String(allow_none=True)
    entityFqdn = fields.String(allow_none=True)
    slug = fields.String(allow_none=True)
    entityId = fields.String(allow_none=True)
    eventTime = IsoDateTime(allow_none=True)


class CreatedOrderSchema(Base):
    entity = fields.Nested(OrderSchema, required=True)


class OrderCreatedEventSchema(DomainEventSchema):
    createdEvent = fields.Nested(CreatedOrderSchema, required=True)


class UpdatedOrderSchema(Base):
    currentEntity = fields.Nested(OrderSchema, required=True)


class OrderUpdatedEventSchema(DomainEventSchema):
    updatedEvent = fields.Nested(UpdatedOrderSchema, required=True)


class OrderActionBodySchema(Base):
    order = fields.Nested(OrderSchema, required=True)


class OrderActionSchema(Base):
    body = fields.Nested(OrderActionBodySchema, required=True)


class OrderActionEventSchema(DomainEventSchema):
    """Order Approved, Payment Status Updated and Order Canceled carry the whole order in `actionEvent.body`."""

    actionEvent = fields.Nested(OrderActionSchema, required=True)


# -- fulfillments ---------------------------------------------------------------------------------------------


class TrackingInfoSchema(Base):
    trackingNumber = fields.String(allow_none=True)
    shippingProvider = fields.String(allow_none=True)
    trackingLink = fields.String(allow_none=True)


class FulfillmentLineItemSchema(Base):
    id = WixId(required=True)  # mirrors the order line item's id
    quantity = fields.Integer(required=True)


class FulfillmentSchema(Base):
    id = WixId(required=True)
    createdDate = IsoDateTime(allow_none=True)
    lineItems = fields.List(fields.Nested(FulfillmentLineItemSchema), load_default=list)
    trackingInfo = fields.Nested(TrackingInfoSchema, allow_none=True)
    status = fields.String(allow_none=True)
    completed = fields.Boolean(allow_none=True)


class OrderWithFulfillmentsSchema(Base):
    orderId = WixId(required=True)
    fulfillments = fields.List(fields.Nested(FulfillmentSchema), load_default=list)


class UpdatedFulfillmentsSchema(Base):
    currentEntity = fields.Nested(OrderWithFulfillmentsSchema, required=True)


class FulfillmentsUpdatedEventSchema(DomainEventSchema):
    updatedEvent = fields.Nested(UpdatedFulfillmentsSchema, required=True)


class LegacyFulfillmentCreatedSchema(Base):
    orderId = WixId(required=True)
    fulfillmentId = WixId(required=True)
    dateCreated = IsoDateTime(allow_none=True)
    fulfillmentStatus = fields.String(allow_none=True)  # the order's, after this fulfillment
    trackingInfo = fields.Nested(TrackingInfoSchema, allow_none=True)


class LegacyFulfillmentUpdatedSchema(Base):
    orderId = WixId(required=True)
    fulfillmentId = WixId(required=True)
    trackingInfo = fields.Nested(TrackingInfoSchema, allow_none=True)


ORDER_CREATED = OrderCreatedEventSchema()
ORDER_UPDATED = OrderUpdatedEventSchema()
ORDER_ACTION = OrderActionEventSchema()
FULFILLMENTS_UPDATED = FulfillmentsUpdatedEventSchema()
LEGACY_FULFILLMENT_CREATED = LegacyFulfillmentCreatedSchema()
LEGACY_FULFILLMENT_UPDATED = LegacyFulfillmentUpdatedSchema()
