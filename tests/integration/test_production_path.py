"""The production path against the real PostgreSQL and Redis on this machine (required when CI=true)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from rq import Queue
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import create_engine, inspect, text

from core.adapters.orm import in_model, metadata
from jobs import queues
from jobs.runtime import Runtime
from migrations import upgrade
from tests.conftest import REDIS_TEST_URL
from tests.support import SECRET, fixture_bytes, fixture_json, post_shopify, run_jobs

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def scalar(rt: Runtime, sql: str) -> object:
    with rt.engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_migrations_apply_on_an_empty_postgresql_database_and_match_the_model(pg_url: str) -> None:
    upgrade(pg_url)
    engine = create_engine(pg_url.replace("postgresql+psycopg", "postgresql+psycopg"))
    with engine.connect() as conn:
        assert {"shops", "orders", "shipments", "tracking_events", "webhook_receipts"} <= set(inspect(conn).get_table_names())
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "include_object": in_model}), metadata) == []
    engine.dispose()
    upgrade(pg_url)  # a second upgrade is a no-op


@pytest.fixture
def pg_client(pg_rt: Runtime):
    from web import create_app

    return create_app({"TESTING": True}, runtime=pg_rt).test_client()


def test_webhooks_flow_through_real_redis_and_a_worker_into_postgresql(pg_client, pg_rt: Runtime) -> None:
    assert post_shopify(pg_client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json")).status_code == 200
    assert post_shopify(pg_client, "orders/create", fixture_bytes("shopify/orders_create.json")).status_code == 200
    assert Queue(queues.INGEST, connection=pg_rt.redis).count == 2
    run_jobs(pg_rt.redis)
    assert scalar(pg_rt, "SELECT count(*) FROM orders") == 1
    assert scalar(pg_rt, "SELECT email FROM orders") == "jon@example.com"
    assert scalar(pg_rt, "SELECT carrier FROM shipments") == "ups"
    assert scalar(pg_rt, "SELECT count(*) FROM webhook_receipts WHERE status = 'processed'") == 2


def test_the_forewarn_worker_command_processes_ingest_jobs(pg_client, pg_rt: Runtime, pg_url: str) -> None:
    for i in range(3):
        post_shopify(pg_client, "orders/create", fixture_bytes("shopify/orders_create.json"), webhook_id=f"w{i}")
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL, "SHOPIFY_API_SECRET": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "worker", "--burst"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert scalar(pg_rt, "SELECT count(*) FROM orders") == 1
    assert scalar(pg_rt, "SELECT count(*) FROM webhook_receipts WHERE status = 'processed'") == 3


def test_two_concurrent_deliveries_of_one_webhook_store_one_receipt(pg_client, pg_rt: Runtime) -> None:
    from web import create_app

    body = fixture_bytes("shopify/orders_create.json")
    app = create_app({"TESTING": True}, runtime=pg_rt)
    for round_ in range(8):
        barrier = threading.Barrier(2)
        results: list[str] = []

        def deliver() -> None:
            client = app.test_client()
            barrier.wait()
            response = post_shopify(client, "orders/create", body, webhook_id=f"race-{round_}")
            results.append(f"{response.status_code} {response.get_json()['result']}")

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["200 accepted", "200 duplicate"]
    assert scalar(pg_rt, "SELECT count(*) FROM webhook_receipts") == 8
    assert Queue(queues.INGEST, connection=pg_rt.redis).count == 8


def test_two_workers_racing_on_one_new_order_make_one_order(pg_rt: Runtime) -> None:
    from connectors.shopify.connector import ShopifyConnector

    connector = ShopifyConnector()
    order = fixture_json("shopify/orders_create.json")
    fulfillment = fixture_bytes("shopify/fulfillments_create.json")
    for round_ in range(6):
        order["id"] = 1000 + round_
        import json as _json

        order_events = connector.to_events("race.myshopify.com", "orders/create", connector.parse("orders/create", _json.dumps(order).encode()))
        f = _json.loads(fulfillment)
        f["order_id"] = order["id"]
        f["id"] = 5000 + round_
        ship_events = connector.to_events("race.myshopify.com", "fulfillments/create", connector.parse("fulfillments/create", _json.dumps(f).encode()))
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        def work(evts) -> None:  # type: ignore[no-untyped-def]
            barrier.wait()
            try:
                pg_rt.bus.handle(evts)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(e,)) for e in (order_events, order_events, ship_events)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    assert scalar(pg_rt, "SELECT count(*) FROM shops") == 1
    assert scalar(pg_rt, "SELECT count(*) FROM orders") == 6
    assert scalar(pg_rt, "SELECT count(*) FROM shipments") == 6
    assert scalar(pg_rt, "SELECT count(*) FROM orders WHERE placeholder") == 0


def test_a_job_whose_worker_died_is_retried(real_redis) -> None:
    """A real forking worker is killed mid-job; once its heartbeat has lapsed, cleanup (done every minute by
    the sweep job and by live workers' maintenance) hands the job back for a retry."""
    job = queues.enqueue(real_redis, queues.DEFAULT, "tests.integration.helpers.hang", 60, job_id="hang-1")
    code = (
        "from redis import Redis; from rq import Worker, Queue;"
        f"r = Redis.from_url({REDIS_TEST_URL!r});"
        "Worker([Queue('default', connection=r)], connection=r, job_monitoring_interval=1).work()"
    )
    worker = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while job.get_status(refresh=True) != JobStatus.STARTED:
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse die without a word
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)

    registry = StartedJobRegistry(queues.DEFAULT, connection=real_redis)
    assert job.id in [i.split(":")[0] for i in registry.get_job_ids(cleanup=False)] or job.id in registry
    registry.cleanup(timestamp=time.time() + 60 + queues.WORKER_SETTINGS["job_monitoring_interval"] + 1)
    job.refresh()
    assert job.retries_left == len(queues.POLICIES[queues.DEFAULT].retry_intervals) - 1
    assert job.id in ScheduledJobRegistry(queues.DEFAULT, connection=real_redis).get_job_ids()


