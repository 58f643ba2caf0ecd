"""Installing from Shopify: authorize redirect, callback, code exchange, encrypted token, webhook registration."""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from rq import Queue
from sqlalchemy import text

from jobs import queues
from jobs.runtime import Runtime
from tests.support import API_KEY, SECRET, SHOP, fixture_json, graphql_url, run_jobs, signed_query

TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


def now() -> str:
    return str(int(time.time()))


def begin(client, shop: str = SHOP):  # type: ignore[no-untyped-def]
    response = client.get("/install/shopify", query_string=signed_query({"shop": shop, "timestamp": now()}))
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    return location, parse_qs(location.query)


def callback(client, state: str, code: str = "0907a61c0c8d55e99db179b68161bc00", shop: str = SHOP):  # type: ignore[no-untyped-def]
    params = signed_query({"code": code, "shop": shop, "state": state, "timestamp": now(), "host": "YWRtaW4uc2hvcGlmeS5jb20"})
    return client.get("/install/shopify/callback", query_string=params)


def shops(rt: Runtime) -> list[tuple]:
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT domain, status, token_ciphertext, scopes FROM shops"))]


def test_install_redirects_to_shopify_with_least_scopes_and_a_state(client, rt: Runtime) -> None:
    location, query = begin(client)
    assert (location.scheme, location.netloc, location.path) == ("https", SHOP, "/admin/oauth/authorize")
    assert query["client_id"] == [API_KEY]
    assert query["scope"] == ["read_orders,read_fulfillments,write_fulfillments,write_orders"]
    assert query["redirect_uri"] == ["https://forewarn.example/install/shopify/callback"]
    assert len(query["state"][0]) >= 24


@responses.activate(assert_all_requests_are_fired=True)
def test_callback_stores_an_encrypted_token_registers_webhooks_and_lands_in_the_admin(client, rt: Runtime) -> None:
    _, query = begin(client)
    responses.post(TOKEN_URL, json={"access_token": "shpat_secret_token", "scope": "read_orders,write_fulfillments"})
    response = callback(client, query["state"][0])
    assert response.status_code == 302
    assert response.headers["Location"] == f"https://{SHOP}/admin/apps/{API_KEY}"
    [(domain, status, ciphertext, scopes)] = shops(rt)
    assert (domain, status, scopes) == (SHOP, "installed", "read_orders,write_fulfillments")
    assert "shpat_secret_token" not in ciphertext and rt.cipher.decrypt(ciphertext) == "shpat_secret_token"
    assert json.loads(responses.calls[0].request.body)["client_secret"] == SECRET

    assert Queue(queues.DEFAULT, connection=rt.redis).count == 1
    for _ in range(6):
        responses.post(graphql_url(), json=fixture_json("shopify/graphql/webhook_subscription_create.json"))
    run_jobs(rt.redis)
    topics = [json.loads(c.request.body)["variables"]["topic"] for c in responses.calls[1:]]
    assert topics == ["ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "FULFILLMENTS_CREATE",
                      "FULFILLMENTS_UPDATE", "APP_UNINSTALLED"]
    with rt.uow() as uow:
        assert uow.repo.shop("shopify", SHOP).webhooks_registered_at is not None


@responses.activate
def test_reinstalling_replaces_the_token_of_the_same_shop(client, rt: Runtime) -> None:
    for token in ("shpat_first", "shpat_second"):
        _, query = begin(client)
        responses.post(TOKEN_URL, json={"access_token": token, "scope": "read_orders"})
        assert callback(client, query["state"][0]).status_code == 302
    [(_, _, ciphertext, _)] = shops(rt)
    assert rt.cipher.decrypt(ciphertext) == "shpat_second"


@responses.activate
def test_a_replayed_callback_is_refused_without_calling_shopify(client, rt: Runtime) -> None:
    _, query = begin(client)
    responses.post(TOKEN_URL, json={"access_token": "shpat_1", "scope": "read_orders"})
    assert callback(client, query["state"][0]).status_code == 302
    with client.session_transaction() as session:
        session["shopify_oauth_state"] = query["state"][0]  # even with the cookie back
    assert callback(client, query["state"][0]).status_code == 400
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize("case", ["forged_state", "other_shop", "no_cookie", "forged_hmac", "foreign_domain"])
def test_a_bad_callback_stores_nothing_and_calls_nobody(client, rt: Runtime, case: str) -> None:
    _, query = begin(client)
    state = query["state"][0]
    if case == "forged_state":
        response = callback(client, "x" * 32)
    elif case == "other_shop":
        response = callback(client, state, shop="other-shop.myshopify.com")
    elif case == "no_cookie":
        with client.session_transaction() as session:
            session.clear()
        response = callback(client, state)
    elif case == "forged_hmac":
        params = signed_query({"code": "c", "shop": SHOP, "state": state, "timestamp": now()})
        params["hmac"] = "0" * 64
        response = client.get("/install/shopify/callback", query_string=params)
    else:
        response = callback(client, state, shop="shop.example.com")
    assert response.status_code == 400
    assert shops(rt) == []
    assert len(responses.calls) == 0


def test_an_install_link_with_a_forged_hmac_or_foreign_shop_is_refused(client, rt: Runtime) -> None:
    params = signed_query({"shop": SHOP, "timestamp": now()})
    params["hmac"] = "0" * 64
    assert client.get("/install/shopify", query_string=params).status_code == 400
    params = signed_query({"shop": "shop.example.com", "timestamp": now()})
    assert client.get("/install/shopify", query_string=params).status_code == 400
    with rt.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM oauth_states")).scalar_one() == 0


@responses.activate
def test_shopify_refusing_the_code_leaves_the_shop_uninstalled(client, rt: Runtime) -> None:
    _, query = begin(client)
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_request", "error_description": "The authorization code was not found or was already used"})
    response = callback(client, query["state"][0])
    assert response.status_code == 400 and "start the install again" in response.get_data(as_text=True)
    assert shops(rt) == []


@responses.activate
def test_a_revoked_token_marks_the_shop_for_reauthorization(client, rt: Runtime) -> None:
    from jobs import shopify as shopify_jobs
    from tests.support import install_shop

    shop_id = install_shop(rt)
    responses.post(graphql_url(), status=401, body='{"errors":"[API] Invalid API key or access token"}')
    assert shopify_jobs.register_webhooks(shop_id) == "needs_reauth"
    [(_, status, _, _)] = shops(rt)
    assert status == "needs_reauth"


def test_without_app_credentials_install_says_so(sqlite_url: str) -> None:
    import fakeredis

    from tests.conftest import make_runtime
    from web import create_app

    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(), shopify_api_key=None)
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    response = client.get("/install/shopify", query_string=signed_query({"shop": SHOP, "timestamp": now()}))
    assert response.status_code == 503 and "SHOPIFY_API_KEY" in response.get_data(as_text=True)
