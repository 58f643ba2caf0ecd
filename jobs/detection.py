"""Detection over time: rules like "stuck for 3 business days" become true without any news arriving, so a
cron job re-evaluates the orders that can still change — those with unfinished parcels, open incidents,
or paid and unshipped — in batches, each order in its own transaction."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from core.domain.events import OrderNeedsEvaluation
from core.domain.model import Incident, Order, Shipment, Shop, ShopStatus
from core.domain.status import FINAL_STATUSES
from jobs import runtime

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=90)
BATCH = 5000


def detect_due() -> int:
    rt = runtime.current()
    now = runtime.utcnow()
    with rt.uow() as uow:
        unfinished = select(Shipment.order_id).where(
            Shipment.superseded.is_(False), Shipment.status.not_in([str(s) for s in FINAL_STATUSES])
        )
        # an open incident on a parcel that reached its end (returned to the sender, expired) cannot change with
        # time: its order waits for news (which evaluates it anyway) instead of being re-read every 5 minutes
        final_parcels = select(Shipment.id).where(
            or_(Shipment.superseded.is_(True), Shipment.status.in_([str(s) for s in FINAL_STATUSES])))
        open_incidents = select(Incident.order_id).where(
            Incident.status == "open", or_(Incident.shipment_id.is_(None), Incident.shipment_id.not_in(final_parcels)))
        order_ids = list(uow.session.scalars(
            select(Order.id)
            .join(Shop, Shop.id == Order.shop_id)
            .where(
                Shop.status == ShopStatus.INSTALLED,
                or_(
                    Order.id.in_(unfinished),
                    Order.id.in_(open_incidents),
                    (Order.fulfillment_status.is_(None)) & (Order.status == "open") & (Order.placed_at > now - LOOKBACK),
                ),
            )
            .order_by(Order.id)
            .limit(BATCH)
        ))
    for order_id in order_ids:
        rt.bus.handle([OrderNeedsEvaluation(order_id)])
    return len(order_ids)


def recompute_baselines() -> int:
    """Cron, every 6 hours: each installed shop's lane baselines from its delivered parcels."""
    from core.services import baselines

    rt = runtime.current()
    now = runtime.utcnow()
    with rt.uow() as uow:
        shop_ids = list(uow.session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    for shop_id in shop_ids:
        with rt.uow() as uow:
            baselines.compute(uow, shop_id, now)
            uow.commit()
    return len(shop_ids)


def cluster_incidents() -> int:
    """Cron, every 10 minutes: group each shop's open stuck / running-late incidents by carrier and place."""
    from core.services.detection import cluster_shop

    rt = runtime.current()
    now = runtime.utcnow()
    with rt.uow() as uow:
        shop_ids = list(uow.session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    opened = 0
    for shop_id in shop_ids:
        with rt.uow() as uow:
            opened += len(cluster_shop(uow, shop_id, now))
            uow.commit()
    return opened


def flag_sla_breaches() -> int:
    """Cron, every 5 minutes: cases past their SLA without a first response are flagged (and counted)."""
    from core.services.cases import flag_sla_breaches as flag

    rt = runtime.current()
    with rt.uow() as uow:
        flagged = flag(uow, None, runtime.utcnow())
        uow.commit()
    return flagged
