"""Reconciliation: orders fetched through GraphQL end exactly as their webhooks would have left them."""
from __future__ import annotations

import json
from datetime import timedelta

import fakeredis
import responses
from sqlalchemy import text

from jobs import shopify as shopify_jobs
from jobs.runtime import Runtime
from tests.conftest import make_runtime
from tests.support import (
    fixture_bytes, fixture_json, graphql_url, install_shop, post_shopify, run_jobs, snapshot,
)

PAGE_1 = fixture_json("shopify/graphql/orders_page_1.json")
PAGE_2 = fixture_json("shopify/graphql/orders_page_2.json")


@responses.activate(assert_all_requests_are_fired=True)
def test_reconciliation_gives_the_same_rows_as_the_webhooks(client, rt: Runtime, tmp_path) -> None:
    # One shop learns of the sample order through its webhooks…
    install_shop(rt)
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    post_shopify(client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    run_jobs(rt.redis)
    by_webhook = snapshot(rt)

    # …another, whose webhooks were all lost, through reconciliation alone.
    from migrations import upgrade

    url = f"sqlite:///{tmp_path}/reconciled.sqlite3"
    upgrade(url)
    other = make_runtime(url, fakeredis.FakeRedis())
    from jobs import runtime as runtime_module

    runtime_module.install(other)
    try:
        shop_id = install_shop(other)
        only_page = json.loads(json.dumps(PAGE_1))
        only_page["data"]["orders"]["pageInfo"]["hasNextPage"] = False
        responses.post(graphql_url(), json=only_page)
        result = shopify_jobs.reconcile_shop(shop_id)
        assert result == {"orders_seen": 1, "new_states": 1, "complete": 1}
        assert snapshot(other) == by_webhook
    finally:
        runtime_module.install(rt)
        other.engine.dispose()


@responses.activate(assert_all_requests_are_fired=True)
def test_reconciliation_pages_through_and_moves_its_cursor(client, rt: Runtime) -> None:
    shop_id = install_shop(rt)
    responses.post(graphql_url(), json=PAGE_1)
    responses.post(graphql_url(), json=PAGE_2)
    assert shopify_jobs.reconcile_shop(shop_id) == {"orders_seen": 2, "new_states": 2, "complete": 1}
    second = json.loads(responses.calls[1].request.body)["variables"]
    assert second["after"] == PAGE_1["data"]["orders"]["pageInfo"]["endCursor"]
    assert second["query"].startswith("updated_at:>=")
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(shop_id)
        assert shop.synced_until is not None and shop.synced_until > shop.installed_at - timedelta(minutes=10)
        assert sorted(o.name for o in uow.repo.orders(shop_id)) == ["#10000", "#9999"]
    with rt.engine.connect() as conn:
        kinds = conn.execute(text("SELECT delivery_id FROM webhook_receipts")).scalars().all()
    assert all(k.startswith("reconcile:") for k in kinds)

    # The next run sees the same states: nothing new is stored or ingested.
    only_page = json.loads(json.dumps(PAGE_1))
    only_page["data"]["orders"]["pageInfo"]["hasNextPage"] = False
    responses.post(graphql_url(), json=only_page)
    assert shopify_jobs.reconcile_shop(shop_id) == {"orders_seen": 1, "new_states": 0, "complete": 1}


def test_the_cron_job_queues_one_reconciliation_per_installed_shop(rt: Runtime) -> None:
    from rq import Queue

    from jobs import queues

    install_shop(rt, "a-shop.myshopify.com")
    install_shop(rt, "b-shop.myshopify.com")
    assert shopify_jobs.reconcile_all() == 2
    assert shopify_jobs.reconcile_all() == 2  # still queued: not queued twice
    assert Queue(queues.DEFAULT, connection=rt.redis).count == 2
