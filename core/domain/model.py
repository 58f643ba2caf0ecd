"""The domain model: shops, orders, shipments, tracking events and the webhook receipts that feed them.

Entities are plain classes (mapped to tables by core/adapters/orm.py); value objects are frozen
dataclasses stored as JSON. The rules for merging what a platform tells us live here, as pure
methods: a state older than the one stored is ignored, so deliveries in any order and any
number of times end in the same state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from core.domain.events import Event, ShipmentStatusChanged
from core.domain.status import FINAL_STATUSES, OrderStatus, ShipmentStatus, Substatus
from core.domain.values import Address, LineItem, ShipmentItem
from core.ports import FulfillmentData, OrderData, TrackingSnapshot

def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """True when `incoming` is strictly older than what we already applied (equal states re-apply harmlessly)."""
    return incoming is not None and stored is not None and incoming < stored


# -- entities ---------------------------------------------------------------------------------------


class ShopStatus:
    INSTALLED = "installed"
    UNINSTALLED = "uninstalled"
    #: The platform asked for the shop's data to be deleted: only this row remains, so that a late webhook
    #: cannot bring the data back.
    REDACTED = "redacted"
    #: The platform refused our token (revoked, or the app's access changed): the merchant must open the app again.
    NEEDS_REAUTH = "needs_reauth"


@dataclass(eq=False)
class Shop:
    platform: str
    domain: str
    name: str | None = None
    status: str = ShopStatus.INSTALLED
    status_reason: str | None = None
    installed_at: datetime | None = None
    uninstalled_at: datetime | None = None
    #: The offline access token, encrypted at rest (core/adapters/crypto.py); None when we hold none.
    token_ciphertext: str | None = None
    scopes: str | None = None
    webhooks_registered_at: datetime | None = None
    #: Post fulfillment events and order tags back to the platform. Off until the merchant enables it.
    write_back: bool = False
    #: Orders updated up to this time are known to Forewarn (the reconciliation cursor).
    synced_until: datetime | None = None
    #: The shop's detection policy overrides (core/domain/policy.py); None means the defaults.
    policy: dict | None = None
    #: Customer messages: channels, sender identity, consent mode, quiet hours, caps, the merchant's own
    #: templates (core/services/messaging.py reads it; None means the defaults, email only).
    messaging: dict | None = None
    #: The merchant's own wording of suggested replies: {problem: {language: text}} over the library's.
    replies: dict | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.status == ShopStatus.INSTALLED

    def install(self, token_ciphertext: str, scopes: str | None, now: datetime) -> None:
        """First install and every re-install: the new token replaces the old one."""
        self.token_ciphertext = token_ciphertext
        self.scopes = scopes
        self.status = ShopStatus.INSTALLED
        self.status_reason = None
        self.installed_at = now
        self.uninstalled_at = None

    def uninstall(self, now: datetime) -> None:
        self.status = ShopStatus.UNINSTALLED
        self.status_reason = None
        self.uninstalled_at = now
        self.token_ciphertext = None
        self.webhooks_registered_at = None

    def redact(self, now: datetime) -> None:
        self.uninstall(now)
        self.status = ShopStatus.REDACTED
        self.name = None
        self.synced_until = None
        self.write_back = False

    def needs_reauth(self, reason: str) -> None:
        self.status = ShopStatus.NEEDS_REAUTH
        self.status_reason = reason


@dataclass(eq=False)
class OAuthState:
    """A single-use nonce of one install attempt (the OAuth `state`)."""

    nonce: str
    shop_domain: str
    created_at: datetime
    used_at: datetime | None = None
    id: int | None = None


class RequestStatus:
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(eq=False)
class ComplianceRequest:
    """A privacy-law request from the platform (data request, customer redaction, shop redaction) and its outcome."""

    shop_domain: str
    kind: str  # customers/data_request | customers/redact | shop/redact
    received_at: datetime
    customer_email: str | None = None
    platform_customer_id: str | None = None
    order_ids: list[str] = field(default_factory=list)
    status: str = RequestStatus.PENDING
    #: The export for a data request; counts of what was removed for a redaction.
    result: dict | None = None
    error: str | None = None
    completed_at: datetime | None = None
    id: int | None = None


class WriteBackStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(eq=False)
class WriteBack:
    """One thing to tell the platform (a fulfillment event, an order tag), recorded before it is sent.

    `key` is unique: the same event for the same parcel is never posted twice, whatever retries happen.
    """

    shop_id: int
    order_id: int
    kind: str  # fulfillment_event | order_tag
    key: str
    payload: dict
    created_at: datetime
    shipment_id: int | None = None
    status: str = WriteBackStatus.PENDING
    attempts: int = 0
    error: str | None = None
    remote_id: str | None = None
    sent_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Order:
    shop_id: int
    platform_order_id: str
    name: str
    #: True while we know the order only through one of its fulfillments.
    placeholder: bool = True
    number: str | None = None
    status: str = OrderStatus.OPEN
    placed_at: datetime | None = None
    source_updated_at: datetime | None = None
    customer_platform_id: str | None = None
    customer_first_name: str | None = None
    customer_last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    shipping_address: Address | None = None
    line_items: list[LineItem] = field(default_factory=list)
    currency: str | None = None
    total_price: Decimal | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    status_url: str | None = None
    #: The customer's personal data was removed on request: no later state may bring it back.
    redacted: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def customer_name(self) -> str | None:
        full = " ".join(p for p in (self.customer_first_name, self.customer_last_name) if p)
        return full or None

    def redact(self) -> None:
        """Remove what identifies the customer, now and in every later state of this order."""
        self.redacted = True
        self.customer_first_name = self.customer_last_name = None
        self.email = self.phone = self.customer_platform_id = self.status_url = None
        self.shipping_address = self.shipping_address.anonymous() if self.shipping_address else None

    def apply(self, data: OrderData, now: datetime) -> bool:
        """Take the platform's state of this order unless it is older than ours. Returns whether it applied."""
        if not self.placeholder and is_stale(data.updated_at, self.source_updated_at):
            return False
        self.placeholder = False
        self.name = data.name
        self.number = data.number
        self.placed_at = data.placed_at
        self.source_updated_at = data.updated_at
        c = data.customer
        self.locale = c.locale
        if self.redacted:
            self.shipping_address = data.shipping_address.anonymous() if data.shipping_address else None
        else:
            self.customer_platform_id = c.platform_customer_id
            self.customer_first_name = c.first_name
            self.customer_last_name = c.last_name
            self.email = c.email
            self.phone = c.phone
            self.shipping_address = data.shipping_address
        self.line_items = list(data.line_items)
        self.currency = data.currency
        self.total_price = data.total_price
        self.financial_status = data.financial_status
        self.fulfillment_status = data.fulfillment_status
        self.cancelled_at = data.cancelled_at
        self.cancel_reason = data.cancel_reason
        self.status_url = None if self.redacted else data.status_url
        if data.cancelled_at is not None:
            self.status = OrderStatus.CANCELLED
        elif data.closed_at is not None:
            self.status = OrderStatus.CLOSED
        else:
            self.status = OrderStatus.OPEN
        self.updated_at = now
        return True


