"""RQ task entry points. Each takes only ids, finds its wiring in jobs.runtime, and lets only transient
errors escape (RQ then retries it with the queue's backoff); anything else is recorded where an admin
can see it and the job ends, since running it again would fail the same way."""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue
from rq.registry import clean_registries
from rq.timeouts import BaseTimeoutException
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from connectors import STORE_CONNECTORS
from connectors.errors import RateLimited, Transient
from core.domain.model import ReceiptStatus, WebhookReceipt, WriteBack, WriteBackStatus
from core.services.ingest import ingest_receipt
from jobs import queues, runtime
from jobs.dispatch import enqueue_write_back

log = logging.getLogger(__name__)

#: Errors worth another try: the database or Redis went away, a network call timed out.
TRANSIENT = (
    OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, Transient, RateLimited,
    BaseTimeoutException,  # the job ran past its timeout: a slow database or API, worth another try
)
STALE_RECEIPT_AFTER = timedelta(minutes=5)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


def ingest(receipt_id: int) -> str:
    rt = runtime.current()
    try:
        return ingest_receipt(receipt_id, rt.uow, rt.bus, STORE_CONNECTORS, runtime.utcnow)
    except Exception as exc:
        if is_transient(exc):
            log.warning("ingest of receipt %s hit a transient error, will retry: %s", receipt_id, exc)
            raise
        log.exception("ingest of receipt %s failed permanently", receipt_id)
        with rt.uow() as uow:
            receipt = uow.repo.receipt(receipt_id)
            if receipt is not None:
                receipt.status = ReceiptStatus.FAILED
                receipt.error = f"{type(exc).__name__}: {exc}"[:2000]
                receipt.processed_at = runtime.utcnow()
                uow.commit()
        return ReceiptStatus.FAILED


def sweep() -> dict[str, int]:
    """Every minute (rq cron): retry jobs abandoned by dead workers; re-enqueue receipts and write-backs whose
    job was lost (Redis away when they were stored)."""
    rt = runtime.current()
    for name in queues.QUEUES:
        clean_registries(Queue(name, connection=rt.redis))
    cutoff = runtime.utcnow() - STALE_RECEIPT_AFTER
    requeued = 0
    with rt.uow() as uow:
        stale = uow.session.scalars(
            select(WebhookReceipt)
            .where(WebhookReceipt.status == ReceiptStatus.RECEIVED, WebhookReceipt.received_at < cutoff)
            .limit(500)
        ).all()
        for receipt in stale:
            queues.enqueue_ingest(rt.redis, receipt.id, receipt.platform, receipt.delivery_id)
            requeued += 1
        pending = uow.session.scalars(
            select(WriteBack.id).where(
                WriteBack.status == WriteBackStatus.PENDING, WriteBack.attempts == 0, WriteBack.created_at < cutoff
            ).limit(500)
        ).all()
        for write_back_id in pending:  # planned, but its job never reached Redis
            enqueue_write_back(rt.redis, write_back_id)
    if requeued or pending:
        log.warning("re-enqueued %s receipts and %s write-backs whose job was lost", requeued, len(pending))
    return {"requeued_receipts": requeued, "requeued_write_backs": len(pending)}


def send_write_back(write_back_id: int) -> str:
    """Send one planned write-back through its shop's platform's job."""
    rt = runtime.current()
    with rt.uow() as uow:
        item = uow.session.get(WriteBack, write_back_id)
        shop = uow.repo.shop_by_id(item.shop_id) if item else None
        platform = shop.platform if shop else "shopify"
    if platform == "woocommerce":
        from jobs import woocommerce

        return woocommerce.send_write_back(write_back_id)
    if platform == "wix":
        from jobs import wix

        return wix.send_write_back(write_back_id)
    from jobs import shopify

    return shopify.send_write_back(write_back_id)
