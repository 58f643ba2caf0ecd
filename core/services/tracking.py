"""What carriers tell us about parcels: scans stored once, the shipment's status from the carrier's own
codes, the next check scheduled, and a ShipmentStatusChanged (source "carrier") when the status moved —
which later work (write-back now; incidents, cases and messages next) listens to."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from core.domain import events
from core.domain.model import Shipment, TrackingEvent
from core.domain.status import ShipmentStatus
from core.ports import TrackingSnapshot
from core.services import scheduling
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

#: After a failed check, when to look again (a quota or rate limit says its own time).
RETRY_AFTER = {
    "transient": timedelta(minutes=30),
    "not_found": timedelta(hours=12),
    "unauthorized": timedelta(hours=12),
    "no_account": timedelta(hours=12),
    "invalid": timedelta(hours=24),
}


def _locked_shipment(uow: UnitOfWork, shipment_id: int) -> Shipment | None:
    return uow.session.scalars(select(Shipment).where(Shipment.id == shipment_id).with_for_update()).one_or_none()


#: Once a parcel is here, no later answer changes its status (an expired parcel may still come back).
SETTLED_STATUSES = {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED}
#: Without a subscription end (EasyPost pushes until delivery), a push keeps polling at the safety net this long.
PUSH_WINDOW = timedelta(days=14)


def record_tracking(event: events.TrackingObserved, uow: UnitOfWork, now: datetime) -> None:
    shipment = _locked_shipment(uow, event.shipment_id)
    if shipment is None or shipment.superseded:
        return
    snapshot: TrackingSnapshot = event.snapshot  # type: ignore[assignment]
    before = (shipment.status, shipment.substatus)
    # An older answer (a re-sent push, a poll that started before a push) adds its scans, nothing more.
    stale = shipment.status in SETTLED_STATUSES or (
        snapshot.last_event_at is not None and shipment.last_event_at is not None
        and snapshot.last_event_at < shipment.last_event_at
    )

    known = set(
        uow.session.execute(
            select(TrackingEvent.occurred_at, TrackingEvent.raw_code).where(TrackingEvent.shipment_id == shipment.id)
        ).all()
    )
    for scan in reversed(snapshot.events):  # oldest first, so ids follow time
        if scan.occurred_at is None or (scan.occurred_at, scan.code) in known:
            continue
        known.add((scan.occurred_at, scan.code))
        uow.repo.add(
            TrackingEvent(
                shipment_id=shipment.id,
                occurred_at=scan.occurred_at,
                status=scan.status,
                substatus=scan.substatus,
                raw_code=scan.code,
                description=scan.description,
                location=scan.location,
            )
        )
    if snapshot.unknown_codes:
        log.warning("shipment %s: unmapped %s codes %s", shipment.id, snapshot.carrier, ", ".join(snapshot.unknown_codes))

    if stale:
        log.info("shipment %s: an older tracking answer only added its scans", shipment.id)
        return
    shipment.apply_tracking(snapshot, now)
    if event.via == "push":  # the carrier pushes this parcel's news: polling becomes a safety net
        shipment.push_until = shipment.push_subscribed_until or now + PUSH_WINDOW
    if scheduling.expired(shipment, now):
        shipment.expire(now)
    else:
        shipment.next_check_at = scheduling.next_check_at(shipment, now)
    for change in shipment.status_changed(before, "carrier", snapshot.last_event_at or now):
        uow.collect(change)


def record_tracking_failure(event: events.TrackingFailed, uow: UnitOfWork, now: datetime) -> None:
    shipment = _locked_shipment(uow, event.shipment_id)
    if shipment is None or shipment.is_final:
        return
    shipment.check_error = f"{event.outcome}: {event.error}"[:500]
    shipment.last_checked_at = now
    if event.outcome == "not_found" and not shipment.carrier_tracked and shipment.status == ShipmentStatus.PRE_TRANSIT:
        # Label printed, carrier has no record yet: the usual first days, and the not-picked-up rule's input.
        shipment.status = ShipmentStatus.PRE_TRANSIT
    if scheduling.expired(shipment, now):
        shipment.expire(now)
        return
    wait = timedelta(seconds=event.retry_after) if event.retry_after else RETRY_AFTER.get(event.outcome, timedelta(hours=1))
    shipment.next_check_at = now + wait + scheduling.jitter(shipment.tracking_number, wait)
    shipment.updated_at = now
