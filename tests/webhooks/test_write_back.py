"""Write-back: fulfillment events and order tags posted to Shopify once, only when the merchant wants it."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import responses
from rq import Queue

from core.domain.events import ShipmentStatusChanged
from jobs import queues
from jobs import shopify as shopify_jobs
from jobs.runtime import Runtime
from tests.support import fixture_bytes, fixture_json, graphql_url, install_shop, post_shopify, run_jobs

HAPPENED = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
EVENT_CREATED = fixture_json("shopify/graphql/fulfillment_event_create.json")
TAGGED = {"data": {"tagsAdd": {"node": {"id": "gid://shopify/Order/820982911946154508"}, "userErrors": []}}}


def seed(client, rt: Runtime, write_back: bool = True) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    shop_id = install_shop(rt, write_back=write_back)
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    post_shopify(client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [shipment] = uow.repo.shipments()
        return shop_id, shipment.order_id, shipment.id


def carrier_says(rt: Runtime, ids: tuple[int, int, int], status: str = "in_transit", substatus: str | None = "delayed",
                 source: str = "carrier") -> None:
    shop_id, order_id, shipment_id = ids
    rt.bus.handle([ShipmentStatusChanged(shop_id, order_id, shipment_id, status, substatus, source, HAPPENED)])


def log(rt: Runtime) -> list[tuple]:
    with rt.uow() as uow:
        return [(w.key, w.status, w.attempts, w.error) for w in reversed(uow.repo.write_backs())]


@responses.activate(assert_all_requests_are_fired=True)
def test_a_delay_is_posted_as_a_fulfillment_event_and_a_tag_once(client, rt: Runtime) -> None:
    ids = seed(client, rt)
    carrier_says(rt, ids)
    carrier_says(rt, ids)  # the same news again: nothing new planned
    assert Queue(queues.DEFAULT, connection=rt.redis).count == 2
    responses.post(graphql_url(), json=EVENT_CREATED)
    responses.post(graphql_url(), json=TAGGED)
    run_jobs(rt.redis)
    first, second = (json.loads(c.request.body)["variables"] for c in responses.calls)
    assert first == {"fulfillmentEvent": {"fulfillmentId": "gid://shopify/Fulfillment/123456", "status": "DELAYED",
                                          "happenedAt": "2026-11-20T12:00:00+00:00"}}
    assert second == {"id": "gid://shopify/Order/820982911946154508", "tags": ["forewarn:late"]}
    assert [(k, s) for k, s, _, _ in log(rt)] == [
        (f"fulfillment_event:{ids[2]}:in_transit:delayed", "sent"), (f"order_tag:{ids[1]}:forewarn:late", "sent"),
    ]
    assert shopify_jobs.send_write_back(1) == "sent"  # a re-run job posts nothing
    assert len(responses.calls) == 2


def test_nothing_is_written_back_while_the_setting_is_off_or_for_shopifys_own_news(client, rt: Runtime) -> None:
    ids = seed(client, rt, write_back=False)
    carrier_says(rt, ids)
    assert log(rt) == []
    with rt.uow() as uow:
        uow.repo.shop_by_id(ids[0]).write_back = True
        uow.commit()
    carrier_says(rt, ids, source="platform")
    assert log(rt) == []


@responses.activate(assert_all_requests_are_fired=True)
def test_a_retry_after_a_crash_finds_the_event_already_posted(client, rt: Runtime) -> None:
    ids = seed(client, rt)
    carrier_says(rt, ids, status="out_for_delivery", substatus=None)
    with rt.uow() as uow:  # the worker died after Shopify took the event, before we recorded it
        uow.repo.write_backs()[0].attempts = 1
        uow.commit()
    responses.post(graphql_url(), json={"data": {"fulfillment": {"events": {"nodes": [
        {"id": "gid://shopify/FulfillmentEvent/1", "status": "OUT_FOR_DELIVERY", "happenedAt": "2026-11-20T12:00:00Z"}]}}}})
    run_jobs(rt.redis)
    [(key, status, attempts, _)] = log(rt)
    assert (status, attempts) == ("sent", 2)
    assert "fulfillmentEvents" in json.loads(responses.calls[0].request.body)["query"]


@responses.activate
def test_shopify_refusing_the_token_marks_the_shop_and_the_item(client, rt: Runtime) -> None:
    ids = seed(client, rt)
    carrier_says(rt, ids, status="delivered", substatus=None)
    responses.post(graphql_url(), status=401, body='{"errors":"[API] Invalid API key or access token"}')
    run_jobs(rt.redis)
    [(_, status, _, error)] = log(rt)
    assert status == "failed" and "open the app again" in error
    with rt.uow() as uow:
        assert uow.repo.shop_by_id(ids[0]).status == "needs_reauth"


@responses.activate
def test_a_refused_event_is_recorded_with_shopifys_reason(client, rt: Runtime) -> None:
    ids = seed(client, rt)
    carrier_says(rt, ids, status="delivered", substatus=None)
    responses.post(graphql_url(), json={"data": {"fulfillmentEventCreate": {"fulfillmentEvent": None, "userErrors": [
        {"field": ["fulfillmentEvent", "fulfillmentId"], "message": "Fulfillment does not exist."}]}}})
    run_jobs(rt.redis)
    [(_, status, _, error)] = log(rt)
    assert status == "failed" and "Fulfillment does not exist" in error


@responses.activate
def test_a_shopify_outage_is_retried_with_the_reason_visible(client, rt: Runtime) -> None:
    from rq.registry import ScheduledJobRegistry

    ids = seed(client, rt)
    carrier_says(rt, ids, status="delivered", substatus=None)
    responses.post(graphql_url(), status=503, body="Service Unavailable")
    run_jobs(rt.redis)
    [(_, status, attempts, error)] = log(rt)
    assert (status, attempts) == ("pending", 1) and "503" in error
    assert ScheduledJobRegistry(queues.DEFAULT, connection=rt.redis).count == 1
