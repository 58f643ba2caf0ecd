"""The WooCommerce client against WooCommerce's documented responses: basic auth over https, OAuth over http,
pagination, every failure typed, and the rules for the store address a merchant types."""
from __future__ import annotations

import base64
import ipaddress
import json
import socket
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from connectors.woocommerce.client import WooClient, normalize_store_url
from core.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized
from tests.support import fixture_json

STORE = "https://teashop.example"
API = f"{STORE}/wp-json/wc/v3"
ORDERS = fixture_json("woocommerce/client/orders_list_response.json")
WEBHOOKS = fixture_json("woocommerce/client/webhooks_list_response.json")
CREATED_WEBHOOK = fixture_json("woocommerce/client/webhook_create_response.json")
UPDATED_WEBHOOK = fixture_json("woocommerce/client/webhook_update_response.json")
NOTES = fixture_json("woocommerce/client/order_notes_list_response.json")
NEW_NOTE = fixture_json("woocommerce/client/order_note_create_response.json")
ORDER = fixture_json("woocommerce/client/order_create_response.json")


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS is a process edge: store names resolve to a public address, localhost to loopback, IPs to themselves
    (the network guard's lookups stay fast and the same offline and online)."""

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple]:
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = {"localhost": "127.0.0.1", "shop.internal": "10.1.2.3"}.get(host, "93.184.215.14")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def client(**kwargs) -> WooClient:  # type: ignore[no-untyped-def]
    return WooClient(STORE, "ck_test", "cs_test", **kwargs)


def query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# -- authentication ----------------------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_check_reads_one_webhook_with_basic_auth_over_https() -> None:
    responses.get(f"{API}/webhooks", json=WEBHOOKS[:1], headers={"X-WP-Total": "2", "X-WP-TotalPages": "2"})
    client().check()
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"ck_test:cs_test").decode()
    assert query(responses.calls[0]) == {"per_page": ["1"]}
    assert "consumer_secret" not in sent.url and "oauth" not in sent.url
    assert sent.headers["User-Agent"].startswith("Forewarn WooCommerce-Python-REST-API/")


@responses.activate(assert_all_requests_are_fired=True)
def test_over_plain_http_the_request_is_signed_and_the_secret_never_sent() -> None:
    responses.get("http://127.0.0.1:8099/wp-json/wc/v3/webhooks", json=[])
    WooClient("http://127.0.0.1:8099", "ck_test", "cs_test", allow_http=True, allow_private=True).check()
    sent = responses.calls[0].request
    assert "Authorization" not in sent.headers
    params = query(responses.calls[0])
    assert params["oauth_consumer_key"] == ["ck_test"] and params["oauth_signature_method"] == ["HMAC-SHA256"]
    assert params["oauth_signature"] and "cs_test" not in sent.url


@responses.activate
@pytest.mark.parametrize("fixture", ["error_401_cannot_view.json", "error_401_consumer_secret_invalid.json"])
def test_refused_keys_are_unauthorized_with_woocommerces_reason(fixture: str) -> None:
    body = fixture_json(f"woocommerce/client/{fixture}")
    responses.get(f"{API}/webhooks", json=body, status=401)
    with pytest.raises(Unauthorized) as raised:
        client().check()
    assert body["code"] in str(raised.value) and body["message"] in str(raised.value)


@responses.activate
def test_a_firewalls_403_page_is_unauthorized_and_says_what_may_block_the_api() -> None:
    responses.get(f"{API}/webhooks", status=403, body="<!DOCTYPE html><html><title>Blocked by Wordfence</title></html>")
    with pytest.raises(Unauthorized, match="firewall, security plugin"):
        client().check()


