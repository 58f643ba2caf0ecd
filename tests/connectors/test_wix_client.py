"""The Wix client against Wix's documented responses: the client-credentials token, cached per instance and
renewed once on a refusal, each call's path and body, cursor paging, and every failure typed."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import fakeredis
import pytest
import requests
import responses

from connectors.wix.client import MemoryTokenCache, RedisTokenCache, WixClient
from core.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized
from tests.support import fixture_json

API = "https://www.wixapis.com"
TOKEN_URL = f"{API}/oauth2/token"
APP_ID, APP_SECRET, INSTANCE = "app-1", "secret-1", "b41b3e3b-5d5d-4c6b-9a1e-0c2f3d4e5f60"
TOKEN = fixture_json("wix/client/token_response.json")
ORDER = fixture_json("wix/client/order_get_response.json")
PAGE_1 = fixture_json("wix/client/orders_search_page_1.json")
PAGE_2 = fixture_json("wix/client/orders_search_page_2.json")
FULFILLMENTS = fixture_json("wix/client/fulfillments_list_response.json")
ACTIVITY = fixture_json("wix/client/add_activities_response.json")
INSTANCE_INFO = fixture_json("wix/client/app_instance_response.json")
NOT_FOUND = fixture_json("wix/client/error_404_order_not_found.json")
UNAUTHENTICATED = fixture_json("wix/client/error_401_unauthenticated.json")
ORDER_ID = ORDER["order"]["id"]


class Clock:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


def client(cache: object | None = None) -> WixClient:
    return WixClient(APP_ID, APP_SECRET, INSTANCE, token_cache=cache)  # type: ignore[arg-type]


def token(value: str = "tok-1", expires_in: int = 14400) -> responses.BaseResponse:
    return responses.post(TOKEN_URL, json={**TOKEN, "access_token": value, "expires_in": expires_in})


def sent(call: responses.Call) -> dict:
    return json.loads(call.request.body)


# -- OAuth -------------------------------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_the_token_is_asked_for_with_the_app_credentials_and_the_instance() -> None:
    responses.post(TOKEN_URL, json=TOKEN)
    assert client().token() == "<SAMPLE_ACCESS_TOKEN>"
    assert sent(responses.calls[0]) == {"grant_type": "client_credentials", "client_id": APP_ID,
                                        "client_secret": APP_SECRET, "instance_id": INSTANCE}


@responses.activate(assert_all_requests_are_fired=True)
def test_calls_send_the_bare_token_as_authorization_and_reuse_it() -> None:
    token()
    responses.get(f"{API}/ecom/v1/orders/{ORDER_ID}", json=ORDER)
    responses.get(f"{API}/apps/v1/instance", json=INSTANCE_INFO)
    wix = client()
    assert wix.get_order(ORDER_ID)["number"] == "10124"
    assert wix.app_instance()["site"]["siteDisplayName"] == "Mysite 34"
    assert [c.request.url for c in responses.calls].count(TOKEN_URL) == 1
    assert [c.request.headers["Authorization"] for c in responses.calls[1:]] == ["tok-1", "tok-1"]


@responses.activate(assert_all_requests_are_fired=True)
def test_a_cached_token_is_renewed_shortly_before_it_expires() -> None:
    clock = Clock()
    cache = MemoryTokenCache(clock)
    token("tok-1")
    token("tok-2")
    wix = client(cache)
    assert wix.token() == "tok-1"
    clock.at += 14400 - 301
    assert wix.token() == "tok-1"
    clock.at += 2  # inside the five-minute margin
    assert wix.token() == "tok-2"


@responses.activate(assert_all_requests_are_fired=True)
def test_a_refused_token_is_replaced_once_and_the_call_repeated() -> None:
    cache = MemoryTokenCache()
    cache.set(INSTANCE, "stale", 3600)
    order_url = f"{API}/ecom/v1/orders/{ORDER_ID}"
    responses.get(order_url, status=401, json=UNAUTHENTICATED)
    token("fresh")
    responses.get(order_url, json=ORDER)
    assert client(cache).get_order(ORDER_ID)["id"] == ORDER_ID
    assert [c.request.headers.get("Authorization") for c in responses.calls] == ["stale", None, "fresh"]
    assert cache.get(INSTANCE) == "fresh"


@responses.activate(assert_all_requests_are_fired=True)
def test_a_second_refusal_is_unauthorized_and_leaves_no_token_cached() -> None:
    cache = MemoryTokenCache()
    order_url = f"{API}/ecom/v1/orders/{ORDER_ID}"
    token("tok-1")
    responses.get(order_url, status=401, json=UNAUTHENTICATED)
    token("tok-2")
    responses.get(order_url, status=401, json=UNAUTHENTICATED)
    with pytest.raises(Unauthorized, match="401"):
        client(cache).get_order(ORDER_ID)
    assert cache.get(INSTANCE) is None


@responses.activate(assert_all_requests_are_fired=True)
def test_a_token_refused_by_wix_is_unauthorized() -> None:
    responses.post(TOKEN_URL, status=400, json={"message": "invalid client", "details": {}})
    with pytest.raises(Unauthorized, match="no access token for instance"):
        client().get_order(ORDER_ID)


@responses.activate(assert_all_requests_are_fired=True)
def test_the_redis_cache_shares_the_token_between_clients_until_it_expires() -> None:
    redis = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    token("tok-1")
    assert client(RedisTokenCache(redis)).token() == "tok-1"
    assert client(RedisTokenCache(redis)).token() == "tok-1"  # a second worker asks Wix for nothing
    key = f"forewarn:wix:token:{INSTANCE}"
    assert redis.get(key) == b"tok-1"
    assert 14400 - 300 - 5 <= redis.ttl(key) <= 14400 - 300


# -- calls -------------------------------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_search_pages_through_orders_updated_since_oldest_first() -> None:
    token()
    responses.post(f"{API}/ecom/v1/orders/search", json=PAGE_1)
    responses.post(f"{API}/ecom/v1/orders/search", json=PAGE_2)
    since = datetime(2022, 7, 31, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    numbers = [o["number"] for o in client().search_orders_updated_since(since, limit=2)]
    assert numbers == ["10124", "10125", "10126"]
    first, second = sent(responses.calls[1]), sent(responses.calls[2])
    assert first == {"search": {"filter": {"updatedDate": {"$gte": "2022-07-31T12:00:00.000Z"}},
                                "sort": [{"fieldName": "updatedDate", "order": "ASC"}],
                                "cursorPaging": {"limit": 2}}}
    assert second == {"search": {"cursorPaging": {"limit": 2, "cursor": PAGE_1["metadata"]["cursors"]["next"]}}}


@responses.activate(assert_all_requests_are_fired=True)
def test_search_stops_when_wix_repeats_a_cursor() -> None:
    token()
    for _ in range(2):
        responses.post(f"{API}/ecom/v1/orders/search", json=PAGE_1)
    since = datetime(2022, 7, 31, tzinfo=timezone.utc)
    assert len(list(client().search_orders_updated_since(since))) == 4


def test_search_refuses_a_naive_date_and_a_page_size_wix_does_not_allow() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next(client().search_orders_updated_since(datetime(2022, 7, 31)))
    with pytest.raises(ValueError, match="between 1 and 100"):
        next(client().search_orders_updated_since(datetime(2022, 7, 31, tzinfo=timezone.utc), limit=101))


@responses.activate(assert_all_requests_are_fired=True)
def test_fulfillments_are_listed_with_their_tracking() -> None:
    token()
    order_id = FULFILLMENTS["orderWithFulfillments"]["orderId"]
    responses.get(f"{API}/ecom/v1/fulfillments/orders/{order_id}", json=FULFILLMENTS)
    [fulfillment] = client().list_fulfillments(order_id)
    assert fulfillment["trackingInfo"]["trackingNumber"] == "1234-5678-9101-1121-3141-51"


@responses.activate(assert_all_requests_are_fired=True)
def test_an_activity_is_added_as_a_merchant_comment() -> None:
    token()
    add = responses.post(f"{API}/ecom/v1/orders/{ORDER_ID}/activities/add", json=ACTIVITY)
    assert client().add_order_activity(ORDER_ID, "Forewarn: case opened.") is None
    assert sent(add.calls[0]) == {"orderActivities": [{"merchantComment": {"message": "Forewarn: case opened."}}]}
    with pytest.raises(ValueError):
        client().add_order_activity(ORDER_ID, "  ")


def test_an_id_that_could_change_the_path_is_refused_before_any_call() -> None:
    for bad in ("..", "a/b", "", "x?y=1"):
        with pytest.raises(Permanent, match="not a Wix order id"):
            client().get_order(bad)
    with pytest.raises(Unauthorized):
        WixClient(APP_ID, APP_SECRET, "../etc")


# -- failures ----------------------------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_a_missing_order_is_not_found() -> None:
    token()
    responses.get(f"{API}/ecom/v1/orders/{ORDER_ID}", status=404, json=NOT_FOUND)
    with pytest.raises(NotFound, match="ORDER_NOT_FOUND"):
        client().get_order(ORDER_ID)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_rate_limit_carries_retry_after() -> None:
    token()
    responses.get(f"{API}/ecom/v1/orders/{ORDER_ID}", status=429, headers={"Retry-After": "7"}, json={})
    with pytest.raises(RateLimited) as caught:
        client().get_order(ORDER_ID)
    assert caught.value.retry_after == 7.0


@responses.activate(assert_all_requests_are_fired=True)
def test_a_server_error_is_transient() -> None:
    token()
    responses.get(f"{API}/ecom/v1/orders/{ORDER_ID}", status=500, json={"message": "Internal"})
    with pytest.raises(Transient, match="500"):
        client().get_order(ORDER_ID)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_timeout_is_transient() -> None:
    token()
    responses.get(f"{API}/ecom/v1/fulfillments/orders/{ORDER_ID}", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(Transient, match="did not answer"):
        client().list_fulfillments(ORDER_ID)


@responses.activate(assert_all_requests_are_fired=True)
def test_an_answer_without_the_order_is_permanent() -> None:
    token()
    responses.get(f"{API}/ecom/v1/orders/{ORDER_ID}", json={"something": "else"})
    with pytest.raises(Permanent, match="without an `order` object"):
        client().get_order(ORDER_ID)
