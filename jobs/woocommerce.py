"""WooCommerce jobs: connect a store (webhooks, recent orders), keep its webhooks healthy, write order notes.

WooCommerce never retries a failed delivery and disables a webhook after a handful of failures, so the
health job is the safety net, not an extra: every five minutes it checks each store's webhooks — re-enables a
disabled one, recreates a missing one — and fetches the orders modified since the last good sync through the
same ingest path as webhooks (a receipt per order state, so a state already received is not processed
again). A dropped delivery is repaired within minutes. Keys the store revoked mark the store `needs_reauth`.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any

from connectors.woocommerce import mapping
from connectors.woocommerce.client import WooClient
from core.adapters.receipts import store_receipt
from core.domain.model import ReceiptStatus, Shop, ShopStatus, WooInstallation, WooStatus, WriteBack, WriteBackStatus
from core.errors import ConnectorError, NotFound, Permanent, RateLimited, Transient, Unauthorized
from core.services.lifecycle import mark_needs_reauth
from jobs import queues, runtime
from webhooks.woocommerce import receipt_key

log = logging.getLogger(__name__)

#: What Forewarn subscribes to. `order.updated` also fires when tracking meta is saved on the order.
TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")
WEBHOOK_NAME = "Forewarn"
#: How far back a new store's orders are fetched, and how much each sync overlaps the last (clock skew).
FIRST_SYNC = timedelta(days=30)
OVERLAP = timedelta(minutes=5)


def client_for(rt: runtime.Runtime, installation: WooInstallation) -> WooClient:
    creds = json.loads(rt.cipher.decrypt(installation.credentials_ciphertext or ""))
    return WooClient(installation.store_url, creds["consumer_key"], creds["consumer_secret"],
                     allow_private=rt.settings.allow_private_network, allow_http=rt.settings.demo)


def delivery_url(rt: runtime.Runtime, installation: WooInstallation) -> str:
    return f"{rt.settings.base_url}/webhooks/woocommerce/{installation.public_id}"


def connect(installation_id: int) -> dict[str, Any]:
    """Right after the store sent its keys: the store must accept them (a forged callback's keys it does not
    know), then the installation becomes the store's, its webhooks are registered and recent orders fetched."""
    rt = runtime.current()
    with rt.uow() as uow:
        installation = uow.session.get(WooInstallation, installation_id)
        if installation is None:
            return {"skipped": "no such installation"}
        if installation.status != WooStatus.VERIFYING:
            status = installation.status
            uow.session.expunge(installation)
            return check_health(installation_id) if status == WooStatus.ACTIVE else {"skipped": status}
        uow.session.expunge(installation)
    try:
        client_for(rt, installation).check()
    except (Unauthorized, Permanent, NotFound) as exc:
        with rt.uow() as uow:
            row = uow.session.get(WooInstallation, installation_id)
            row.status, row.health_error = WooStatus.REFUSED, f"the store did not accept the keys: {exc}"
            row.credentials_ciphertext = None  # keys the store does not know are nobody's
            uow.commit()
        log.warning("WooCommerce installation %s refused: %s", installation_id, exc)
        return {"refused": str(exc)}
    _activate(rt, installation_id)
    return check_health(installation_id)


def _activate(rt: runtime.Runtime, installation_id: int) -> None:
    """The verified installation becomes its store's: the shop is created or re-installed, an earlier
    connection is superseded (its sign-in address carried over). One store at a time (a Redis lock): two
    approvals of one store never both win."""
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation_id)
        domain = row.store_url.split("://", 1)[1]
    with _lock(rt, f"woo-activate:{domain}"), rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation_id)
        if row is None or row.status != WooStatus.VERIFYING:
            return
        now = runtime.utcnow()
        shop = uow.repo.shop("woocommerce", domain)
        if shop is None:
            shop = Shop(platform="woocommerce", domain=domain, name=domain.split("/")[0], installed_at=now)
            uow.repo.add(shop)
            uow.repo.flush()
        previous = uow.repo.woo_installation_of_shop(shop.id)
        if previous is not None:
            previous.status, row.reconnect_of = WooStatus.SUPERSEDED, previous.id
            row.admin_email = previous.admin_email or row.admin_email  # the address on file stays the owner's
        shop.status, shop.status_reason, shop.uninstalled_at = ShopStatus.INSTALLED, None, None
        row.shop_id, row.status, row.connected_at = shop.id, WooStatus.ACTIVE, now
        uow.commit()
    log.info("WooCommerce store %s connected (installation %s)", domain, installation_id)


