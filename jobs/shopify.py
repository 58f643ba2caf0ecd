"""Jobs that call Shopify: webhook registration after install, write-back, and reconciliation.

Every call goes through ShopifyClient and its typed errors: Transient and RateLimited escape (RQ
retries with backoff), Unauthorized marks the shop `needs_reauth` (shown in the admin), Permanent is
recorded on the item and ends the job.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select

from connectors import STORE_CONNECTORS
from connectors.errors import Permanent, Unauthorized
from connectors.shopify import graphql_mapping
from connectors.shopify.client import ShopifyClient
from connectors.shopify.mapping import fulfillment_event_status, gid
from connectors.shopify.queries import WEBHOOK_TOPICS
from core.adapters.receipts import store_receipt
from core.domain.model import ReceiptStatus, Shop, WriteBackStatus
from core.services.ingest import ingest_receipt
from core.services.lifecycle import mark_needs_reauth
from jobs import queues, runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

RECONCILE_PAGES_PER_RUN = 20
RECONCILE_OVERLAP = timedelta(minutes=5)
FIRST_SYNC_LOOKBACK = timedelta(days=7)


def client_for(shop: Shop) -> ShopifyClient:
    rt = runtime.current()
    token = rt.cipher.decrypt(shop.token_ciphertext) if shop.token_ciphertext else None
    return ShopifyClient(shop.domain, token, http=rt.http)


def _with_shop(shop_id: int, work: Callable[[Shop, ShopifyClient], T]) -> T | str:
    rt = runtime.current()
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(shop_id)
        if shop is None or not shop.active:
            return "skipped: shop not installed"
        if not shop.token_ciphertext:
            return "skipped: no access token for this shop"
        uow.session.expunge(shop)
    try:
        return work(shop, client_for(shop))
    except Unauthorized as exc:
        with rt.uow() as uow:
            mark_needs_reauth(uow, shop_id, str(exc)[:500])
            uow.commit()
        return "needs_reauth"


def register_webhooks(shop_id: int) -> Any:
    def work(shop: Shop, client: ShopifyClient) -> dict[str, str | None]:
        uri = f"{runtime.current().settings.base_url}/webhooks/shopify"
        created = {topic: client.register_webhook(topic, uri) for topic in WEBHOOK_TOPICS}
        with runtime.current().uow() as uow:
            stored = uow.repo.shop_by_id(shop.id)
            if stored is not None:
                stored.webhooks_registered_at = runtime.utcnow()
                uow.commit()
        log.info("webhooks registered for %s", shop.domain)
        return created

    return _with_shop(shop_id, work)


def send_write_back(write_back_id: int) -> str:
    rt = runtime.current()
    with rt.uow() as uow:
        item = uow.repo.write_back(write_back_id)
        if item is None or item.status in (WriteBackStatus.SENT, WriteBackStatus.SKIPPED):
            return item.status if item else "missing"
        item.attempts += 1
        retried = item.attempts > 1
        kind, payload, shop_id = item.kind, dict(item.payload), item.shop_id
        order = uow.repo.order_by_id(item.order_id)
        shipment = uow.repo.shipment_by_id(item.shipment_id) if item.shipment_id else None
        order_id = order.platform_order_id if order else None
        fulfillment_id = shipment.platform_fulfillment_id if shipment else None
        uow.commit()

    def finish(status: str, error: str | None = None, remote_id: str | None = None) -> str:
        with rt.uow() as uow:
            stored = uow.repo.write_back(write_back_id)
            assert stored is not None
            stored.status, stored.error = status, error
            if remote_id:
                stored.remote_id = remote_id
            if status == WriteBackStatus.SENT:
                stored.sent_at = runtime.utcnow()
            uow.commit()
        return status

    def work(shop: Shop, client: ShopifyClient) -> str:
        try:
            if kind == "fulfillment_event":
                status = fulfillment_event_status(payload["status"], payload.get("substatus"))
                if status is None or fulfillment_id is None:
                    return finish(WriteBackStatus.SKIPPED, "no Shopify fulfillment event for this state")
                fulfillment = gid("Fulfillment", fulfillment_id)
                happened = payload.get("happened_at")
                if retried:  # an earlier try may have reached Shopify before the worker died
                    for existing in client.fulfillment_events(fulfillment):
                        if existing.get("status") == status and _same_time(existing.get("happenedAt"), happened):
                            return finish(WriteBackStatus.SENT, None, existing.get("id"))
                event = {"fulfillmentId": fulfillment, "status": status}
                if happened:
                    event["happenedAt"] = happened
                return finish(WriteBackStatus.SENT, None, client.create_fulfillment_event(event))
            if kind == "order_tag" and order_id:
                return finish(WriteBackStatus.SENT, None, client.add_order_tags(gid("Order", order_id), [payload["tag"]]))
            return finish(WriteBackStatus.SKIPPED, f"nothing to send for {kind}")
        except Permanent as exc:
            return finish(WriteBackStatus.FAILED, str(exc)[:2000])
        except Exception as exc:  # transient: keep the reason visible, let RQ retry
            with rt.uow() as uow:
                stored = uow.repo.write_back(write_back_id)
                if stored is not None:
                    stored.error = f"{type(exc).__name__}: {exc}"[:2000]
                    uow.commit()
            raise

    result = _with_shop(shop_id, work)
    if result == "needs_reauth":
        return finish(WriteBackStatus.FAILED, "Shopify refused the token: the merchant must open the app again")
    if isinstance(result, str) and result.startswith("skipped"):
        return finish(WriteBackStatus.SKIPPED, result)
    return str(result)


def _same_time(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return a == b
    try:
        return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(b.replace("Z", "+00:00"))
    except ValueError:
        return a == b


def reconcile_shop(shop_id: int) -> Any:
    """Fetch orders updated since the last sync and ingest them exactly as their webhooks would be."""
    rt = runtime.current()
    connector = STORE_CONNECTORS["shopify"]

    def work(shop: Shop, client: ShopifyClient) -> dict[str, int]:
        started = runtime.utcnow()
        since = shop.synced_until or ((shop.installed_at or started) - FIRST_SYNC_LOOKBACK)
        cursor: str | None = None
        seen = stored = 0
        newest: str | None = None
        complete = False
        for _ in range(RECONCILE_PAGES_PER_RUN):
            page = client.orders_updated_since(since.isoformat(), cursor)
            for node in page.get("nodes") or []:
                seen += 1
                body = json.dumps(graphql_mapping.rest_order(node)).encode()
                receipt_id = store_receipt(
                    rt.engine,
                    platform="shopify",
                    topic="orders/updated",
                    delivery_id=f"reconcile:{node.get('legacyResourceId')}:{node.get('updatedAt')}",
                    shop_domain=shop.domain,
                    body=body,
                    status=ReceiptStatus.RECEIVED,
                    received_at=runtime.utcnow(),
                )
                if receipt_id is not None:  # a state we have not ingested yet
                    stored += 1
                    ingest_receipt(receipt_id, rt.uow, rt.bus, STORE_CONNECTORS, runtime.utcnow)
                newest = node.get("updatedAt") or newest
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                complete = True
                break
            cursor = info.get("endCursor")
        with rt.uow() as uow:
            stored_shop = uow.repo.shop_by_id(shop.id)
            if stored_shop is not None:
                if complete:
                    stored_shop.synced_until = started - RECONCILE_OVERLAP
                elif newest:
                    stored_shop.synced_until = datetime.fromisoformat(newest.replace("Z", "+00:00"))
                uow.commit()
        log.info("reconciled %s: %s orders seen, %s new states", shop.domain, seen, stored)
        return {"orders_seen": seen, "new_states": stored, "complete": int(complete)}

    assert connector is not None
    return _with_shop(shop_id, work)


def reconcile_all() -> int:
    """Cron: one reconciliation job per installed Shopify shop (skipped while one is still queued)."""
    rt = runtime.current()
    with rt.uow() as uow:
        shop_ids = list(
            uow.session.scalars(
                select(Shop.id).where(Shop.platform == "shopify", Shop.status == "installed", Shop.token_ciphertext.is_not(None))
            )
        )
    return queues.fan_out(rt.redis, queues.DEFAULT, "jobs.shopify.reconcile_shop", shop_ids, "reconcile", "reconcile shop")