# -- pagination --------------------------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_webhooks_walks_every_page_until_x_wp_totalpages() -> None:
    third = {**WEBHOOKS[0], "id": 150, "status": "disabled"}
    responses.get(f"{API}/webhooks", json=WEBHOOKS, headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"})
    responses.get(f"{API}/webhooks", json=[third], headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"})
    assert [(w["id"], w["status"]) for w in client().webhooks()] == [(143, "active"), (142, "active"), (150, "disabled")]
    assert [query(c)["page"] for c in responses.calls] == [["1"], ["2"]]
    assert query(responses.calls[0])["per_page"] == ["100"] and query(responses.calls[0])["orderby"] == ["id"]


@responses.activate(assert_all_requests_are_fired=True)
def test_orders_modified_after_asks_for_gmt_modified_dates_in_ascending_order_page_by_page() -> None:
    oldest, newest = ORDERS[1], ORDERS[0]  # 723 modified 2017-03-21, 727 modified 2017-03-22
    responses.get(f"{API}/orders", json=[oldest], headers={"X-WP-Total": "2", "X-WP-TotalPages": "2"})
    responses.get(f"{API}/orders", json=[newest], headers={"X-WP-Total": "2", "X-WP-TotalPages": "2"})
    since = datetime(2017, 3, 21, 12, 0, 0, 999, tzinfo=timezone(timedelta(hours=2)))
    assert [o["id"] for o in client().orders_modified_after(since, per_page=1)] == [723, 727]
    first = query(responses.calls[0])
    assert first == {"modified_after": ["2017-03-21T10:00:00"], "dates_are_gmt": ["true"], "orderby": ["modified"],
                     "order": ["asc"], "per_page": ["1"], "page": ["1"]}
    assert query(responses.calls[1])["page"] == ["2"]


@responses.activate(assert_all_requests_are_fired=True)
def test_without_paging_headers_a_short_page_is_the_last() -> None:
    responses.get(f"{API}/orders", json=ORDERS)  # a cache in front of the store dropped X-WP-*
    assert len(list(client().orders_modified_after(datetime(2017, 1, 1, tzinfo=timezone.utc), per_page=5))) == 2


@responses.activate(assert_all_requests_are_fired=True)
def test_an_order_seen_twice_while_paging_is_yielded_once_unless_it_changed() -> None:
    again = ORDERS[1]
    changed = {**ORDERS[0], "date_modified_gmt": "2017-03-23T08:00:00"}
    responses.get(f"{API}/orders", json=[again, ORDERS[0]], headers={"X-WP-TotalPages": "2"})
    responses.get(f"{API}/orders", json=[again, changed], headers={"X-WP-TotalPages": "2"})
    seen = [(o["id"], o["date_modified_gmt"]) for o in client().orders_modified_after(datetime.now(timezone.utc), 2)]
    assert seen == [(723, "2017-03-21T19:54:51"), (727, "2017-03-22T19:28:08"), (727, "2017-03-23T08:00:00")]


def test_orders_modified_after_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        client().orders_modified_after(datetime(2017, 3, 21))


# -- writes and single resources ---------------------------------------------------------------------


@responses.activate(assert_all_requests_are_fired=True)
def test_create_webhook_posts_topic_url_and_secret() -> None:
    responses.post(f"{API}/webhooks", json=CREATED_WEBHOOK, status=201)
    made = client().create_webhook("Forewarn orders", "order.updated", "https://forewarn.example/webhooks/woo/7", "s3cret")
    assert made["id"] == 142 and made["status"] == "active"
    assert json.loads(responses.calls[0].request.body) == {
        "name": "Forewarn orders", "topic": "order.updated",
        "delivery_url": "https://forewarn.example/webhooks/woo/7", "secret": "s3cret"}


@responses.activate(assert_all_requests_are_fired=True)
def test_update_webhook_reenables_a_disabled_webhook() -> None:
    responses.put(f"{API}/webhooks/142", json={**UPDATED_WEBHOOK, "status": "active"})
    assert client().update_webhook(142, status="active")["status"] == "active"
    assert json.loads(responses.calls[0].request.body) == {"status": "active"}


@responses.activate
def test_updating_a_webhook_that_is_gone_is_not_found_though_woocommerce_answers_400() -> None:
    responses.put(f"{API}/webhooks/999", json=fixture_json("woocommerce/client/error_400_webhook_invalid_id.json"),
                  status=400)
    with pytest.raises(NotFound, match="ID is invalid"):
        client().update_webhook(999, status="active")


@responses.activate(assert_all_requests_are_fired=True)
def test_order_notes_and_a_private_note() -> None:
    responses.get(f"{API}/orders/727", json=ORDER)
    responses.get(f"{API}/orders/723/notes", json=NOTES)
    responses.post(f"{API}/orders/723/notes", json=NEW_NOTE, status=201)
    c = client()
    assert c.order(727)["number"] == "727"
    assert [n["id"] for n in c.order_notes(723)] == [281, 280, 279]
    assert c.add_order_note(723, "Order ok!!!")["id"] == 281
    assert json.loads(responses.calls[2].request.body) == {"note": "Order ok!!!", "customer_note": False}


def test_ids_are_checked_before_they_go_into_a_url() -> None:
    for bad in ("1/../../users", "-3", "0", True, "7?x=1"):
        with pytest.raises(Permanent):
            client().order(bad)  # type: ignore[arg-type]


# -- failures ----------------------------------------------------------------------------------------


@responses.activate
def test_a_missing_order_is_not_found() -> None:
    responses.get(f"{API}/orders/5", json=fixture_json("woocommerce/client/error_404_order_invalid_id.json"), status=404)
    with pytest.raises(NotFound, match="woocommerce_rest_shop_order_invalid_id"):
        client().order(5)


@responses.activate
@pytest.mark.parametrize(("headers", "wait"), [({"Retry-After": "17"}, 17.0), ({}, 60.0), ({"Retry-After": "soon"}, 60.0)])
def test_429_is_rate_limited_with_retry_after_or_a_minute(headers: dict[str, str], wait: float) -> None:
    responses.get(f"{API}/orders/5", status=429, headers=headers, body="Too Many Requests")
    with pytest.raises(RateLimited) as raised:
        client().order(5)
    assert raised.value.retry_after == wait


@responses.activate
@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "json": {"code": "internal_server_error", "message": "There has been a critical error on this website.",
                                 "data": {"status": 500}}},
        {"status": 503, "body": "<html><body>Briefly unavailable for scheduled maintenance.</body></html>"},
        {"body": requests.ConnectTimeout("connect timed out")},
        {"body": requests.ConnectionError("connection reset")},
        {"body": requests.ReadTimeout("read timed out")},
    ],
)
def test_no_answer_a_timeout_or_a_5xx_is_transient(reply: dict) -> None:
    responses.get(f"{API}/orders/5", **reply)
    with pytest.raises(Transient):
        client().order(5)