class _lock:
    """SET NX with an expiry (the demo's in-process Redis has no Lua for redis-py's Lock); busy → Transient,
    and RQ tries again later."""

    def __init__(self, rt: runtime.Runtime, name: str, seconds: int = 300) -> None:
        self.redis, self.key, self.seconds = rt.redis, f"forewarn:lock:{name}", seconds
        self.token = os.urandom(8).hex()

    def __enter__(self) -> None:
        if not self.redis.set(self.key, self.token, nx=True, ex=self.seconds):
            raise Transient(f"{self.key} is held by another worker")

    def __exit__(self, *exc: object) -> None:
        if self.redis.get(self.key) == self.token.encode():
            self.redis.delete(self.key)


def check_health(installation_id: int) -> dict[str, Any]:
    """One store's webhooks made whole and what changed since the last sync fetched — one worker at a time
    per store, so two never create the same webhook twice. A webhook error does not stop the fetch."""
    rt = runtime.current()
    with _lock(rt, f"woo-health:{installation_id}"):
        return _check_health(rt, installation_id)


def _check_health(rt: runtime.Runtime, installation_id: int) -> dict[str, Any]:
    with rt.uow() as uow:
        installation = uow.session.get(WooInstallation, installation_id)
        if installation is None or installation.status != WooStatus.ACTIVE or installation.shop_id is None:
            return {"skipped": "not an active installation"}
        uow.session.expunge(installation)
        shop = uow.repo.shop_by_id(installation.shop_id)
        started = runtime.utcnow()
        since = (shop.synced_until - OVERLAP) if shop and shop.synced_until else started - FIRST_SYNC
        domain = shop.domain if shop else ""
    errors: list[str] = []
    webhooks: dict[str, int] | None = None
    fetched, newest = 0, None
    try:
        client = client_for(rt, installation)
        try:
            webhooks = _ensure_webhooks(rt, installation, client)
        except (NotFound, Permanent) as exc:  # one webhook refused: the orders are still fetched
            errors.append(f"webhooks: {exc}")
        fetched, newest = _backfill(rt, client, domain, since)
    except Unauthorized as exc:
        _needs_reauth(installation_id, str(exc))
        return {"needs_reauth": str(exc)}
    except (Transient, RateLimited) as exc:
        _health(installation_id, f"{exc} — retrying")
        raise
    except ConnectorError as exc:
        errors.append(f"orders: {exc}")
        newest = None
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation_id)
        shop = uow.repo.shop_by_id(row.shop_id) if row and row.shop_id else None
        if row is not None:
            row.webhooks = webhooks if webhooks is not None else row.webhooks
            row.health_checked_at, row.health_error = runtime.utcnow(), "; ".join(errors) or None
        if shop is not None and not any(e.startswith("orders:") for e in errors):
            if webhooks is not None:
                shop.webhooks_registered_at = shop.webhooks_registered_at or runtime.utcnow()
            # never past the moment this fetch started: one order dated in the future must not freeze the cursor
            reached = min(newest, started) if newest else None
            shop.synced_until = max(filter(None, (shop.synced_until, reached))) if reached else (shop.synced_until or since)
        uow.commit()
    return {"webhooks": webhooks, "orders_fetched": fetched, "errors": errors}


def _ensure_webhooks(rt: runtime.Runtime, installation: WooInstallation, client: WooClient) -> dict[str, int]:
    """Each topic has one active webhook of ours (ours: it delivers to our address): a disabled or paused one
    is switched back on, a missing one created with the store's secret."""
    url = delivery_url(rt, installation)
    secret = rt.cipher.decrypt(installation.webhook_secret_ciphertext or "")
    ours = [w for w in client.webhooks() if w.get("delivery_url") == url]
    result: dict[str, int] = {}
    for topic in TOPICS:
        existing = next((w for w in ours if w.get("topic") == topic), None)
        if existing is None:
            created = client.create_webhook(WEBHOOK_NAME, topic, url, secret)
            log.info("created the %s webhook of %s", topic, installation.store_url)
            result[topic] = int(created["id"])
            continue
        if existing.get("status") != "active":
            client.update_webhook(int(existing["id"]), status="active")
            log.warning("re-enabled the %s webhook of %s (it was %s)", topic, installation.store_url, existing.get("status"))
        result[topic] = int(existing["id"])
    return result


