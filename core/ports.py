"""The ports every connector implements, and the plain data they hand to the core.

A store connector turns a platform's webhook body into events carrying these DTOs; the core never
sees a platform payload. DTOs are frozen: a mapping produces them, a handler reads them. Addresses and
items are the domain's own value objects (core/domain/values.py), handed over as they are.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from core.domain.events import Event
from core.domain.values import Address, LineItem, ShipmentItem


@dataclass(frozen=True)
class CustomerData:
    platform_customer_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None

    @property
    def name(self) -> str | None:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or None


@dataclass(frozen=True)
class OrderData:
    platform_order_id: str
    name: str
    updated_at: datetime | None
    placed_at: datetime | None = None
    number: str | None = None
    customer: CustomerData = field(default_factory=CustomerData)
    shipping_address: Address | None = None
    line_items: tuple[LineItem, ...] = ()
    currency: str | None = None
    total_price: Decimal | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    status_url: str | None = None


@dataclass(frozen=True)
class FulfillmentData:
    """One platform fulfillment: a set of items sent together, with zero or more tracking numbers.

    The core keeps one Shipment per tracking number (each parcel is tracked on its own).
    """

    platform_fulfillment_id: str
    platform_order_id: str
    updated_at: datetime | None
    name: str | None = None
    status: str | None = None  # the platform's fulfillment status (pending/open/success/cancelled/…)
    shipment_status: str | None = None  # the platform's last known parcel state, raw
    tracking_numbers: tuple[str, ...] = ()
    tracking_urls: tuple[str, ...] = ()
    carrier: str | None = None  # our carrier code (ups, fedex, usps, dhl_express, …)
    carrier_raw: str | None = None  # the platform's string, kept as given
    service: str | None = None
    items: tuple[ShipmentItem, ...] = ()
    destination: Address | None = None
    created_at: datetime | None = None


class PayloadRejected(ValueError):
    """A webhook body that verified but cannot be used: not JSON, or not what the mapping needs."""


class MissingFields(PayloadRejected):
    """Valid JSON that lacks fields the mapping cannot do without (answered 422 rather than 400)."""


class StoreConnector(Protocol):
    """What every store platform implements. Pure parts only; its client does the I/O."""

    platform: str
    capabilities: frozenset[str]
    topics: frozenset[str]

    def parse(self, topic: str, body: bytes, shop_domain: str | None = None) -> Mapping[str, Any]:
        """Decode a verified body and check that what the mapping needs is there — fast, it runs inside
        the webhook request; raise PayloadRejected with a reason a person can read. With `shop_domain`
        (from unsigned headers), also check that a body naming its shop names that one."""

    def to_events(self, shop_domain: str, topic: str, payload: Mapping[str, Any]) -> Sequence[Event]:
        """Validate a parsed payload fully and map it to core events (pure; raises PayloadRejected)."""


# -- carrier tracking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanEvent:
    """One carrier scan, with its time in UTC (carriers' local times corrected with their offsets)."""

    occurred_at: datetime | None
    status: str
    substatus: str | None
    code: str | None  # the carrier's raw event code
    description: str
    location: str | None = None


@dataclass(frozen=True)
class TrackingSnapshot:
    """What a carrier says about one parcel now, in Forewarn's vocabulary, with the raw codes behind it."""

    carrier: str
    tracking_number: str
    status: str
    substatus: str | None
    events: tuple[ScanEvent, ...]  # newest first
    estimated_delivery: datetime | None = None
    delivered_at: datetime | None = None
    signed_by: str | None = None
    #: The carrier itself says the parcel is late (FedEx delayDetail / "Running Late", UPS moved EDD, …).
    running_late: bool = False
    service: str | None = None
    #: Raw codes no table knew: mapped to `unknown`, logged and counted.
    unknown_codes: tuple[str, ...] = ()

    @property
    def last_event_at(self) -> datetime | None:
        return next((e.occurred_at for e in self.events if e.occurred_at), None)


class TrackingProvider(Protocol):
    """Fetches one parcel's tracking. Raises core.errors: NotFound, Unauthorized, RateLimited, Transient, Permanent."""

    name: str

    def track(self, carrier: str, tracking_number: str) -> TrackingSnapshot: ...



# -- helpdesks ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketDraft:
    external_id: str  # Forewarn's case, so a retried create finds the ticket it already made
    subject: str
    body: str
    requester_name: str | None
    requester_email: str | None
    order_name: str
    tags: tuple[str, ...] = ()
    priority: str = "normal"  # urgent | high | normal


class Helpdesk(Protocol):
    """A merchant's helpdesk. Raises core.errors: Unauthorized, RateLimited, Transient, Permanent."""

    name: str

    def check(self) -> None: ...

    def find_by_external_id(self, external_id: str) -> str | None: ...

    def find_open_ticket(self, requester_email: str, order_name: str) -> str | None: ...

    def create_ticket(self, draft: TicketDraft) -> str: ...

    def complete(self, ticket_id: str, draft: TicketDraft) -> None:
        """Finish a ticket that a create made before a crash and a retry found by its external id: whatever
        create does after the ticket exists (a body note, a priority) is made sure of, never doubled."""

    def add_note(self, ticket_id: str, body: str) -> None: ...

    def retitle(self, ticket_id: str, subject: str, priority: str) -> None: ...

    def reopen(self, ticket_id: str, body: str) -> None: ...

    def solve(self, ticket_id: str, body: str) -> None: ...
