"""The GraphQL client against recorded responses: typed errors, throttling, 429 Retry-After."""
from __future__ import annotations

import json

import pytest
import requests
import responses

from connectors.errors import Permanent, RateLimited, Transient, Unauthorized
from connectors.shopify.client import API_VERSION, ShopifyClient
from tests.support import SHOP, fixture_json, graphql_url

SUBSCRIBED = fixture_json("shopify/graphql/webhook_subscription_create.json")
THROTTLED = fixture_json("shopify/graphql/throttled.json")


def client(sleeps: list[float] | None = None, **kwargs) -> ShopifyClient:  # type: ignore[no-untyped-def]
    return ShopifyClient(SHOP, "shpat_token", sleep=(sleeps.append if sleeps is not None else lambda s: None), **kwargs)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_query_sends_the_token_and_records_the_throttle_state() -> None:
    responses.post(graphql_url(), json=SUBSCRIBED)
    c = client()
    assert c.register_webhook("ORDERS_CREATE", "https://forewarn.example/webhooks/shopify") == (
        "gid://shopify/WebhookSubscription/4759306"
    )
    sent = responses.calls[0].request
    assert sent.headers["X-Shopify-Access-Token"] == "shpat_token"
    assert f"/admin/api/{API_VERSION}/graphql.json" in sent.url
    body = json.loads(sent.body)
    assert body["variables"]["webhookSubscription"]["uri"] == "https://forewarn.example/webhooks/shopify"
    assert c.last_throttle is not None and c.last_throttle.available == 1990


@responses.activate(assert_all_requests_are_fired=True)
def test_a_429_is_waited_out_with_its_retry_after() -> None:
    responses.post(graphql_url(), status=429, headers={"Retry-After": "2.0"}, body="Exceeded 2 calls per second")
    responses.post(graphql_url(), json=SUBSCRIBED)
    sleeps: list[float] = []
    assert client(sleeps).register_webhook("ORDERS_CREATE", "https://x") is not None
    assert sleeps == [2.0]


@responses.activate(assert_all_requests_are_fired=True)
def test_a_throttled_query_waits_until_the_bucket_holds_its_cost() -> None:
    responses.post(graphql_url(), json=THROTTLED)
    responses.post(graphql_url(), json=SUBSCRIBED)
    sleeps: list[float] = []
    client(sleeps).register_webhook("ORDERS_CREATE", "https://x")
    assert sleeps == [pytest.approx(2.0)]  # 252 requested, 52 available, 100 restored per second


@responses.activate
def test_a_long_wait_is_left_to_the_job_retry() -> None:
    responses.post(graphql_url(), status=429, headers={"Retry-After": "60"})
    with pytest.raises(RateLimited) as raised:
        client(max_wait=10).register_webhook("ORDERS_CREATE", "https://x")
    assert raised.value.retry_after == 60


@responses.activate
@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"status": 401, "body": '{"errors":"[API] Invalid API key or access token"}'}, Unauthorized),
        ({"status": 403, "body": "forbidden"}, Unauthorized),
        ({"status": 502, "body": "bad gateway"}, Transient),
        ({"status": 200, "body": "<html>maintenance</html>"}, Transient),
        ({"status": 400, "body": '{"errors": "bad"}'}, Permanent),
        ({"body": requests.ConnectionError("reset")}, Transient),
        ({"json": {"errors": [{"message": "Field 'x' doesn't exist"}]}}, Permanent),
        ({"json": {"errors": [{"message": "Access denied", "extensions": {"code": "ACCESS_DENIED"}}]}}, Unauthorized),
    ],
)
def test_failures_come_out_typed(reply: dict, error: type) -> None:
    responses.post(graphql_url(), **reply)
    with pytest.raises(error):
        client().register_webhook("ORDERS_CREATE", "https://x")


@responses.activate
def test_a_subscription_that_exists_already_is_not_an_error() -> None:
    responses.post(graphql_url(), json={"data": {"webhookSubscriptionCreate": {"webhookSubscription": None,
        "userErrors": [{"field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken"}]}}})
    assert client().register_webhook("ORDERS_CREATE", "https://x") is None


@responses.activate
def test_other_user_errors_are_permanent() -> None:
    responses.post(graphql_url(), json={"data": {"fulfillmentEventCreate": {"fulfillmentEvent": None,
        "userErrors": [{"field": ["fulfillmentEvent", "fulfillmentId"], "message": "Fulfillment does not exist."}]}}})
    with pytest.raises(Permanent, match="Fulfillment does not exist"):
        client().create_fulfillment_event({"fulfillmentId": "gid://shopify/Fulfillment/1", "status": "DELAYED"})


@responses.activate(assert_all_requests_are_fired=True)
def test_code_and_session_token_exchanges() -> None:
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json={"access_token": "shpat_1", "scope": "read_orders"})
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json={"access_token": "shpat_2", "scope": "read_orders"})
    c = ShopifyClient(SHOP)
    assert c.exchange_code("key", "secret", "code-1").access_token == "shpat_1"
    assert c.exchange_session_token("key", "secret", "jwt").access_token == "shpat_2"
    first, second = (json.loads(call.request.body) for call in responses.calls)
    assert first == {"client_id": "key", "client_secret": "secret", "code": "code-1"}
    assert second["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert second["requested_token_type"] == "urn:shopify:params:oauth:token-type:offline-access-token"


@responses.activate
def test_a_refused_session_token_is_unauthorized() -> None:
    responses.post(f"https://{SHOP}/admin/oauth/access_token", status=400,
                   json={"error": "invalid_subject_token", "error_description": "Session token is invalid"})
    with pytest.raises(Unauthorized):
        ShopifyClient(SHOP).exchange_session_token("key", "secret", "jwt")
