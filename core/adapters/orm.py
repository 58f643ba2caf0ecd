"""Tables and the imperative mapping of the domain classes onto them.

Value objects (addresses, line items, shipment items) are stored as JSON through a TypeDecorator
that rebuilds the frozen dataclasses, so the domain never sees a dict. The Alembic migrations
in migrations/versions/ create exactly these tables (a test compares them).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

from core.domain import model, values

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)

#: Indexes only PostgreSQL gets (migration 0009: the newest-first order SQLite cannot declare, and pg_trgm's when
#: the role may create it): not part of the model, so comparing the model with a migrated database leaves them out.
OPTIONAL_INDEXES = frozenset({"ix_shipments_shop_newest", "ix_shipments_tracking_trgm", "ix_orders_search_trgm"})


def in_model(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic's include_object: everything but the optional indexes."""
    return not (type_ == "index" and name in OPTIONAL_INDEXES)

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; the core uses aware UTC datetimes")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class ValueObject(TypeDecorator[Any]):
    """A frozen dataclass (or a list of them) stored as JSON."""

    impl = JSON
    cache_ok = True

    def __init__(self, cls: type, many: bool = False) -> None:
        super().__init__()
        self.cls = cls
        self.many = many

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if self.many:
            return [dataclasses.asdict(v) for v in value]
        return dataclasses.asdict(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if self.many:
            return [self.cls(**v) for v in value]
        return self.cls(**value)


class Money(TypeDecorator[Decimal]):
    impl = Numeric(14, 2)
    cache_ok = True


shops = Table(
    "shops",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("domain", Text, nullable=False),
    Column("name", Text),
    Column("status", String(20), nullable=False),
    Column("status_reason", Text),
    Column("installed_at", UTCDateTime()),
    Column("uninstalled_at", UTCDateTime()),
    Column("token_ciphertext", Text),
    Column("scopes", Text),
    Column("webhooks_registered_at", UTCDateTime()),
    Column("write_back", Boolean, nullable=False, server_default=false()),
    Column("synced_until", UTCDateTime()),
    Column("policy", JSON),
    Column("replies", JSON),
    Column("messaging", JSON),
    UniqueConstraint("platform", "domain"),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("nonce", String(64), nullable=False, unique=True),
    Column("shop_domain", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
)

compliance_requests = Table(
    "compliance_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_domain", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("customer_email", Text),
    Column("platform_customer_id", Text),
    Column("order_ids", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("result", JSON),
    Column("error", Text),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime()),
    Index("ix_compliance_requests_shop_domain", "shop_domain"),
)

write_backs = Table(
    "write_backs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE")),
    Column("kind", String(30), nullable=False),
    Column("key", Text, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("remote_id", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("shop_id", "key"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("platform_order_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("placeholder", Boolean, nullable=False),
    Column("number", Text),
    Column("status", String(20), nullable=False),
    Column("placed_at", UTCDateTime()),
    Column("source_updated_at", UTCDateTime()),
    Column("customer_platform_id", Text),
    Column("customer_first_name", Text),
    Column("customer_last_name", Text),
    Column("email", Text),
    Column("phone", Text),
    Column("locale", Text),
    Column("shipping_address", ValueObject(values.Address)),
    Column("line_items", ValueObject(values.LineItem, many=True), nullable=False),
    Column("currency", Text),
    Column("total_price", Money()),
    Column("financial_status", Text),
    Column("fulfillment_status", Text),
    Column("cancelled_at", UTCDateTime()),
    Column("cancel_reason", Text),
    Column("status_url", Text),
    Column("redacted", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("shop_id", "platform_order_id"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("platform_fulfillment_id", Text, nullable=False),
    Column("tracking_number", Text, nullable=False),
    Column("name", Text),
    Column("carrier", Text),
    Column("carrier_raw", Text),
    Column("service", Text),
    Column("tracking_url", Text),
    Column("items", ValueObject(values.ShipmentItem, many=True), nullable=False),
    Column("destination", ValueObject(values.Address)),
    Column("status", String(32), nullable=False),
    Column("substatus", String(32)),
    Column("platform_status", Text),
    Column("fulfillment_status", Text),
    Column("superseded", Boolean, nullable=False),
    Column("carrier_tracked", Boolean, nullable=False),
    Column("shipped_at", UTCDateTime()),
    Column("source_updated_at", UTCDateTime()),
    Column("estimated_delivery_at", UTCDateTime()),
    Column("delivered_at", UTCDateTime()),
    Column("running_late", Boolean, nullable=False, server_default=false()),
    Column("signed_by", Text),
    Column("last_event_at", UTCDateTime()),
    Column("last_checked_at", UTCDateTime()),
    Column("next_check_at", UTCDateTime()),
    Column("push_until", UTCDateTime()),
    Column("push_subscribed_until", UTCDateTime()),
    Column("status_since", UTCDateTime()),
    Column("check_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("shop_id", "platform_fulfillment_id", "tracking_number"),
    Index("ix_shipments_next_check_at", "next_check_at"),
    Index("ix_shipments_order_id", "order_id"),
    # the admin's shipments page: its carrier filter and list, and newest first (migration 0008)
    Index("ix_shipments_shop_id_carrier_status", "shop_id", "carrier", "status"),
    Index("ix_shipments_shop_id_shipped_at", "shop_id", "shipped_at", "id"),
)

tracking_events = Table(
    "tracking_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("status", String(32), nullable=False),
    Column("substatus", String(32)),
    Column("raw_code", Text),
    Column("description", Text, nullable=False),
    Column("location", Text),
    Index("ix_tracking_events_shipment_id", "shipment_id"),
    UniqueConstraint("shipment_id", "occurred_at", "raw_code"),
)

carrier_accounts = Table(
    "carrier_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("carrier", String(40), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("credentials_ciphertext", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("shop_id", "carrier"),
)

tracking_polls = Table(
    "tracking_polls",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False),
    Column("carrier", Text, nullable=False),
    Column("provider", String(20), nullable=False),
    Column("polled_at", UTCDateTime(), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("status", String(32)),
    Column("duration_ms", Integer),
    Column("error", Text),
    Index("ix_tracking_polls_shipment_id", "shipment_id"),
)

webhook_receipts = Table(
    "webhook_receipts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("topic", Text),
    Column("delivery_id", Text),
    Column("event_id", Text),
    Column("shop_domain", Text),
    Column("triggered_at", Text),
    Column("body", LargeBinary, nullable=False),
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("processed_at", UTCDateTime()),
    UniqueConstraint("platform", "delivery_id"),
    Index("ix_webhook_receipts_status", "status"),
)

incident_clusters = Table(
    "incident_clusters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("carrier", Text, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("place", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("status", String(10), nullable=False),
    Column("closed_at", UTCDateTime()),
    Column("updated_at", UTCDateTime()),
    Index("ix_incident_clusters_shop_id_status", "shop_id", "status"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE")),
    Column("kind", String(30), nullable=False),
    Column("status", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("cleared_at", UTCDateTime()),
    Column("clear_reason", Text),
    Column("updated_at", UTCDateTime()),
    Column("cluster_id", Id, ForeignKey("incident_clusters.id", ondelete="SET NULL")),
    Index("ix_incidents_order_id_status", "order_id", "status"),
    Index("ix_incidents_shop_id_status", "shop_id", "status"),
)

lane_baselines = Table(
    "lane_baselines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("lane", Text, nullable=False),
    Column("samples", Integer, nullable=False),
    Column("transit_p50", Numeric(8, 3, asdecimal=False), nullable=False),
    Column("transit_p90", Numeric(8, 3, asdecimal=False), nullable=False),
    Column("gap_p90", Numeric(8, 3, asdecimal=False), nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("shop_id", "lane"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("problem", String(30), nullable=False),
    Column("subject", Text, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("labels", JSON, nullable=False),
    Column("assignee", Text),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("sla_due_at", UTCDateTime(), nullable=False),
    Column("first_response_at", UTCDateTime()),
    Column("sla_breached", Boolean, nullable=False, server_default=false()),
    Column("resolved_at", UTCDateTime()),
    Column("reopened_count", Integer, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime()),
    Column("customer_reported_at", UTCDateTime()),
    Index("ix_cases_order_id", "order_id"),
    Index("ix_cases_shop_id_status", "shop_id", "status"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("author", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("internal", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_case_notes_case_id", "case_id"),
)

helpdesk_accounts = Table(
    "helpdesk_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("credentials_ciphertext", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)

case_tickets = Table(
    "case_tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("helpdesk", String(20), nullable=False),
    Column("external_id", Text, nullable=False),
    Column("ticket_id", Text),
    Column("attached", Boolean, nullable=False),
    Column("last_note_id", Integer, nullable=False),
    Column("solved_at", UTCDateTime()),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("subject", Text),
    Column("priority", String(10)),
    Column("created_at", UTCDateTime(), nullable=False),
)

problem_reports = Table(
    "problem_reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("kind", String(20), nullable=False),
    Column("details", Text, nullable=False),
    Column("locale", String(20)),
    Column("photo_count", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_problem_reports_order_id", "order_id"),
)

report_photos = Table(
    "report_photos",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("report_id", Id, ForeignKey("problem_reports.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id", ondelete="SET NULL")),
    Column("content_type", String(20), nullable=False),
    Column("filename", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_report_photos_case_id", "case_id"),
)

woo_installations = Table(
    "woo_installations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", String(40), nullable=False, unique=True),
    Column("store_url", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE")),
    Column("admin_email", Text),
    Column("credentials_ciphertext", Text),
    Column("key_permissions", String(20)),
    Column("webhook_secret_ciphertext", Text),
    Column("webhooks", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("connected_at", UTCDateTime()),
    Column("health_checked_at", UTCDateTime()),
    Column("health_error", Text),
    Column("reconnect_of", Id),
    Index("ix_woo_installations_shop_id", "shop_id"),
)

wix_installations = Table(
    "wix_installations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("instance_id", String(64), nullable=False, unique=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("installed_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime()),
    Column("synced_until", UTCDateTime()),
    Column("sync_error", Text),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("incident_id", Id),
    Column("case_id", Id),
    Column("kind", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("recipient", Text),
    Column("language", String(10)),
    Column("status", String(12), nullable=False),
    Column("suppression_reason", String(20)),
    Column("send_at", UTCDateTime()),
    Column("subject", Text),
    Column("body", Text),
    Column("provider", String(20)),
    Column("provider_id", Text),
    Column("error", Text),
    Column("detected_at", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime()),
    Index("ix_messages_order_id", "order_id"),
    Index("ix_messages_shop_id_status", "shop_id", "status"),
    Index("ix_messages_shop_id_sent_at", "shop_id", "sent_at"),  # the overview's "customers told" window
)

message_attempts = Table(
    "message_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", Id, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("attempted_at", UTCDateTime(), nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("provider_id", Text),
    Column("error", Text),
    Index("ix_message_attempts_message_id", "message_id"),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("address", Text, nullable=False),
    Column("source", String(12), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("shop_id", "address"),
)

survey_answers = Table(
    "survey_answers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shop_id", Id, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("case_id", Id),
    Column("score", Integer, nullable=False),
    Column("comment", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)

_mapped = False


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(model.Shop, shops)
    mapper_registry.map_imperatively(model.Order, orders)
    mapper_registry.map_imperatively(model.Shipment, shipments)
    mapper_registry.map_imperatively(model.TrackingEvent, tracking_events)
    mapper_registry.map_imperatively(model.WebhookReceipt, webhook_receipts)
    mapper_registry.map_imperatively(model.OAuthState, oauth_states)
    mapper_registry.map_imperatively(model.ComplianceRequest, compliance_requests)
    mapper_registry.map_imperatively(model.WriteBack, write_backs)
    mapper_registry.map_imperatively(model.CarrierAccount, carrier_accounts)
    mapper_registry.map_imperatively(model.TrackingPoll, tracking_polls)
    mapper_registry.map_imperatively(model.Incident, incidents)
    mapper_registry.map_imperatively(model.IncidentCluster, incident_clusters)
    mapper_registry.map_imperatively(model.LaneBaseline, lane_baselines)
    mapper_registry.map_imperatively(model.Case, cases)
    mapper_registry.map_imperatively(model.CaseNote, case_notes)
    mapper_registry.map_imperatively(model.HelpdeskAccount, helpdesk_accounts)
    mapper_registry.map_imperatively(model.CaseTicket, case_tickets)
    mapper_registry.map_imperatively(model.ProblemReport, problem_reports)
    mapper_registry.map_imperatively(model.ReportPhoto, report_photos)
    mapper_registry.map_imperatively(model.WooInstallation, woo_installations)
    mapper_registry.map_imperatively(model.WixInstallation, wix_installations)
    mapper_registry.map_imperatively(model.Message, messages)
    mapper_registry.map_imperatively(model.MessageAttempt, message_attempts)
    mapper_registry.map_imperatively(model.OptOut, opt_outs)
    mapper_registry.map_imperatively(model.SurveyAnswer, survey_answers)
    _mapped = True
