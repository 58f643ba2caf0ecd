"""Ingest of a stored webhook receipt: parse with its connector, hand the events to the bus, mark it done.

Permanent problems (a body the mapping cannot use) mark the receipt `failed` with the reason, for the
admin to see, and do not raise: retrying would not help. Anything else raises, so the job is retried.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from core.domain.model import REDACTED_BODY, ReceiptStatus, ShopStatus
from core.ports import PayloadRejected, StoreConnector
from core.services.messagebus import MessageBus
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DONE = frozenset({ReceiptStatus.PROCESSED, ReceiptStatus.IGNORED, ReceiptStatus.REJECTED, ReceiptStatus.FAILED})


def ingest_receipt(
    receipt_id: int,
    uow_factory: Callable[[], UnitOfWork],
    bus: MessageBus,
    connectors: Mapping[str, StoreConnector],
    clock: Callable[[], datetime],
) -> str:
    """Process one receipt; returns its final status. Safe to call any number of times."""
    with uow_factory() as uow:
        receipt = uow.repo.receipt(receipt_id)
        if receipt is None:
            log.warning("receipt %s does not exist; nothing to ingest", receipt_id)
            return "missing"
        if receipt.status in DONE:
            return receipt.status
        receipt.attempts += 1
        platform, topic, domain, body = receipt.platform, receipt.topic or "", receipt.shop_domain or "", receipt.body
        shop = uow.repo.shop(platform, domain)
        if shop is not None and shop.status == ShopStatus.REDACTED and topic != "shop/redact":
            # Nothing about a deleted shop is kept, not even the late webhook's body.
            receipt.body = REDACTED_BODY
            receipt.status, receipt.error, receipt.processed_at = (
                ReceiptStatus.IGNORED, "the shop's data was deleted on request", clock(),
            )
            uow.commit()
            return ReceiptStatus.IGNORED
        uow.commit()

    connector = connectors[platform]
    try:
        payload = connector.parse(topic, body)
        found = connector.to_events(domain, topic, payload)
    except PayloadRejected as exc:
        return _finish(uow_factory, receipt_id, ReceiptStatus.FAILED, clock(), str(exc))

    bus.handle(found)
    status = ReceiptStatus.PROCESSED if found else ReceiptStatus.IGNORED
    return _finish(uow_factory, receipt_id, status, clock(), None)


def _finish(
    uow_factory: Callable[[], UnitOfWork], receipt_id: int, status: str, now: datetime, error: str | None
) -> str:
    with uow_factory() as uow:
        receipt = uow.repo.receipt(receipt_id)
        if receipt is None:  # a shop redaction deletes the shop's receipts, its own included
            return status
        receipt.status = status
        receipt.error = error
        receipt.processed_at = now
        uow.commit()
    if error:
        log.warning("receipt %s failed: %s", receipt_id, error)
    return status