@responses.activate
def test_an_html_page_instead_of_json_is_transient_with_a_clear_message() -> None:
    responses.get(f"{API}/orders/5", status=200, body="<!DOCTYPE html><html><h1>Verifying you are human</h1></html>",
                  content_type="text/html")
    with pytest.raises(Transient, match="HTML page, not WooCommerce's JSON"):
        client().order(5)


@responses.activate
def test_php_warnings_before_the_json_are_named() -> None:
    responses.get(f"{API}/orders/5", body="<br />\n<b>Deprecated</b>: Creation of dynamic property …<br />\n{\"id\": 5}")
    with pytest.raises(Transient, match="display_errors"):
        client().order(5)


@responses.activate
def test_a_400_with_woocommerces_error_is_permanent_with_its_message() -> None:
    body = fixture_json("woocommerce/client/error_400_webhook_invalid_topic.json")
    responses.post(f"{API}/webhooks", json=body, status=400)
    with pytest.raises(Permanent) as raised:
        client().create_webhook("x", "order.shipped", "https://forewarn.example/w", "s")
    assert "woocommerce_rest_shop_webhook_invalid_topic: Webhook topic is required and must be valid." in str(raised.value)
    assert not isinstance(raised.value, NotFound)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_redirect_is_not_followed_and_names_where_it_points() -> None:
    responses.get(f"{API}/orders/5", status=301,
                  headers={"Location": "https://www.teashop.example/wp-json/wc/v3/orders/5?x=1"})
    with pytest.raises(Permanent, match=r"https://www\.teashop\.example/wp-json/wc/v3/orders/5;"):
        client().order(5)
    assert len(responses.calls) == 1


@responses.activate
def test_a_list_that_is_not_a_list_is_permanent() -> None:
    responses.get(f"{API}/orders/5/notes", json={"notes": []})
    with pytest.raises(Permanent):
        client().order_notes(5)


# -- the store address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("https://TeaShop.Example/", "https://teashop.example"),
        ("teashop.example", "https://teashop.example"),
        ("  https://teashop.example:443/shop/ ", "https://teashop.example/shop"),
        ("https://teashop.example:8443", "https://teashop.example:8443"),
        ("https://teashop.example/shop/wp-json/wc/v3/", "https://teashop.example/shop"),
        ("https://teashop.example/wp-admin/admin.php", "https://teashop.example"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_store_addresses_are_normalized(typed: str, normal: str) -> None:
    assert normalize_store_url(typed) == normal


@pytest.mark.parametrize(
    "typed",
    [
        "http://teashop.example",  # plain http
        "ftp://teashop.example",
        "https://admin:pw@teashop.example",  # credentials
        "https://ck_x@teashop.example",
        "https://teashop.example/?rest_route=/wc/v3",  # query
        "https://teashop.example/#shop",  # fragment
        "https://teashop.example:99999",
        "https://tea shop.example",
        "https://-teashop.example",
        "",
        "https://teashop.example/a/../b",
    ],
)
def test_store_addresses_that_are_refused(typed: str) -> None:
    with pytest.raises(Unauthorized):
        normalize_store_url(typed)


@pytest.mark.parametrize(
    "typed",
    ["https://127.0.0.1", "https://10.0.0.7", "https://169.254.169.254", "https://[::1]:8443", "https://localhost",
     "https://shop.internal"],  # a name that resolves into a private network
)
def test_private_and_loopback_addresses_are_refused_unless_allowed(typed: str) -> None:
    with pytest.raises(Unauthorized, match="private or local network"):
        WooClient(typed, "ck", "cs")
    assert normalize_store_url(typed, allow_private=True).startswith("https://")


def test_plain_http_only_when_allowed() -> None:
    with pytest.raises(Unauthorized, match="https://"):
        WooClient("http://teashop.example", "ck", "cs")
    assert WooClient("http://teashop.example:80/", "ck", "cs", allow_http=True).store_url == "http://teashop.example"


def test_both_keys_are_required() -> None:
    with pytest.raises(Unauthorized):
        WooClient(STORE, "ck_test", "")
