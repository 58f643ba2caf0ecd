"""The demo's WooCommerce store, served on 127.0.0.1 and driven by the real client (which signs its requests
with OAuth 1.0a there, as over any plain-http address): webhooks disabled and re-enabled, orders paged by
modified date, notes, WooCommerce's errors; and the page a person looks at."""
from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.serving import make_server

from connectors.woocommerce.client import WooClient
from connectors.woocommerce.simulator import WooStoreSimulator, create_app
from core.errors import NotFound, Permanent, Unauthorized
from tests.support import fixture_json

ORDERS = fixture_json("woocommerce/client/orders_list_response.json")
T0 = datetime(2026, 7, 10, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> Iterator[tuple[WooStoreSimulator, str]]:
    sim = WooStoreSimulator("ck_demo_key", "cs_demo_secret", now=clock)
    for order in ORDERS:  # 727 and 723, modified in March 2017
        sim.add_order(order)
    for n in range(5):  # 1000..1004, modified a minute apart from T0
        modified = (T0 + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S")
        sim.add_order({**ORDERS[0], "id": 1000 + n, "number": str(1000 + n), "date_modified": modified,
                       "date_modified_gmt": modified})
    server = make_server("127.0.0.1", 0, create_app(sim), threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield sim, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def woo(url: str, key: str = "ck_demo_key", secret: str = "cs_demo_secret") -> WooClient:
    return WooClient(url, key, secret, allow_http=True, allow_private=True)


def test_the_keys_it_was_made_with_work_and_others_are_refused(store) -> None:  # type: ignore[no-untyped-def]
    _, url = store
    woo(url).check()
    with pytest.raises(Unauthorized, match="Invalid signature"):
        woo(url, secret="cs_other").check()
    with pytest.raises(Unauthorized, match="Consumer key is invalid"):
        woo(url, key="ck_other").check()


def test_a_disabled_webhook_is_seen_and_re_enabled(store) -> None:  # type: ignore[no-untyped-def]
    sim, url = store
    client = woo(url)
    made = client.create_webhook("Forewarn", "order.updated", "https://forewarn.example/webhooks/woocommerce/1", "s3cret")
    assert made["status"] == "active" and made["hooks"] and "secret" not in made
    assert sim.webhook_secret(made["id"]) == "s3cret"
    sim.disable_webhook(made["id"])
    assert [(w["id"], w["status"]) for w in client.webhooks()] == [(made["id"], "disabled")]
    assert client.update_webhook(made["id"], status="active")["status"] == "active"
    assert sim.webhooks[made["id"]]["status"] == "active"


def test_webhooks_are_listed_across_pages(store) -> None:  # type: ignore[no-untyped-def]
    _, url = store
    client = woo(url)
    for n in range(3):
        client.create_webhook(f"hook {n}", "order.created", f"https://forewarn.example/w/{n}", "s")
    assert len(client.webhooks()) == 3


def test_orders_modified_after_pages_through_in_modified_order(store, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    sim, url = store
    client = woo(url)
    assert [o["id"] for o in client.orders_modified_after(T0 - timedelta(seconds=1), per_page=2)] == [
        1000, 1001, 1002, 1003, 1004]
    assert [o["id"] for o in client.orders_modified_after(T0 + timedelta(minutes=2))] == [1003, 1004]  # strictly after
    assert [o["id"] for o in client.orders_modified_after(datetime(2017, 1, 1, tzinfo=timezone.utc), per_page=3)][:2] == [
        723, 727]
    clock.at = T0 + timedelta(hours=1)
    sim.update_order(723, status="completed")
    assert [(o["id"], o["status"]) for o in client.orders_modified_after(T0 + timedelta(minutes=30))] == [(723, "completed")]


def test_an_order_and_its_notes(store) -> None:  # type: ignore[no-untyped-def]
    _, url = store
    client = woo(url)
    assert client.order(727)["billing"]["email"] == "john.doe@example.com"
    first = client.add_order_note(727, "Forewarn: parcel 9400 is late (case 12)")
    second = client.add_order_note(727, "We are on it", customer_note=True)
    notes = client.order_notes(727)
    assert [n["id"] for n in notes] == [second["id"], first["id"]]  # newest first, as WooCommerce lists them
    assert notes[1]["customer_note"] is False and notes[0]["customer_note"] is True
    assert notes[1]["author"] == "system" and notes[1]["_links"]["up"][0]["href"].endswith("/wp-json/wc/v3/orders/727")


def test_woocommerces_errors_come_out_typed(store) -> None:  # type: ignore[no-untyped-def]
    _, url = store
    client = woo(url)
    with pytest.raises(NotFound, match="woocommerce_rest_shop_order_invalid_id"):
        client.order(4242)
    with pytest.raises(NotFound):
        client.order_notes(4242)
    with pytest.raises(NotFound, match="Invalid order ID"):
        client.add_order_note(4242, "x")
    with pytest.raises(NotFound, match="ID is invalid"):  # a 400 from WooCommerce, a missing webhook to us
        client.update_webhook(4242, status="active")
    with pytest.raises(Permanent, match="Webhook topic is required and must be valid"):
        client.create_webhook("x", "order.shipped", "https://forewarn.example/w", "s")


def test_a_read_only_key_cannot_write(store) -> None:  # type: ignore[no-untyped-def]
    sim, url = store
    sim.key_permissions = "read"
    client = woo(url)
    client.check()
    with pytest.raises(Unauthorized, match="does not have write permissions"):
        client.add_order_note(727, "x")


def test_basic_auth_is_accepted_as_from_behind_https_and_a_replayed_signature_is_not(store) -> None:  # type: ignore[no-untyped-def]
    sim, _ = store
    http = create_app(sim).test_client()
    good = base64.b64encode(b"ck_demo_key:cs_demo_secret").decode()
    bad = base64.b64encode(b"ck_demo_key:nope").decode()
    assert http.get("/wp-json/wc/v3/orders/727", headers={"Authorization": f"Basic {good}"}).status_code == 200
    refused = http.get("/wp-json/wc/v3/orders/727", headers={"Authorization": f"Basic {bad}"})
    assert refused.status_code == 401 and refused.json["code"] == "woocommerce_rest_authentication_error"
    anonymous = http.get("/wp-json/wc/v3/orders")
    assert anonymous.status_code == 401 and anonymous.json == {
        "code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": {"status": 401}}

    from woocommerce.oauth import OAuth

    signed = OAuth("http://localhost/wp-json/wc/v3/orders/727", "ck_demo_key", "cs_demo_secret",
                   version="wc/v3", method="GET").get_oauth_url()
    path = signed.removeprefix("http://localhost")
    assert http.get(path).status_code == 200
    replayed = http.get(path)
    assert replayed.status_code == 401 and "nonce has already been used" in replayed.json["message"]


def test_the_list_of_orders_carries_woocommerces_paging_headers(store) -> None:  # type: ignore[no-untyped-def]
    sim, _ = store
    http = create_app(sim).test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(b"ck_demo_key:cs_demo_secret").decode()}
    answer = http.get("/wp-json/wc/v3/orders?per_page=3&page=2", headers=auth)
    assert answer.headers["X-WP-Total"] == "7" and answer.headers["X-WP-TotalPages"] == "3" and len(answer.json) == 3
    wrong = http.get("/wp-json/wc/v3/orders?modified_after=yesterday", headers=auth)
    assert wrong.status_code == 400 and wrong.json["code"] == "rest_invalid_param"
    assert http.get("/wp-json/wc/v3/products", headers=auth).json["code"] == "rest_no_route"


def test_the_page_shows_orders_webhooks_with_their_status_and_notes(store) -> None:  # type: ignore[no-untyped-def]
    sim, url = store
    client = woo(url)
    made = client.create_webhook("Forewarn", "order.updated", "https://forewarn.example/webhooks/woocommerce/1", "s")
    sim.disable_webhook(made["id"])
    client.add_order_note(727, "Forewarn: parcel 9400 is late")
    page = create_app(sim).test_client().get("/").get_data(as_text=True)
    assert f'data-webhook="{made["id"]}"' in page and 'class="disabled">disabled<' in page
    assert 'data-order="727"' in page and "Forewarn: parcel 9400 is late" in page and "private" in page
