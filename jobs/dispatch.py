"""Outbound events that become jobs. Each enqueues with `uow.after_commit`, so a job never starts before
the rows it reads are committed, and a rolled-back chain enqueues nothing."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from redis import Redis

from core.domain import events
from core.services.messagebus import Handler
from core.services.unit_of_work import UnitOfWork
from jobs import queues


def enqueue_write_back(redis: Redis, write_back_id: int) -> None:
    queues.enqueue(
        redis, queues.DEFAULT, "jobs.tasks.send_write_back", write_back_id,
        job_id=queues.job_id("writeback", write_back_id), description=f"write back {write_back_id}",
    )


def enqueue_message(redis: Redis, message_id: int, send_at: datetime | None = None) -> None:
    """Send (or decide not to send) one customer message now; one that must wait (`send_at`) is picked up by
    the `jobs.messages.send_due` sweep when its time comes — on the app's clock, which the demo speeds up."""
    if send_at is not None:
        return
    queues.enqueue(redis, queues.DEFAULT, "jobs.messages.send", message_id,
                   job_id=queues.job_id("message", message_id), description=f"customer message {message_id}")


def enqueue_ticket_sync(redis: Redis, case_id: int, now: datetime) -> None:
    """Bring the case's helpdesk ticket up to date (idempotent: the job reconciles before it calls)."""
    queues.enqueue(
        redis, queues.DEFAULT, "jobs.helpdesk.sync_case", case_id,
        job_id=queues.job_id("ticket", case_id, now.isoformat()), description=f"helpdesk ticket of case {case_id}",
    )


def dispatchers(redis: Redis) -> dict[type[events.Event], Sequence[Handler]]:
    def register_webhooks(event: events.ShopInstalled, uow: UnitOfWork, now: datetime) -> None:
        uow.after_commit(lambda: queues.enqueue(
            redis, queues.DEFAULT, "jobs.shopify.register_webhooks", event.shop_id,
            job_id=queues.job_id("webhooks", event.shop_id, now.isoformat()),
            description=f"register webhooks of shop {event.shop_id}",
        ))

    def send_message(event: events.MessagePlanned, uow: UnitOfWork, now: datetime) -> None:
        uow.after_commit(lambda: enqueue_message(redis, event.message_id, event.send_at))

    def send_write_back(event: events.WriteBackPlanned, uow: UnitOfWork, now: datetime) -> None:
        uow.after_commit(lambda: enqueue_write_back(redis, event.write_back_id))

    def sync_ticket(event: events.CaseEvent, uow: UnitOfWork, now: datetime) -> None:
        case_id = event.case_id
        uow.after_commit(lambda: enqueue_ticket_sync(redis, case_id, now))

    return {  # type: ignore[dict-item]
        events.ShopInstalled: [register_webhooks],
        events.WriteBackPlanned: [send_write_back],
        events.MessagePlanned: [send_message],
        events.CaseOpened: [sync_ticket],
        events.CaseReopened: [sync_ticket],
        events.CaseUpdated: [sync_ticket],
        events.CaseResolved: [sync_ticket],
    }
