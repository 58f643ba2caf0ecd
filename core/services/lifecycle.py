"""Installations: recording an install (new token), an uninstall, and a revoked token."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update

from core.adapters.orm import shipments
from core.domain import events
from core.domain.model import Shop
from core.domain.status import FINAL_STATUSES
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def record_install(
    uow: UnitOfWork, platform: str, domain: str, token_ciphertext: str, scopes: str | None, now: datetime
) -> Shop:
    """Install or re-install: one shop row per (platform, domain); a re-install replaces its token."""
    shop = uow.repo.shop(platform, domain)
    if shop is None:
        shop = Shop(platform=platform, domain=domain)
        uow.repo.add(shop)
    shop.install(token_ciphertext, scopes, now)
    uow.repo.flush()
    resume_tracking(uow, shop.id, now)
    uow.collect(events.ShopInstalled(shop_id=shop.id))
    log.info("shop %s installed on %s", domain, platform)
    return shop


def authorized(event: events.ShopAuthorized, uow: UnitOfWork, now: datetime) -> None:
    record_install(uow, event.platform, event.shop_domain, event.token_ciphertext, event.scopes, now)


def resume_tracking(uow: UnitOfWork, shop_id: int, now: datetime) -> None:
    """A (re-)installed shop's unfinished parcels are checked again at once."""
    uow.session.execute(
        update(shipments)
        .where(
            shipments.c.shop_id == shop_id,
            shipments.c.superseded.is_(False),
            shipments.c.tracking_number != "",
            shipments.c.next_check_at.is_(None),
            shipments.c.status.not_in([str(s) for s in FINAL_STATUSES]),
        )
        .values(next_check_at=now)
    )


def stop_tracking(uow: UnitOfWork, shop_id: int) -> None:
    """No more carrier checks for this shop's parcels."""
    uow.session.execute(update(shipments).where(shipments.c.shop_id == shop_id).values(next_check_at=None))


def uninstalled(event: events.AppUninstalled, uow: UnitOfWork, now: datetime) -> None:
    """The merchant removed the app: drop the token, stop tracking and messaging. Data stays until shop/redact."""
    shop = uow.repo.shop(event.platform, event.shop_domain)
    if shop is None:
        return
    shop.uninstall(now)
    stop_tracking(uow, shop.id)
    log.info("shop %s uninstalled from %s", event.shop_domain, event.platform)


def mark_needs_reauth(uow: UnitOfWork, shop_id: int, reason: str) -> None:
    shop = uow.repo.shop_by_id(shop_id)
    if shop is not None and shop.active:
        shop.needs_reauth(reason)
        log.warning("shop %s needs re-authorization: %s", shop.domain, reason)