#: Shopify's `shipment_status` (and the like) → our lifecycle status, until a carrier tells us better.
PLATFORM_SHIPMENT_STATUS: dict[str, tuple[ShipmentStatus, str | None]] = {
    "label_printed": (ShipmentStatus.PRE_TRANSIT, None),
    "label_purchased": (ShipmentStatus.PRE_TRANSIT, None),
    "confirmed": (ShipmentStatus.PRE_TRANSIT, None),
    "carrier_picked_up": (ShipmentStatus.IN_TRANSIT, None),
    "picked_up": (ShipmentStatus.IN_TRANSIT, None),
    "in_transit": (ShipmentStatus.IN_TRANSIT, None),
    "delayed": (ShipmentStatus.IN_TRANSIT, Substatus.DELAYED),
    "out_for_delivery": (ShipmentStatus.OUT_FOR_DELIVERY, None),
    "attempted_delivery": (ShipmentStatus.ATTEMPT_FAILED, None),
    "ready_for_pickup": (ShipmentStatus.AVAILABLE_FOR_PICKUP, None),
    "delivered": (ShipmentStatus.DELIVERED, None),
    "failure": (ShipmentStatus.EXCEPTION, None),
}


def status_from_platform(fulfillment: FulfillmentData, tracking_number: str | None) -> tuple[str, str | None]:
    """The lifecycle status a shipment has on what the platform alone says."""
    if (fulfillment.status or "").lower() in {"cancelled", "error", "failure"}:
        return ShipmentStatus.CANCELLED, None
    known = PLATFORM_SHIPMENT_STATUS.get((fulfillment.shipment_status or "").lower())
    if known:
        return known[0], known[1]
    if not tracking_number:
        return ShipmentStatus.UNKNOWN, Substatus.NO_TRACKING
    return ShipmentStatus.PRE_TRANSIT, None


