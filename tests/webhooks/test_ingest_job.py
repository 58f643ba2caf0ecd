"""The ingest job: permanent failures are recorded for the admin, transient ones are retried with backoff."""
from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.domain.model import ReceiptStatus
from jobs import queues, tasks
from jobs.runtime import Runtime
from tests.support import fixture_bytes, post_shopify, run_jobs


def receipt_status(rt: Runtime) -> tuple:
    with rt.engine.connect() as conn:
        return tuple(conn.execute(text("SELECT status, error, attempts FROM webhook_receipts")).one())


def test_ingesting_twice_is_harmless(client, rt: Runtime) -> None:
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    assert tasks.ingest(1) == ReceiptStatus.PROCESSED
    assert tasks.ingest(1) == ReceiptStatus.PROCESSED
    assert receipt_status(rt)[2] == 1


def test_a_missing_receipt_is_not_an_error(rt: Runtime) -> None:
    assert tasks.ingest(12345) == "missing"


def test_a_bug_in_mapping_marks_the_receipt_failed_with_the_reason_and_does_not_retry(
    client, rt: Runtime, monkeypatch
) -> None:
    from connectors.shopify import mapping

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("shipping_lines")

    monkeypatch.setattr(mapping, "order_data", broken)
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    run_jobs(rt.redis)
    status, error, attempts = receipt_status(rt)
    assert status == "failed" and "KeyError" in error and attempts == 1
    assert ScheduledJobRegistry(queues.INGEST, connection=rt.redis).count == 0


def test_a_transient_database_error_is_retried_with_backoff(client, rt: Runtime, monkeypatch) -> None:
    from core.services import messagebus

    def flaky(self, events):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE", {}, Exception("server closed the connection"))

    monkeypatch.setattr(messagebus.MessageBus, "handle", flaky)
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"), webhook_id="w")
    run_jobs(rt.redis)
    job = Job.fetch(queues.job_id("ingest", "shopify", "w"), connection=rt.redis)
    assert job.retries_left == len(queues.POLICIES[queues.INGEST].retry_intervals) - 1
    assert ScheduledJobRegistry(queues.INGEST, connection=rt.redis).get_job_ids() == [job.id]
    assert receipt_status(rt)[0] == "received"

    monkeypatch.undo()  # the database is back; the retry's time has come
    registry = ScheduledJobRegistry(queues.INGEST, connection=rt.redis)
    registry.remove(job)
    Queue(queues.INGEST, connection=rt.redis).enqueue_job(job)
    run_jobs(rt.redis)
    assert receipt_status(rt)[0] == "processed"


def test_job_ids_are_hashes_rq_accepts() -> None:
    jid = queues.job_id("ingest", "shopify", "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9/ü")
    assert jid.startswith("ingest-") and all(c.isalnum() or c in "-_" for c in jid)
    assert jid == queues.job_id("ingest", "shopify", "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9/ü")


def test_every_queue_has_a_retry_policy() -> None:
    assert set(queues.POLICIES) == set(queues.QUEUES)
    for policy in queues.POLICIES.values():
        assert policy.retry().max >= 1


@pytest.mark.parametrize("exc", [ConnectionError("x"), TimeoutError("x")])
def test_network_errors_count_as_transient(exc: Exception) -> None:
    assert tasks.is_transient(exc)
    assert not tasks.is_transient(KeyError("x"))


def test_a_body_with_wrong_types_is_accepted_then_failed_with_the_reason(client, rt: Runtime) -> None:
    """The request only checks presence (it must answer in milliseconds); the job validates fully."""
    import json

    order = json.loads(fixture_bytes("shopify/orders_create.json"))
    order["line_items"][0]["quantity"] = "two"
    assert post_shopify(client, "orders/create", order).status_code == 200
    run_jobs(rt.redis)
    status, error, _ = receipt_status(rt)
    assert status == "failed" and "line_items.0.quantity: Not a valid integer" in error
