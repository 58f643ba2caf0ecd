"""Wix sites: installing and removing the app, reconciliation of recently updated orders, order activities.

Wix's OAuth gives an access token for a site's app instance from the app's own id and secret, so a site is
installed once Forewarn can get a token for its instance (proof that the app is installed there). Removal
stops everything for that site and deletes its cached token. Every 15 minutes the orders updated since the
last good sync (and their fulfillments) are fetched through the same ingest path as webhooks, keyed like
them, so an event Wix never managed to deliver is repaired and one already received is not processed again.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError

from connectors.wix.client import WixClient
from core.adapters.receipts import store_receipt
from core.domain.model import ReceiptStatus, Shop, ShopStatus, WixInstallation, WriteBack, WriteBackStatus
from core.errors import ConnectorError, NotFound, Permanent, RateLimited, Transient, Unauthorized
from core.services.lifecycle import mark_needs_reauth, resume_tracking, stop_tracking
from jobs import queues, runtime

log = logging.getLogger(__name__)

FIRST_SYNC = timedelta(days=30)
OVERLAP = timedelta(minutes=5)
#: The event types a reconciled order and its fulfillments are stored under (what their webhooks carry).
ORDER_UPDATED = "wix.ecom.v1.order_updated"
FULFILLMENTS_UPDATED = "wix.ecom.v1.fulfillments_updated"
TOKEN_KEY = "forewarn:wix-token:{}"


class EncryptedTokenCache:
    """Access tokens per instance, in Redis, encrypted at rest with Forewarn's key; they expire with Wix's."""

    def __init__(self, rt: runtime.Runtime) -> None:
        self.rt = rt

    def get(self, instance_id: str) -> str | None:
        stored = self.rt.redis.get(TOKEN_KEY.format(instance_id))
        try:
            return self.rt.cipher.decrypt(stored.decode()) if stored else None
        except ValueError:  # written under a key since rotated away: a miss, and a new token is fetched
            return None

    def set(self, instance_id: str, token: str, ttl_seconds: int) -> None:
        self.rt.redis.set(TOKEN_KEY.format(instance_id), self.rt.cipher.encrypt(token), ex=max(1, int(ttl_seconds)))

    def delete(self, instance_id: str) -> None:
        self.rt.redis.delete(TOKEN_KEY.format(instance_id))


def client_for(rt: runtime.Runtime, instance_id: str) -> WixClient:
    if not (rt.settings.wix_app_id and rt.settings.wix_app_secret):
        raise Unauthorized("WIX_APP_ID and WIX_APP_SECRET are not set")
    return WixClient(rt.settings.wix_app_id, rt.settings.wix_app_secret, instance_id, rt.http,
                     base_url=rt.settings.wix_api_url, token_cache=EncryptedTokenCache(rt))


def install_site(instance_id: str, now: datetime, site_name: str | None = None) -> int:
    """Record a site whose app instance gave Forewarn a token (the caller got it): its shop and installation,
    or the same ones again after a re-install. Returns the shop id."""
    rt = runtime.current()
    with rt.uow() as uow:
        shop = uow.repo.shop("wix", instance_id)
        if shop is None:
            shop = Shop(platform="wix", domain=instance_id, name=site_name or "Wix site", installed_at=now)
            uow.repo.add(shop)
            uow.repo.flush()
        elif site_name:
            shop.name = site_name
        shop.status, shop.status_reason, shop.uninstalled_at = ShopStatus.INSTALLED, None, None
        installation = uow.repo.wix_installation(instance_id)
        if installation is None:
            uow.repo.add(WixInstallation(instance_id=instance_id, shop_id=shop.id, installed_at=now))
        elif installation.status != "installed":  # installed again: a removal signed before now is old news
            installation.status, installation.removed_at, installation.installed_at = "installed", None, now
            resume_tracking(uow, shop.id, now)
        shop_id = shop.id
        uow.commit()
    queues.fan_out(rt.redis, queues.MAINTENANCE, "jobs.wix.reconcile", [instance_id], "wix-reconcile", "reconcile Wix site")
    log.info("Wix site %s installed", instance_id)
    return shop_id


def remove_site(instance_id: str, now: datetime, signed_at: datetime | None = None) -> str:
    """The app was removed from the site: in one transaction the installation ends, the shop is uninstalled
    and tracking stops; then its cached token is deleted. A removal signed before the site's latest install
    (Wix resends for days, out of order) changes nothing."""
    rt = runtime.current()
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        shop = uow.repo.shop("wix", instance_id)
        if installation is None or shop is None:
            return "unknown site"
        # (a minute of leeway: Wix's clock and ours, and `iat` has whole seconds)
        if signed_at is not None and signed_at + timedelta(minutes=1) < installation.installed_at:
            log.info("ignored a removal of Wix site %s signed before its latest install", instance_id)
            return "stale removal"
        if installation.status == "removed" and not shop.active:
            return "already removed"
        installation.status, installation.removed_at = "removed", now
        shop.uninstall(now)
        stop_tracking(uow, shop.id)
        uow.commit()
    try:
        EncryptedTokenCache(rt).delete(instance_id)
    except RedisError as exc:  # the token expires by itself within hours; nothing calls Wix for this site now
        log.warning("could not delete the cached token of removed Wix site %s: %s", instance_id, exc)
    log.info("Wix site %s removed the app", instance_id)
    return "removed"


#: At most this many orders per run (the rest the next run, from where this one got to): a busy site's first
#: sync never outlives the job's timeout.
ORDERS_PER_RUN = 200


def reconcile(instance_id: str) -> dict[str, Any]:
    rt = runtime.current()
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        if installation is None or installation.status != "installed":
            return {"skipped": "not installed"}
        started = runtime.utcnow()
        since = (installation.synced_until - OVERLAP) if installation.synced_until else started - FIRST_SYNC
        shop_id = installation.shop_id
    fetched, seen, reached = 0, 0, None
    try:
        client = client_for(rt, instance_id)
        for order in client.search_orders_updated_since(since):
            known_state, known_parcels = _known(rt, shop_id, str(order["id"]))
            if known_state is None or (_time(order.get("updatedDate")) or known_state) > known_state:
                fetched += _store(rt, instance_id, ORDER_UPDATED, _order_event(order))
            if order.get("fulfillmentStatus") not in (None, "NOT_FULFILLED"):
                asked_at = runtime.utcnow()
                fulfillments = client.list_fulfillments(str(order["id"]))
                if fulfillments and not _parcels(fulfillments) <= known_parcels:
                    fetched += _store(rt, instance_id, FULFILLMENTS_UPDATED,
                                      _fulfillments_event(str(order["id"]), fulfillments, asked_at))
            seen += 1
            reached = _time(order.get("updatedDate")) or reached
            if seen % 50 == 0:
                _progress(rt, instance_id, reached, started)
            if seen >= ORDERS_PER_RUN:
                break
    except Unauthorized as exc:
        _refused(rt, instance_id, str(exc))
        return {"refused": str(exc)}
    except (Transient, RateLimited) as exc:
        _sync_error(instance_id, f"{exc} — retrying")
        raise
    except ConnectorError as exc:
        _sync_error(instance_id, str(exc))
        return {"failed": str(exc)}
    _progress(rt, instance_id, reached if seen >= ORDERS_PER_RUN else started, started, clear_error=True)
    return {"fetched": fetched, "orders": seen}


def _progress(rt: runtime.Runtime, instance_id: str, reached: datetime | None, started: datetime, *,
              clear_error: bool = False) -> None:
    """Record how far the sync got (orders come oldest change first), never past the moment it started."""
    if reached is None:
        return
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        installation.synced_until = min(reached, started)
        if clear_error:
            installation.sync_error = None
        shop = uow.repo.shop_by_id(installation.shop_id)
        if shop is not None:
            shop.synced_until = installation.synced_until
        uow.commit()


def _refused(rt: runtime.Runtime, instance_id: str, why: str) -> None:
    """Wix refuses a token for the instance: the app was most likely removed and the removal event lost."""
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        installation.sync_error = f"Wix refused Forewarn's access ({why}): open Forewarn from the site's dashboard"
        mark_needs_reauth(uow, installation.shop_id, installation.sync_error)
        uow.commit()


def _parcels(fulfillments: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(str(f.get("id")), str((f.get("trackingInfo") or {}).get("trackingNumber") or "")) for f in fulfillments}


def _known(rt: runtime.Runtime, shop_id: int, order_id: str) -> tuple[datetime | None, set[tuple[str, str]]]:
    """What Forewarn already has of an order (its events came by webhook): the state's time and fulfillments.
    A fetched state no newer than that is not taken again."""
    with rt.uow() as uow:
        order = uow.repo.order(shop_id, order_id)
        if order is None or order.placeholder:
            return None, set()
        parcels = {(s.platform_fulfillment_id, s.tracking_number or "") for s in uow.repo.shipments_of_order(order.id)
                   if not s.superseded}
        return order.source_updated_at, parcels


def _time(value: Any) -> datetime | None:
    from connectors.wix.verify import parse_time

    return parse_time(value)


def _order_event(order: dict[str, Any]) -> dict[str, Any]:
    """The domain event an order update webhook carries (Wix's eCom v1 event structure), for this state."""
    return {"id": _state_id("order", order["id"], order), "entityFqdn": "wix.ecom.v1.order", "slug": "updated",
            "entityId": order["id"], "eventTime": order.get("updatedDate"), "updatedEvent": {"currentEntity": order}}


def _fulfillments_event(order_id: str, fulfillments: list[dict[str, Any]], asked_at: datetime) -> dict[str, Any]:
    """Dated just before the fulfillments were asked for: a webhook about a later change still wins."""
    entity = {"orderId": order_id, "fulfillments": fulfillments}
    return {"id": _state_id("fulfillments", order_id, entity), "entityFqdn": "wix.ecom.v1.fulfillments",
            "slug": "updated", "entityId": order_id, "eventTime": asked_at.isoformat().replace("+00:00", "Z"),
            "updatedEvent": {"currentEntity": entity}}


def _state_id(kind: str, entity_id: Any, state: Any) -> str:
    """A reconciled state's event id: the same state fetched twice is one receipt."""
    digest = hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return f"reconciled:{kind}:{entity_id}:{digest}"


def _store(rt: runtime.Runtime, instance_id: str, event_type: str, event: dict[str, Any]) -> int:
    key = f"{instance_id}|{event['id']}"
    receipt_id = store_receipt(rt.engine, platform="wix", topic=event_type, delivery_id=key, shop_domain=instance_id,
                               body=json.dumps(event).encode(), status=ReceiptStatus.RECEIVED,
                               received_at=runtime.utcnow(), event_id="reconciliation")
    if receipt_id is None:
        return 0
    queues.enqueue_ingest(rt.redis, receipt_id, "wix", key, fresh=True)
    return 1


def _sync_error(instance_id: str, error: str) -> None:
    rt = runtime.current()
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        if installation is not None:
            installation.sync_error = error
            uow.commit()


def reconcile_all() -> int:
    """Every 15 minutes (rq cron): one reconciliation per installed site."""
    rt = runtime.current()
    with rt.uow() as uow:
        ids = [i.instance_id for i in uow.repo.installed_wix_sites()]
    return queues.fan_out(rt.redis, queues.MAINTENANCE, "jobs.wix.reconcile", ids, "wix-reconcile", "reconcile Wix site")


def send_write_back(write_back_id: int) -> str:
    """Forewarn's finding as an activity on the Wix order (the order's timeline in the site's dashboard)."""
    rt = runtime.current()
    with rt.uow() as uow:
        item = uow.session.get(WriteBack, write_back_id)
        if item is None or item.status == WriteBackStatus.SENT:
            return "done"
        shop = uow.repo.shop_by_id(item.shop_id)
        order = uow.repo.order_by_id(item.order_id) if item.order_id else None
        if shop is None or order is None or shop.status != ShopStatus.INSTALLED:
            item.status, item.error = WriteBackStatus.SKIPPED, "the site is not installed"
            uow.commit()
            return "skipped"
        item.attempts += 1
        uow.commit()
        text, instance_id, order_id = item.payload["note"], shop.domain, order.platform_order_id

    def finish(status: str, error: str | None = None) -> str:
        with rt.uow() as uow:
            row = uow.session.get(WriteBack, write_back_id)
            row.status, row.error = status, error
            row.sent_at = runtime.utcnow() if status == WriteBackStatus.SENT else row.sent_at
            uow.commit()
        return status

    try:
        client_for(rt, instance_id).add_order_activity(order_id, text)
        return finish(WriteBackStatus.SENT)
    except (Transient, RateLimited) as exc:
        finish(WriteBackStatus.PENDING, f"{exc} — retrying")
        raise
    except (Unauthorized, NotFound, Permanent) as exc:
        return finish(WriteBackStatus.FAILED, str(exc))