@dataclass(eq=False)
class Shipment:
    """One parcel: a tracking number of one platform fulfillment (or the fulfillment itself, if untracked)."""

    shop_id: int
    order_id: int
    platform_fulfillment_id: str
    #: '' when the fulfillment has no tracking number; unique with the fulfillment id.
    tracking_number: str
    name: str | None = None
    carrier: str | None = None
    carrier_raw: str | None = None
    service: str | None = None
    tracking_url: str | None = None
    items: list[ShipmentItem] = field(default_factory=list)
    destination: Address | None = None
    status: str = ShipmentStatus.PRE_TRANSIT
    substatus: str | None = None
    platform_status: str | None = None
    fulfillment_status: str | None = None
    superseded: bool = False
    #: True once a carrier (not the platform) has reported on this parcel; platform states then no longer
    #: override ours.
    carrier_tracked: bool = False
    shipped_at: datetime | None = None
    source_updated_at: datetime | None = None
    estimated_delivery_at: datetime | None = None
    delivered_at: datetime | None = None
    #: The carrier itself says the parcel is late.
    running_late: bool = False
    signed_by: str | None = None
    last_event_at: datetime | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = None
    #: Pushes have been arriving for this parcel: polling is a safety net until then.
    push_until: datetime | None = None
    #: When this parcel's push subscription (UPS Track Alert, 14 days) lapses; renewed before that.
    push_subscribed_until: datetime | None = None
    #: Since when the parcel has been in its current status (for "waiting at a pickup point for 4 days").
    status_since: datetime | None = None
    #: Why the last check did not give news (not found, no credentials, carrier down), for the admin.
    check_error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def is_final(self) -> bool:
        return self.superseded or self.status in FINAL_STATUSES

    def apply(
        self, data: FulfillmentData, tracking_number: str, tracking_url: str | None, now: datetime, *, redacted: bool = False
    ) -> None:
        self.name = data.name
        self.carrier = data.carrier
        self.carrier_raw = data.carrier_raw
        self.service = data.service
        self.tracking_url = tracking_url
        self.items = list(data.items)
        self.destination = data.destination.anonymous() if redacted and data.destination else data.destination
        self.platform_status = data.shipment_status
        self.fulfillment_status = data.status
        self.shipped_at = data.created_at
        self.source_updated_at = data.updated_at
        self.superseded = False
        if not self.carrier_tracked or (data.status or "").lower() == "cancelled":
            self.status, self.substatus = status_from_platform(data, tracking_number or None)
            if self.status == ShipmentStatus.DELIVERED and self.delivered_at is None:
                self.delivered_at = data.updated_at
        self.updated_at = now

    def apply_tracking(self, snapshot: TrackingSnapshot, now: datetime) -> None:
        """What the carrier says now. From here on the carrier, not the platform, decides the status."""
        self.carrier_tracked = True
        if snapshot.status != self.status:
            streak = [e for e in snapshot.events if e.status == snapshot.status and e.occurred_at]
            self.status_since = streak[-1].occurred_at if streak else now
        self.status, self.substatus = snapshot.status, snapshot.substatus
        if snapshot.estimated_delivery is not None:
            self.estimated_delivery_at = snapshot.estimated_delivery
        if snapshot.status == ShipmentStatus.DELIVERED:
            self.delivered_at = snapshot.delivered_at or self.delivered_at or snapshot.last_event_at or now
        self.running_late = snapshot.running_late
        self.signed_by = snapshot.signed_by or self.signed_by
        self.last_event_at = snapshot.last_event_at or self.last_event_at
        self.last_checked_at = now
        self.check_error = None
        self.updated_at = now

    def status_changed(self, before: tuple[str, str | None], source: str, happened_at: datetime | None) -> list[Event]:
        """The ShipmentStatusChanged event for a change since `before`, or nothing when the status is the same."""
        if (self.status, self.substatus) == before:
            return []
        return [ShipmentStatusChanged(shop_id=self.shop_id, order_id=self.order_id, shipment_id=self.id,
                                      status=self.status, substatus=self.substatus, source=source, happened_at=happened_at)]

    def expire(self, now: datetime) -> None:
        self.status, self.substatus = ShipmentStatus.EXPIRED, None
        self.next_check_at = None
        self.updated_at = now

    def supersede(self, updated_at: datetime | None, now: datetime) -> None:
        """The fulfillment's state as of `updated_at` no longer lists this parcel."""
        self.superseded = True
        self.status, self.substatus = ShipmentStatus.CANCELLED, Substatus.REPLACED
        self.source_updated_at = updated_at
        self.next_check_at = None
        self.updated_at = now


