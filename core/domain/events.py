"""Past-tense events. Inbound ones carry what a platform told us; outbound ones say what the core did.

Every event is a frozen dataclass so that it can be logged, compared and replayed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # DTOs live beside the ports; events only refer to them
    from core.ports import FulfillmentData, OrderData


class Event:
    """Marker base class for everything the message bus carries."""


# -- inbound: a store platform reported something -------------------------------------------------


@dataclass(frozen=True)
class OrderPlaced(Event):
    platform: str
    shop_domain: str
    order: OrderData


@dataclass(frozen=True)
class OrderUpdated(Event):
    platform: str
    shop_domain: str
    order: OrderData


@dataclass(frozen=True)
class OrderCancelled(Event):
    platform: str
    shop_domain: str
    order: OrderData


@dataclass(frozen=True)
class OrderDeleted(Event):
    """The platform deleted the order (WooCommerce's `order.deleted` carries only its id): it is closed as
    cancelled, and what Forewarn knew of it is kept as it was."""

    platform: str
    shop_domain: str
    platform_order_id: str


@dataclass(frozen=True)
class ShipmentCreated(Event):
    platform: str
    shop_domain: str
    fulfillment: FulfillmentData


@dataclass(frozen=True)
class ShipmentUpdated(Event):
    platform: str
    shop_domain: str
    fulfillment: FulfillmentData


# -- outbound: the core changed its state -----------------------------------------------------------


@dataclass(frozen=True)
class OrderRecorded(Event):
    shop_id: int
    order_id: int
    created: bool


@dataclass(frozen=True)
class ShipmentRecorded(Event):
    shop_id: int
    order_id: int
    shipment_id: int
    tracking_number: str | None
    carrier: str | None
    created: bool


@dataclass(frozen=True)
class ShipmentSuperseded(Event):
    """The platform no longer lists this parcel's tracking number on its fulfillment."""

    shop_id: int
    shipment_id: int


# -- inbound: lifecycle and privacy requests from a platform -----------------------------------------


@dataclass(frozen=True)
class ShopAuthorized(Event):
    """The merchant installed (or re-installed) the app and we hold a new access token, already encrypted."""

    platform: str
    shop_domain: str
    token_ciphertext: str
    scopes: str | None

    def __repr__(self) -> str:  # never print the token, even encrypted
        return f"ShopAuthorized(platform={self.platform!r}, shop_domain={self.shop_domain!r})"


@dataclass(frozen=True)
class AppUninstalled(Event):
    platform: str
    shop_domain: str


@dataclass(frozen=True)
class CustomerDataRequested(Event):
    platform: str
    shop_domain: str
    platform_customer_id: str | None
    email: str | None
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class CustomerRedactRequested(Event):
    platform: str
    shop_domain: str
    platform_customer_id: str | None
    email: str | None
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class ShopRedactRequested(Event):
    platform: str
    shop_domain: str


# -- outbound: installations and parcels ---------------------------------------------------------------


@dataclass(frozen=True)
class ShopInstalled(Event):
    shop_id: int


@dataclass(frozen=True)
class ShipmentStatusChanged(Event):
    """A parcel's lifecycle status changed. `source` says who told us: the platform itself, or a carrier."""

    shop_id: int
    order_id: int
    shipment_id: int
    status: str
    substatus: str | None
    source: str  # platform | carrier
    happened_at: datetime | None = None


@dataclass(frozen=True)
class WriteBackPlanned(Event):
    write_back_id: int


# -- inbound: what a carrier said ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingObserved(Event):
    shipment_id: int
    snapshot: object  # core.ports.TrackingSnapshot (kept loose here to avoid an import cycle)
    provider: str
    via: str = "poll"  # poll | push


@dataclass(frozen=True)
class TrackingFailed(Event):
    shipment_id: int
    provider: str
    outcome: str  # not_found | unauthorized | rate_limited | transient | invalid | quota | no_account
    error: str
    retry_after: float | None = None


# -- outbound: detection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderNeedsEvaluation(Event):
    order_id: int


@dataclass(frozen=True)
class IncidentEvent(Event):
    incident_id: int
    shop_id: int
    order_id: int
    shipment_id: int | None
    kind: str
    reason: str


@dataclass(frozen=True)
class IncidentOpened(IncidentEvent):
    """`reason` says why it opened."""


@dataclass(frozen=True)
class IncidentCleared(IncidentEvent):
    """`reason` says why it cleared."""


@dataclass(frozen=True)
class ClusterOpened(Event):
    cluster_id: int
    shop_id: int
    carrier: str
    kind: str
    place: str
    size: int
    summary: str


# -- inbound: a customer reported a problem ------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemReported(Event):
    """From the public problem-report page: `kind` is one of core/domain/reports.py KINDS; `photos` are
    (file name, content type, bytes), already checked to be images of an allowed size."""

    shop_id: int
    order_id: int
    kind: str
    details: str
    locale: str | None
    photos: tuple[tuple[str, str, bytes], ...] = ()


# -- outbound: cases -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEvent(Event):
    case_id: int
    shop_id: int
    order_id: int


@dataclass(frozen=True)
class CaseOpened(CaseEvent):
    problem: str


@dataclass(frozen=True)
class CaseReopened(CaseEvent):
    """The problem came back: the same case, open again."""


@dataclass(frozen=True)
class CaseUpdated(CaseEvent):
    """Something the team should see happened on an open case: another problem joined it, or one cleared."""


@dataclass(frozen=True)
class CaseResolved(CaseEvent):
    """No problem left and every parcel delivered."""


# -- customer messages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessagePlanned(Event):
    """A customer message was recorded; its sending starts after commit (at `send_at` when it has one)."""

    message_id: int
    send_at: datetime | None = None


@dataclass(frozen=True)
class MessageFinished(Event):
    """A message reached its end (sent, suppressed, failed): a case waiting for the customer to be told moves on."""

    message_id: int
    order_id: int
