"""The demo's Wix site, served on 127.0.0.1 and driven by the real client: the OAuth token and its renewal,
orders searched page by page, fulfillments, activities, Wix's errors, the page a person looks at; and webhook
bodies signed the way Wix signs them."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import requests
from werkzeug.serving import make_server

from connectors.wix.client import WixClient
from connectors.wix.simulator import WixSiteSimulator, create_app, domain_event, generate_key_pair, sign_webhook
from core.errors import NotFound, Unauthorized
from tests.support import fixture_json

APP_ID, APP_SECRET, INSTANCE = "demo-app", "demo-secret", "b41b3e3b-5d5d-4c6b-9a1e-0c2f3d4e5f60"
ORDER = fixture_json("wix/client/order_get_response.json")["order"]
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
def site(clock: Clock) -> Iterator[tuple[WixSiteSimulator, str]]:
    sim = WixSiteSimulator(APP_ID, APP_SECRET, INSTANCE, now=clock)
    sim.add_order(ORDER)  # updated in July 2022
    for n in range(5):  # updated a minute apart from T0
        stamp = (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
        sim.add_order({**ORDER, "id": f"order-{n}", "number": str(20000 + n), "createdDate": stamp,
                       "updatedDate": stamp, "activities": []})
    sim.add_order({**ORDER, "id": "draft", "number": "29999", "status": "INITIALIZED",
                   "updatedDate": "2026-07-11T00:00:00Z"})
    server = make_server("127.0.0.1", 0, create_app(sim), threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield sim, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def wix(url: str, secret: str = APP_SECRET, instance: str = INSTANCE) -> WixClient:
    return WixClient(APP_ID, secret, instance, base_url=url)


def test_only_the_apps_credentials_for_this_instance_get_a_token(site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    assert wix(url).token().startswith("OauthNG.JWS.")
    for client in (wix(url, secret="other"), wix(url, instance="another-instance")):
        with pytest.raises(Unauthorized, match="no access token for instance"):
            client.token()
    refused = requests.post(f"{url}/oauth2/token", timeout=5, json={
        "grant_type": "client_credentials", "client_id": APP_ID, "client_secret": "other", "instance_id": INSTANCE})
    assert (refused.status_code, refused.json()["message"]) == (401, "Invalid client credentials")
    answer = requests.get(f"{url}/ecom/v1/orders/{ORDER['id']}", headers={"Authorization": "nonsense"}, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["details"]["applicationError"]["code"] == "UNAUTHENTICATED"


def test_a_revoked_token_is_replaced_without_the_caller_noticing(site) -> None:  # type: ignore[no-untyped-def]
    sim, url = site
    client = wix(url)
    assert client.get_order(ORDER["id"])["number"] == "10124"
    sim.revoke_tokens()
    assert client.get_order(ORDER["id"])["number"] == "10124"
    assert sim.token_requests == 2


def test_an_unknown_order_is_not_found(site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    with pytest.raises(NotFound, match="ORDER_NOT_FOUND"):
        wix(url).get_order("no-such-order")


def test_orders_updated_since_come_oldest_first_across_pages(site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    found = list(wix(url).search_orders_updated_since(T0 + timedelta(minutes=1), limit=2))
    assert [o["id"] for o in found] == ["order-1", "order-2", "order-3", "order-4"]  # never the INITIALIZED one
    everything = list(wix(url).search_orders_updated_since(datetime(2020, 1, 1, tzinfo=timezone.utc)))
    assert [o["id"] for o in everything][0] == ORDER["id"] and len(everything) == 6


def test_a_fulfillment_with_tracking_is_listed_and_marks_the_order(site, clock) -> None:  # type: ignore[no-untyped-def]
    sim, url = site
    clock.at = T0 + timedelta(hours=1)
    link = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    sim.add_fulfillment("order-2", "1Z999AA10123456784", "ups", tracking_link=link)
    client = wix(url)
    [fulfillment] = client.list_fulfillments("order-2")
    assert fulfillment["trackingInfo"] == {"trackingNumber": "1Z999AA10123456784", "shippingProvider": "ups",
                                           "trackingLink": link}
    assert fulfillment["lineItems"] == [{"id": ORDER["lineItems"][0]["id"], "quantity": 1}]
    assert client.list_fulfillments("order-1") == []
    updated = client.get_order("order-2")
    assert updated["fulfillmentStatus"] == "FULFILLED" and updated["updatedDate"] == "2026-07-10T13:00:00.000Z"
    assert [o["id"] for o in client.search_orders_updated_since(T0 + timedelta(minutes=30))] == ["order-2"]


def test_an_activity_lands_on_the_order_and_the_page_shows_it(site) -> None:  # type: ignore[no-untyped-def]
    sim, url = site
    client = wix(url)
    note = "Forewarn: the parcel has not moved for 5 days; case #101 opened."
    client.add_order_activity("order-3", note)
    [activity] = sim.order("order-3")["activities"]
    assert activity["type"] == "MERCHANT_COMMENT" and activity["merchantComment"] == {"message": note}
    with pytest.raises(NotFound):
        client.add_order_activity("no-such-order", "hello")
    sim.add_fulfillment("order-3", "9400111899223100000000", "usps")
    page = requests.get(f"{url}/", timeout=5).text
    assert "case #101 opened" in page and "9400111899223100000000" in page and "20003" in page


def test_the_app_instance_names_the_site_and_its_owner(site) -> None:  # type: ignore[no-untyped-def]
    _, url = site
    answer = wix(url).app_instance()
    assert answer["instance"]["instanceId"] == INSTANCE
    assert answer["site"]["siteDisplayName"] == "Demo Tea Shop"
    assert answer["site"]["ownerEmail"] == "owner@demo-tea-shop.example"


# -- webhooks ----------------------------------------------------------------------------------------


def test_a_signed_webhook_decodes_into_the_documented_envelope() -> None:
    private_pem, public_pem = generate_key_pair()
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    event = domain_event("wix.ecom.v1.order", "approved", ORDER["id"], action={"order": ORDER}, now=T0)
    now = datetime.now(timezone.utc)
    body = sign_webhook("wix.ecom.v1.order_approved", INSTANCE, event, private_pem, kid="key-1",
                        identity={"identityType": "MEMBER", "memberId": "m-1"}, now=now)
    assert isinstance(body, bytes)
    assert jwt.get_unverified_header(body.decode()) == {"alg": "RS256", "kid": "key-1", "typ": "JWT"}
    claims = jwt.decode(body, public_pem, algorithms=["RS256"])
    assert set(claims) == {"data", "iat", "exp"} and claims["iat"] == int(now.timestamp())
    envelope = json.loads(claims["data"])
    assert set(envelope) == {"eventType", "instanceId", "data", "identity"}
    assert envelope["eventType"] == "wix.ecom.v1.order_approved" and envelope["instanceId"] == INSTANCE
    assert json.loads(envelope["identity"]) == {"identityType": "MEMBER", "memberId": "m-1"}
    inner = json.loads(envelope["data"])
    assert inner == event
    assert inner["entityFqdn"] == "wix.ecom.v1.order" and inner["actionEvent"]["body"]["order"]["id"] == ORDER["id"]
    assert inner["eventTime"] == "2026-07-10T12:00:00.000Z"


def test_a_webhook_signed_with_another_key_does_not_verify() -> None:
    private_pem, _ = generate_key_pair()
    _, other_public = generate_key_pair()
    body = sign_webhook("wix.ecom.v1.fulfillments_updated", INSTANCE,
                        domain_event("wix.ecom.v1.fulfillments", "updated", "order-1",
                                     updated={"orderId": "order-1", "fulfillments": []}), private_pem)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(body, other_public, algorithms=["RS256"])
    default_identity = json.loads(json.loads(jwt.decode(body, options={"verify_signature": False})["data"])["identity"])
    assert default_identity["identityType"] == "ANONYMOUS_VISITOR"