@dataclass(eq=False)
class TrackingEvent:
    """One carrier scan, stored once (unique per shipment, time and raw code)."""

    shipment_id: int
    occurred_at: datetime
    status: str
    description: str
    substatus: str | None = None
    raw_code: str | None = None
    location: str | None = None
    id: int | None = None


@dataclass(eq=False)
class CarrierAccount:
    """How one shop tracks one carrier: which provider, with which credentials (encrypted JSON)."""

    shop_id: int
    carrier: str  # our carrier code, or "*" for every carrier without an account of its own
    provider: str  # karrio | easypost
    credentials_ciphertext: str | None
    created_at: datetime
    id: int | None = None


@dataclass(eq=False)
class TrackingPoll:
    """One call to a tracking provider, recorded so cost per shipment and failures can be measured."""

    shipment_id: int
    carrier: str
    provider: str
    polled_at: datetime
    outcome: str  # ok | not_found | unauthorized | rate_limited | transient | invalid | quota | no_account
    status: str | None = None
    duration_ms: int | None = None
    error: str | None = None
    id: int | None = None


#: What a stored webhook body becomes once its personal data must go.
REDACTED_BODY = b'{"redacted": true}'


class ReceiptStatus:
    RECEIVED = "received"  # stored, ingest queued
    PROCESSED = "processed"
    IGNORED = "ignored"  # a topic we do not act on (yet)
    REJECTED = "rejected"  # verified, but the body is unusable: answered 4xx
    FAILED = "failed"  # ingest failed permanently: visible to the admin


