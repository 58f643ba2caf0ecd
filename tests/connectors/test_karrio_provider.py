"""Direct carriers through karrio's real HTTP path (urllib) against recorded bodies on 127.0.0.1."""
from __future__ import annotations

import json
import time

import fakeredis
import pytest

from connectors.carriers import karrio_client
from connectors.carriers.karrio_client import KarrioProvider
from core.errors import NotFound, RateLimited, Transient, Unauthorized
from tests.carrier_server import Reply, carrier_server
from tests.support import FIXTURES

CREDENTIALS = {
    "dhl": {"consumer_key": "key", "consumer_secret": "unused"},
    "ups": {"client_id": "cid", "client_secret": "csecret"},
    "fedex": {"track_api_key": "tkey", "track_secret_key": "tsecret"},
    "usps": {"client_id": "cid", "client_secret": "csecret"},
    "canadapost": {"username": "user", "password": "pass", "customer_number": "0007023210"},
}


def body(name: str) -> str:
    return (FIXTURES / "carriers" / name).read_text()


def tokens(routes) -> None:  # type: ignore[no-untyped-def]
    routes.on("POST", "/security/v1/oauth/token", Reply(body=json.dumps(
        {"token_type": "Bearer", "issued_at": str(int(time.time() * 1000)), "access_token": "ups-token",
         "expires_in": "14399", "status": "approved"})))
    routes.on("POST", "/oauth/token", Reply(body=json.dumps({"access_token": "fx", "token_type": "bearer", "expires_in": 3599})))
    routes.on("POST", "/oauth2/v3/token", Reply(body=json.dumps({"access_token": "us", "token_type": "Bearer", "expires_in": 28799})))


def provider(base: str, redis=None) -> KarrioProvider:  # type: ignore[no-untyped-def]
    return KarrioProvider(CREDENTIALS, redis or fakeredis.FakeRedis(), base_urls={c: base for c in CREDENTIALS})


@pytest.mark.parametrize(
    ("carrier", "number", "path", "method", "fixture", "status"),
    [
        ("dhl", "7777777770", "/track/shipments", "GET", "dhl_universal_docsample_mixed_status.json", "pre_transit"),
        ("ups", "1Z1442YY7229014688", "/api/track/v1/details/1Z1442YY7229014688", "GET", "ups_delivered.json", "delivered"),
        ("fedex", "738488882438", "/track/v1/trackingnumbers", "POST", "fedex_delivered.json", "delivered"),
        ("usps", "9400109104250532908587", "/tracking/v3/tracking/9400109104250532908587", "GET",
         "usps_delivered_parcel_locker.json", "delivered"),
        ("canadapost", "7023210039414604", "/vis/track/pin/7023210039414604/detail", "GET",
         "canadapost_docsample_delivered.xml", "delivered"),  # one PIN: karrio's own parser returns nothing here
    ],
)
def test_each_direct_carrier_end_to_end(carrier: str, number: str, path: str, method: str, fixture: str, status: str) -> None:
    with carrier_server() as (base, routes):
        tokens(routes)
        routes.on(method, path, Reply(body=body(fixture)))
        assert provider(base).track(carrier, number).status == status


def test_oauth_tokens_are_shared_by_workers_through_redis() -> None:
    redis = fakeredis.FakeRedis()
    with carrier_server() as (base, routes):
        tokens(routes)
        routes.on("GET", "/api/track/v1/details/1Z1442YY7229014688", Reply(body=body("ups_delivered.json")))
        for _ in range(3):  # three jobs, each with its own provider and gateway, as in three workers
            provider(base, redis).track("ups", "1Z1442YY7229014688")
        assert [c for c in routes.calls if c[1].startswith("/security")] == [("POST", "/security/v1/oauth/token")]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(404, body("dhl_universal_not_found_404.json")), NotFound),
        (Reply(429, '{"title": "Too many requests", "status": 429}', {"Retry-After": "120", "Content-Type": "application/json"}), RateLimited),
        (Reply(503, "<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"}), Transient),
        (Reply(200, "this is not json"), Transient),
        (Reply(200, ""), Transient),
        (Reply(401, '{"title": "Unauthorized", "status": 401}'), Unauthorized),
    ],
)
def test_dhl_failures_are_typed(reply: Reply, error: type) -> None:
    with carrier_server() as (base, routes):
        routes.on("GET", "/track/shipments", reply)
        with pytest.raises(error) as raised:
            provider(base).track("dhl", "1234567890")
    if error is RateLimited:
        assert raised.value.retry_after == 120


def test_a_refused_token_is_unauthorized() -> None:
    with carrier_server() as (base, routes):
        routes.on("POST", "/oauth2/v3/token", Reply(401, body("usps_auth_error_invalid_client.json")))
        with pytest.raises(Unauthorized):
            provider(base).track("usps", "9400109104250532908587")


def test_a_stalled_carrier_times_out(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(karrio_client, "TIMEOUT_SECONDS", 0.5)
    with carrier_server() as (base, routes):
        routes.on("GET", "/track/shipments", Reply(body=body("dhl_universal_docsample_mixed_status.json"), delay=2.0))
        started = time.monotonic()
        with pytest.raises(Transient, match="timed out|did not answer|failed"):
            provider(base).track("dhl", "7777777770")
        assert time.monotonic() - started < 1.9


def test_a_carrier_that_refuses_connections_is_transient() -> None:
    with pytest.raises(Transient):
        provider("http://127.0.0.1:9").track("dhl", "7777777770")


def test_a_carrier_without_credentials_is_unauthorized() -> None:
    with pytest.raises(Unauthorized):
        KarrioProvider({}, fakeredis.FakeRedis()).track("ups", "1Z1442YY7229014688")


def test_fedex_takes_several_numbers_in_one_request() -> None:
    with carrier_server() as (base, routes):
        tokens(routes)
        routes.on("POST", "/track/v1/trackingnumbers", Reply(body=body("fedex_picked_up_and_not_found.json")))
        results = provider(base).track_many("fedex", ["123456789012", "39936862321"])
        assert [c for c in routes.calls if c[1] == "/track/v1/trackingnumbers"] == [("POST", "/track/v1/trackingnumbers")]
    assert results["123456789012"].status == "in_transit"
    assert isinstance(results["39936862321"], NotFound)