def _slow_reads_for(thread_prefix: str, seconds: float, monkeypatch, method: str = "order") -> None:  # type: ignore[no-untyped-def]
    """The named worker pauses right after a repository read, as a slow worker would."""
    from core.adapters import repository

    original = getattr(repository.Repository, method)

    def slow(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = original(self, *args, **kwargs)
        if threading.current_thread().name.startswith(thread_prefix):
            time.sleep(seconds)
        return found

    monkeypatch.setattr(repository.Repository, method, slow)


def _race(older, newer) -> None:  # type: ignore[no-untyped-def]
    """The older state is read first and written last; the newer one is read and written in between.
    Without a row lock the older write lands on top of the newer one."""
    a = threading.Thread(target=older, name="older")
    b = threading.Thread(target=newer, name="newer")
    a.start()
    time.sleep(0.1)
    b.start()
    a.join()
    b.join()


def test_an_older_state_read_first_and_written_last_never_overwrites_a_newer_one(pg_rt: Runtime, monkeypatch) -> None:
    import json as _json

    from connectors.shopify.connector import ShopifyConnector

    connector = ShopifyConnector()

    def order_events(updated: str, email: str):  # type: ignore[no-untyped-def]
        payload = fixture_json("shopify/orders_create.json")
        payload.update(updated_at=updated, email=email)
        return connector.to_events("race.myshopify.com", "orders/updated", connector.parse("orders/updated", _json.dumps(payload).encode()))

    pg_rt.bus.handle(order_events("2026-01-01T10:00:00+00:00", "first@example.com"))
    _slow_reads_for("older", 0.5, monkeypatch)
    _race(lambda: pg_rt.bus.handle(order_events("2026-01-01T11:00:00+00:00", "older@example.com")),
          lambda: pg_rt.bus.handle(order_events("2026-01-01T12:00:00+00:00", "newest@example.com")))
    assert scalar(pg_rt, "SELECT email FROM orders") == "newest@example.com"


def test_racing_updates_of_one_fulfillment_leave_one_live_parcel(pg_rt: Runtime, monkeypatch) -> None:
    import json as _json

    from connectors.shopify.connector import ShopifyConnector

    connector = ShopifyConnector()

    def fulfillment_events(updated: str, number: str):  # type: ignore[no-untyped-def]
        payload = fixture_json("shopify/fulfillments_create.json")
        payload.update(updated_at=updated, tracking_number=number, tracking_numbers=[number], tracking_urls=[], tracking_url=None)
        return connector.to_events("race.myshopify.com", "fulfillments/update", connector.parse("fulfillments/update", _json.dumps(payload).encode()))

    pg_rt.bus.handle(fulfillment_events("2026-01-01T10:00:00+00:00", "1ZFIRST"))
    _slow_reads_for("older", 0.5, monkeypatch, "shipments_of_fulfillment")
    _race(lambda: pg_rt.bus.handle(fulfillment_events("2026-01-01T11:00:00+00:00", "1ZTYPO")),
          lambda: pg_rt.bus.handle(fulfillment_events("2026-01-01T12:00:00+00:00", "1ZCORRECT")))
    with pg_rt.engine.connect() as conn:
        live = conn.execute(text("SELECT tracking_number FROM shipments WHERE NOT superseded")).scalars().all()
    assert live == ["1ZCORRECT"]


def test_a_job_that_runs_past_its_timeout_is_retried_not_failed(pg_client, pg_rt: Runtime, monkeypatch) -> None:
    from rq.timeouts import JobTimeoutException

    from core.services import messagebus
    from jobs import tasks

    def too_slow(self, events):  # type: ignore[no-untyped-def]
        raise JobTimeoutException("Task exceeded maximum timeout value (60 seconds)")

    post_shopify(pg_client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    monkeypatch.setattr(messagebus.MessageBus, "handle", too_slow)
    with pytest.raises(JobTimeoutException):
        tasks.ingest(1)
    assert scalar(pg_rt, "SELECT status FROM webhook_receipts") == "received"