@dataclass(eq=False)
class WebhookReceipt:
    """One inbound delivery as it arrived. Unique per (platform, delivery id): a redelivery finds it."""

    platform: str
    topic: str | None
    delivery_id: str | None
    shop_domain: str | None
    body: bytes
    status: str = ReceiptStatus.RECEIVED
    event_id: str | None = None
    triggered_at: str | None = None
    error: str | None = None
    attempts: int = 0
    received_at: datetime | None = None
    processed_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Incident:
    """Something wrong with an order or one of its parcels: opened once per parcel (or order) and kind, with
    its reason and evidence, cleared when the parcel moves again or the problem is gone; history kept."""

    shop_id: int
    order_id: int
    kind: str
    reason: str
    evidence: dict
    opened_at: datetime
    shipment_id: int | None = None
    status: str = "open"  # open | cleared
    cleared_at: datetime | None = None
    clear_reason: str | None = None
    updated_at: datetime | None = None
    cluster_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class IncidentCluster:
    """Many parcels of one carrier with the same problem at the same place at about the same time: one event
    for the merchant ("UPS Worldport, Louisville: 37 parcels without a scan since Mon 06:10")."""

    shop_id: int
    carrier: str
    kind: str
    place: str
    size: int
    summary: str
    first_seen_at: datetime
    opened_at: datetime
    status: str = "open"  # open | closed
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class LaneBaseline:
    """A shop's learned transit time and scan gap on one lane (carrier × service level × destination region)."""

    shop_id: int
    lane: str
    samples: int
    transit_p50: float
    transit_p90: float
    gap_p90: float
    computed_at: datetime
    id: int | None = None


class CaseStatus:
    OPEN = "open"
    PENDING = "pending"  # waiting on the carrier or the customer
    RESOLVED = "resolved"
    CLOSED = "closed"


@dataclass(eq=False)
class Case:
    """A support case for one order's problem: it gathers the order's incidents, carries a priority and an SLA,
    notes, labels and an assignee, and resolves itself when the parcel arrives."""

    shop_id: int
    order_id: int
    problem: str  # the incident kind that leads the case
    subject: str
    priority: str  # urgent | normal
    opened_at: datetime
    sla_due_at: datetime
    status: str = CaseStatus.OPEN
    kinds: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    first_response_at: datetime | None = None
    sla_breached: bool = False
    resolved_at: datetime | None = None
    reopened_count: int = 0
    updated_at: datetime | None = None
    #: The customer reported a problem on the case: a person answers it, a delivery scan does not resolve it.
    customer_reported_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class CaseNote:
    """A line on a case's timeline written by Forewarn or the support team (internal unless said otherwise)."""

    case_id: int
    author: str
    body: str
    created_at: datetime
    internal: bool = True
    id: int | None = None


@dataclass(eq=False)
class HelpdeskAccount:
    """The shop's helpdesk connection. An authentication failure disables it and says why; cases stay in Forewarn."""

    shop_id: int
    kind: str  # zendesk
    credentials_ciphertext: str
    created_at: datetime
    status: str = "active"  # active | disabled
    error: str | None = None
    id: int | None = None


@dataclass(eq=False)
class CaseTicket:
    """A case's ticket in the helpdesk, recorded (as an intent) before the helpdesk is called."""

    case_id: int
    helpdesk: str
    external_id: str
    created_at: datetime
    ticket_id: str | None = None
    attached: bool = False  # joined the customer's existing ticket instead of opening one
    last_note_id: int = 0
    solved_at: datetime | None = None
    attempts: int = 0
    error: str | None = None
    subject: str | None = None  # the subject and priority last written to a ticket Forewarn opened
    priority: str | None = None
    id: int | None = None


@dataclass(eq=False)
class ProblemReport:
    """What a customer said on the problem-report page, kept as they said it; it opens or joins the order's case."""

    shop_id: int
    order_id: int
    kind: str  # core/domain/reports.py KINDS
    details: str
    created_at: datetime
    locale: str | None = None
    case_id: int | None = None
    photo_count: int = 0
    id: int | None = None


@dataclass(eq=False)
class ReportPhoto:
    """A photo sent with a report, checked to be an image by its first bytes; shown to the shop's team only."""

    report_id: int
    case_id: int | None
    content_type: str
    filename: str
    data: bytes
    created_at: datetime
    id: int | None = None


