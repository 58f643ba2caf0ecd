"""What every webhook endpoint does once a delivery's signature is verified: store a receipt keyed by its
delivery id, enqueue the ingest job after that commit, and answer in milliseconds.

A redelivery finds its receipt and is answered 200 without new work (re-enqueued only if its first job
was never confirmed). A verified body that cannot be used is recorded as `rejected` and answered 4xx,
so an admin can see it and the platform stops retrying something that will never work.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.exceptions import RedisError
from core.adapters.receipts import store_receipt
from core.domain.model import ReceiptStatus
from core.ports import MissingFields, PayloadRejected, StoreConnector
from jobs import queues
from jobs.runtime import Runtime, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    platform: str
    topic: str | None
    delivery_id: str | None
    shop_domain: str | None
    body: bytes
    event_id: str | None = None
    triggered_at: str | None = None


@dataclass(frozen=True)
class Outcome:
    http_status: int
    result: str  # accepted | duplicate | ignored | rejected
    receipt_id: int | None = None
    reason: str | None = None

    def json(self) -> dict[str, object]:
        out: dict[str, object] = {"result": self.result}
        if self.receipt_id is not None:
            out["receipt_id"] = self.receipt_id
        if self.reason:
            out["error"] = self.reason
        return out


def reject(rt: Runtime, delivery: Delivery, reason: str, http_status: int = 400) -> Outcome:
    """Record a verified but unusable delivery; a repeat of the same delivery is not stored twice."""
    receipt_id = _store(rt, delivery, ReceiptStatus.REJECTED, reason)
    log.warning("rejected %s webhook %s (%s): %s", delivery.platform, delivery.delivery_id, delivery.topic, reason)
    return Outcome(http_status, "rejected", receipt_id, reason)


def accept(rt: Runtime, connector: StoreConnector, delivery: Delivery) -> Outcome:
    if not delivery.topic:
        return reject(rt, delivery, "missing topic header")
    if not delivery.delivery_id:
        return reject(rt, delivery, "missing delivery id header")
    if delivery.topic not in connector.topics:
        receipt_id = _store(rt, delivery, ReceiptStatus.IGNORED, f"topic {delivery.topic} is not used by Forewarn")
        return Outcome(200, "ignored", receipt_id)
    try:
        connector.parse(delivery.topic, delivery.body, delivery.shop_domain)
    except PayloadRejected as exc:
        return reject(rt, delivery, str(exc), 422 if isinstance(exc, MissingFields) else 400)

    receipt_id = _store(rt, delivery, ReceiptStatus.RECEIVED, None)
    if receipt_id is None:  # a redelivery: its receipt exists
        with rt.uow() as uow:
            existing = uow.repo.receipt_by_delivery(delivery.platform, delivery.delivery_id)
            assert existing is not None
            receipt_id, status = existing.id, existing.status
        if status == ReceiptStatus.RECEIVED:  # its first job may have been lost: make sure one is queued
            _enqueue(rt, receipt_id, delivery, fresh=False)
        return Outcome(200, "duplicate", receipt_id)
    _enqueue(rt, receipt_id, delivery, fresh=True)
    return Outcome(200, "accepted", receipt_id)


def _enqueue(rt: Runtime, receipt_id: int, delivery: Delivery, *, fresh: bool) -> None:
    """The receipt is committed, so nothing is lost if Redis is away: the `sweep` job enqueues it later."""
    try:
        queues.enqueue_ingest(rt.redis, receipt_id, delivery.platform, delivery.delivery_id, fresh=fresh)
    except RedisError as exc:
        log.error("could not enqueue receipt %s (%s); the sweep job will: %s", receipt_id, delivery.platform, exc)


def _store(rt: Runtime, delivery: Delivery, status: str, error: str | None) -> int | None:
    """Insert the receipt in one autocommitted statement; its id, or None when this delivery id was stored
    before. This is the hot path of every webhook, hence no unit of work."""
    return store_receipt(
        rt.engine,
        platform=delivery.platform,
        topic=delivery.topic,
        delivery_id=delivery.delivery_id,
        shop_domain=delivery.shop_domain,
        body=delivery.body,
        status=status,
        error=error,
        event_id=delivery.event_id,
        triggered_at=delivery.triggered_at,
        received_at=utcnow(),
    )