def _backfill(rt: runtime.Runtime, client: WooClient, domain: str, since: datetime) -> tuple[int, datetime | None]:
    """Orders modified since `since`, each stored as a receipt keyed on its state and ingested like a webhook."""
    fetched, newest = 0, None
    for order in client.orders_modified_after(since):
        body = json.dumps(order, separators=(",", ":")).encode()
        key = receipt_key(domain, mapping.dedupe_key("order.updated", order))  # the same key its webhook had
        receipt_id = store_receipt(rt.engine, platform="woocommerce", topic="order.updated", delivery_id=key,
                                   shop_domain=domain, body=body, status=ReceiptStatus.RECEIVED,
                                   received_at=runtime.utcnow(), event_id="reconciliation")
        if receipt_id is not None:  # a state we had not received: ingest it
            queues.enqueue_ingest(rt.redis, receipt_id, "woocommerce", key, fresh=True)
            fetched += 1
        modified = _gmt(order.get("date_modified_gmt"))
        newest = max(newest, modified) if newest and modified else (modified or newest)
    return fetched, newest


def _gmt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _health(installation_id: int, error: str | None) -> None:
    rt = runtime.current()
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation_id)
        if row is not None:
            row.health_checked_at, row.health_error = runtime.utcnow(), error
            uow.commit()


def _needs_reauth(installation_id: int, why: str) -> None:
    rt = runtime.current()
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation_id)
        if row is None:
            return
        row.status, row.health_checked_at = WooStatus.NEEDS_REAUTH, runtime.utcnow()
        row.health_error = f"the store refused Forewarn's keys ({why}): connect it again from /install/woocommerce"
        if row.shop_id is not None:
            mark_needs_reauth(uow, row.shop_id, row.health_error)
        uow.commit()
    log.warning("WooCommerce installation %s needs re-authorization: %s", installation_id, why)


def check_all() -> int:
    """Every five minutes (rq cron): one health job per connected store."""
    rt = runtime.current()
    with rt.uow() as uow:
        ids = [i.id for i in uow.repo.active_woo_installations()]
    return queues.fan_out(rt.redis, queues.MAINTENANCE, "jobs.woocommerce.check_health", ids, "woo-health",
                          "WooCommerce webhook health")


# -- write-back: private order notes --------------------------------------------------------------------------


def send_write_back(write_back_id: int) -> str:
    """A private order note with Forewarn's finding. Never twice: the note carries the write-back's key, and a
    retry first looks for it among the order's notes."""
    rt = runtime.current()
    with rt.uow() as uow:
        item = uow.session.get(WriteBack, write_back_id)
        if item is None or item.status == WriteBackStatus.SENT:
            return "done"
        shop = uow.repo.shop_by_id(item.shop_id)
        order = uow.repo.order_by_id(item.order_id) if item.order_id else None
        installation = uow.repo.woo_installation_of_shop(item.shop_id)
        if shop is None or order is None or installation is None or installation.status != WooStatus.ACTIVE:
            item.status, item.error = WriteBackStatus.SKIPPED, "the store is not connected"
            uow.commit()
            return "skipped"
        item.attempts += 1
        uow.commit()
        uow.session.expunge(installation)
        text, key, order_id = item.payload["note"], item.key, order.platform_order_id
    marker = f"[forewarn:{key}]"

    def finish(status: str, error: str | None = None, remote_id: str | None = None) -> str:
        with rt.uow() as uow:
            row = uow.session.get(WriteBack, write_back_id)
            row.status, row.error, row.remote_id = status, error, remote_id
            row.sent_at = runtime.utcnow() if status == WriteBackStatus.SENT else row.sent_at
            uow.commit()
        return status

    try:
        client = client_for(rt, installation)
        for note in client.order_notes(order_id):
            if marker in (note.get("note") or ""):
                return finish(WriteBackStatus.SENT, None, str(note.get("id")))
        created = client.add_order_note(order_id, f"{text}\n{marker}")
        return finish(WriteBackStatus.SENT, None, str(created.get("id")))
    except (Transient, RateLimited) as exc:
        finish(WriteBackStatus.PENDING, f"{exc} — retrying")
        raise
    except Unauthorized as exc:
        _needs_reauth(installation.id or 0, str(exc))
        return finish(WriteBackStatus.FAILED, str(exc))
    except (NotFound, Permanent) as exc:
        return finish(WriteBackStatus.FAILED, str(exc))