class WooStatus:
    PENDING = "pending"  # sent to the store's wc-auth page; no keys yet
    VERIFYING = "verifying"  # keys received; not trusted until the store itself accepts them
    REFUSED = "refused"  # the store did not accept the keys sent to the callback (forged, or revoked at once)
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"  # the store refused our keys (revoked): the merchant must connect again
    SUPERSEDED = "superseded"  # the store connected again: a newer installation holds its keys


@dataclass(eq=False)
class WooInstallation:
    """One WooCommerce store's connection: its public id is the wc-auth `user_id` and the webhook address's
    key; its REST keys and webhook secret are stored encrypted."""

    public_id: str
    store_url: str
    created_at: datetime
    status: str = WooStatus.PENDING
    shop_id: int | None = None
    admin_email: str | None = None
    credentials_ciphertext: str | None = None  # {"consumer_key", "consumer_secret", "key_id"}
    key_permissions: str | None = None
    webhook_secret_ciphertext: str | None = None
    webhooks: dict = field(default_factory=dict)  # topic → WooCommerce webhook id
    connected_at: datetime | None = None
    health_checked_at: datetime | None = None
    health_error: str | None = None
    #: The installation this one replaced: a reconnection signs nobody in by itself (web/woocommerce.py).
    reconnect_of: int | None = None
    id: int | None = None


@dataclass(eq=False)
class WixInstallation:
    """One Wix site's app instance. Wix's OAuth gives an access token for the instance from the app's own
    credentials, so nothing secret is kept here; the short-lived token lives encrypted in the token cache."""

    instance_id: str
    shop_id: int
    installed_at: datetime
    status: str = "installed"  # installed | removed
    removed_at: datetime | None = None
    synced_until: datetime | None = None
    sync_error: str | None = None
    id: int | None = None


class MessageStatus:
    PLANNED = "planned"
    DEFERRED = "deferred"  # quiet hours in the customer's time: it goes when they end
    SENDING = "sending"  # recorded before the provider is called; a retry finding it here never resends
    SENT = "sent"
    DELIVERED = "delivered"  # the provider says it arrived
    FAILED = "failed"
    BOUNCED = "bounced"
    SUPPRESSED = "suppressed"  # deliberately not sent: see suppression_reason


@dataclass(eq=False)
class Message:
    """One customer notification: template × language × channel, recorded (with its idempotency key) before
    anything is sent, then its outcome — so an admin can always see why a customer got or did not get it."""

    shop_id: int
    order_id: int
    kind: str  # core/domain/templates.py kinds
    channel: str  # email | sms | whatsapp
    idempotency_key: str
    created_at: datetime
    incident_id: int | None = None
    case_id: int | None = None
    recipient: str | None = None
    language: str | None = None
    status: str = MessageStatus.PLANNED
    suppression_reason: str | None = None
    send_at: datetime | None = None
    subject: str | None = None
    body: str | None = None
    provider: str | None = None
    provider_id: str | None = None
    error: str | None = None
    detected_at: datetime | None = None  # when the problem it tells of was detected
    sent_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class MessageAttempt:
    message_id: int
    attempted_at: datetime
    outcome: str  # sending | sent | failed | interrupted
    provider_id: str | None = None
    error: str | None = None
    id: int | None = None


@dataclass(eq=False)
class OptOut:
    """One unsubscribe, honoured across every channel: by the customer's email or phone."""

    shop_id: int
    address: str  # an email (lower case) or a phone number (E.164)
    source: str  # link | sms_stop | provider
    created_at: datetime
    id: int | None = None


@dataclass(eq=False)
class SurveyAnswer:
    shop_id: int
    order_id: int
    score: int
    created_at: datetime
    case_id: int | None = None
    comment: str | None = None
    id: int | None = None
