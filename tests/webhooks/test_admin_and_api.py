"""The embedded admin page and /api/v1: every request bound to exactly one shop."""
from __future__ import annotations

import json
import time

import responses
from rq import Queue

from jobs import queues
from jobs.runtime import Runtime
from tests.support import (
    API_KEY, SHOP, damaged_parcel, fixture_bytes, fixture_json, install_shop, post_shopify, run_jobs, session_token,
    signed_query,
)

OTHER = "othershop.myshopify.com"


def bearer(shop: str = SHOP, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {session_token(shop, **kwargs)}"}


def seed_two_shops(client, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    install_shop(rt, SHOP)
    install_shop(rt, OTHER, token="shpat_other")
    post_shopify(client, "orders/create", fixture_bytes("shopify/orders_create.json"))
    other = fixture_json("shopify/orders_create.json")
    other.update(id=77, name="#OTHER-1", email="someone@other.example")
    post_shopify(client, "orders/create", other, shop=OTHER)
    run_jobs(rt.redis)


def test_the_embedded_page_shows_one_shop_and_may_be_framed_only_by_it(client, rt: Runtime) -> None:
    seed_two_shops(client, rt)
    response = client.get("/admin/orders", query_string={"shop": SHOP, "id_token": session_token(), "embedded": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "#9999" in page and "#OTHER-1" not in page and "someone@other.example" not in page
    assert response.headers["Content-Security-Policy"].endswith(f"frame-ancestors https://{SHOP} https://admin.shopify.com;")
    assert 'name="shopify-api-key" content="test-api-key"' in page and "cdn.shopify.com/shopifycloud/app-bridge.js" in page


def test_the_page_refuses_a_missing_or_foreign_session(client, rt: Runtime) -> None:
    install_shop(rt)
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", query_string={"id_token": session_token(secret="x" * 40)}).status_code == 401
    assert client.get("/admin", query_string={"id_token": session_token(audience="another-app")}).status_code == 401


def test_an_app_load_without_a_session_token_goes_through_install(client, rt: Runtime) -> None:
    params = signed_query({"shop": SHOP, "timestamp": str(int(time.time())), "host": "YWRtaW4"})
    response = client.get("/admin", query_string=params)
    assert response.status_code == 302 and response.headers["Location"].startswith("/install/shopify?")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_managed_install_exchanges_the_session_token_for_an_offline_token(client, rt: Runtime) -> None:
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json={"access_token": "shpat_exchanged", "scope": "read_orders"})
    token = session_token()
    response = client.get("/admin", query_string={"shop": SHOP, "id_token": token})
    assert response.status_code == 200
    sent = json.loads(responses.calls[0].request.body)
    assert sent["subject_token"] == token and sent["client_id"] == API_KEY
    with rt.uow() as uow:
        shop = uow.repo.shop("shopify", SHOP)
        assert shop.status == "installed" and rt.cipher.decrypt(shop.token_ciphertext) == "shpat_exchanged"
    assert Queue(queues.DEFAULT, connection=rt.redis).count == 1  # webhook registration


def test_api_binds_each_token_to_its_own_shop(client, rt: Runtime) -> None:
    seed_two_shops(client, rt)
    mine = client.get("/api/v1/orders", headers=bearer()).get_json()["orders"]
    theirs = client.get("/api/v1/orders", headers=bearer(OTHER)).get_json()["orders"]
    assert [o["name"] for o in mine] == ["#9999"] and [o["name"] for o in theirs] == ["#OTHER-1"]
    assert client.get("/api/v1/shop", headers=bearer()).get_json()["domain"] == SHOP


def test_api_refuses_requests_without_a_valid_session_token(client, rt: Runtime) -> None:
    install_shop(rt)
    for headers in ({}, {"Authorization": "Basic abc"}, bearer(lifetime=-120), bearer(secret="y" * 40),
                    bearer(dest=f"https://{OTHER}")):
        response = client.get("/api/v1/orders", headers=headers)
        assert response.status_code == 401, headers
        assert "error" in response.get_json()


def test_a_demo_session_is_refused_outside_the_demo(client, rt: Runtime) -> None:
    install_shop(rt)
    assert client.get("/api/v1/shop", headers={"Authorization": "Bearer demo.anything"}).status_code == 401


def test_write_back_is_off_until_the_merchant_turns_it_on(client, rt: Runtime) -> None:
    install_shop(rt)
    assert client.get("/api/v1/shop", headers=bearer()).get_json()["write_back"] is False
    response = client.patch("/api/v1/shop", headers=bearer(), json={"write_back": True})
    assert response.status_code == 200 and response.get_json()["write_back"] is True
    assert client.patch("/api/v1/shop", headers=bearer(), json={"write_back": "sometimes"}).status_code == 400
    assert client.patch("/api/v1/shop", headers=bearer(OTHER), json={"write_back": True}).status_code == 404


def test_the_demo_page_uses_a_signed_demo_session(sqlite_url: str) -> None:
    import fakeredis

    from tests.conftest import make_runtime
    from web import create_app

    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(), demo=True)
    install_shop(runtime, "forewarn-demo.myshopify.com")
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    page = client.get("/admin").get_data(as_text=True)
    token = page.split('name="forewarn-session" content="')[1].split('"')[0]
    assert token.startswith("demo.")
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert shop["domain"] == "forewarn-demo.myshopify.com"
    forged = token[:-3] + "abc"
    assert client.get("/api/v1/shop", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_merchant_sets_carrier_accounts_whose_credentials_are_stored_encrypted(client, rt: Runtime) -> None:
    install_shop(rt)
    body = {"carrier": "dhl", "provider": "karrio", "credentials": {"consumer_key": "dhl-secret-key", "consumer_secret": "-"}}
    created = client.put("/api/v1/carrier-accounts", headers=bearer(), json=body).get_json()
    assert created["has_credentials"] and "credentials" not in created
    listed = client.get("/api/v1/carrier-accounts", headers=bearer()).get_json()["accounts"]
    assert [(a["carrier"], a["provider"]) for a in listed] == [("dhl", "karrio")]
    with rt.engine.connect() as conn:
        from sqlalchemy import text

        [(ciphertext,)] = conn.execute(text("SELECT credentials_ciphertext FROM carrier_accounts")).all()
    assert "dhl-secret-key" not in ciphertext and json.loads(rt.cipher.decrypt(ciphertext))["consumer_key"] == "dhl-secret-key"
    bad = client.put("/api/v1/carrier-accounts", headers=bearer(), json={"carrier": "dhl", "provider": "simulator", "credentials": {}})
    assert bad.status_code == 400  # the simulator is never a merchant's choice
    assert client.get("/api/v1/carrier-accounts", headers=bearer(OTHER)).status_code == 404


def test_cases_are_listed_with_their_suggested_reply_and_can_be_worked(client, rt: Runtime) -> None:
    install_shop(rt)
    damaged_parcel(client, rt, financial_status="paid", customer_locale="fr")
    run_jobs(rt.redis)  # (no helpdesk connected: the ticket job has nothing to do)
    [case] = client.get("/api/v1/cases", headers=bearer()).get_json()["cases"]
    assert case["priority"] == "urgent" and case["subject"] == "Order #9999 — UPS parcel damaged"
    assert case["suggested_reply"]["language"] == "fr" and case["suggested_reply"]["text"].startswith("Bonjour John")
    worked = client.patch(f"/api/v1/cases/{case['id']}", headers=bearer(), json={"note": "Replacement sent", "assignee": "ana"})
    assert worked.status_code == 200 and worked.get_json()["assignee"] == "ana"
    assert worked.get_json()["timeline"][-1]["body"] == "Replacement sent"
    queued = Queue(queues.DEFAULT, connection=rt.redis).jobs  # the note reaches the helpdesk ticket too
    assert [(j.func_name, j.args) for j in queued] == [("jobs.helpdesk.sync_case", (case["id"],))]
    assert client.patch(f"/api/v1/cases/{case['id']}", headers=bearer(), json={"status": "lost"}).status_code == 400
    assert client.patch(f"/api/v1/cases/{case['id']}", headers=bearer(OTHER), json={"note": "x"}).status_code in (404,)
    page = client.get("/admin/cases", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert 'data-case="damaged"' in page
    page = client.get(f"/admin/cases/{case['id']}", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert "Bonjour John" in page  # the suggested reply, on the case's own page


@responses.activate
def test_a_helpdesk_is_connected_only_with_credentials_it_accepts(client, rt: Runtime) -> None:
    install_shop(rt)
    me = "https://acme.zendesk.com/api/v2/users/me.json"
    creds = {"subdomain": "acme", "email": "agent@acme.example", "api_token": "zd-secret"}
    assert client.get("/api/v1/helpdesk", headers=bearer()).get_json() == {"connected": False}
    responses.get(me, status=401, json={"error": "Couldn't authenticate you"})
    refused = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "zendesk", "credentials": creds})
    assert refused.status_code == 422 and "refused these credentials" in refused.get_json()["error"]
    assert client.get("/api/v1/helpdesk", headers=bearer()).get_json() == {"connected": False}  # nothing stored
    responses.replace(responses.GET, me, status=503)
    down = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "zendesk", "credentials": creds})
    assert down.status_code == 502 and "try again" in down.get_json()["error"]
    responses.replace(responses.GET, me, json={"user": {"id": 1, "email": "agent@acme.example", "role": "admin"}})
    connected = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "zendesk", "credentials": creds}).get_json()
    assert connected == {**connected, "connected": True, "kind": "zendesk", "status": "active", "error": None}
    assert "zd-secret" not in json.dumps(connected)
    with rt.uow() as uow:
        account = uow.repo.helpdesk_account(uow.repo.shop("shopify", SHOP).id)
        assert "zd-secret" not in account.credentials_ciphertext
        assert json.loads(rt.cipher.decrypt(account.credentials_ciphertext))["api_token"] == "zd-secret"
    assert "Helpdesk: <strong>Zendesk</strong>" in client.get("/admin/settings", query_string={"shop": SHOP, "id_token": session_token(), "embedded": "1"}).get_data(as_text=True)
    for bad, status in (({"kind": "zendesk"}, 400), ({"kind": "simulated", "credentials": creds}, 422),
                        ({"kind": "gorgias", "credentials": creds}, 422),
                        ({"kind": "zendesk", "credentials": {**creds, "subdomain": "evil.example/#"}}, 422)):
        assert client.put("/api/v1/helpdesk", headers=bearer(), json=bad).status_code == status  # the simulator is demo-only


def test_a_merchant_rewords_a_suggested_reply_and_can_go_back(client, rt: Runtime) -> None:
    install_shop(rt)
    library = client.get("/api/v1/replies", headers=bearer()).get_json()
    assert library["fields"] == ["first_name", "order", "carrier", "when"]
    assert library["replies"]["damaged"]["es"]["edited"] is False
    url = "/api/v1/replies/damaged/en"
    bad = client.put(url, headers=bearer(), json={"text": "Hi {customer}"})
    assert bad.status_code == 422 and bad.get_json()["problems"][0].startswith("unknown field {customer}")
    assert client.put(url, headers=bearer(), json={}).status_code == 400
    assert client.put("/api/v1/replies/exploded/en", headers=bearer(), json={"text": "x"}).status_code == 404
    assert client.put("/api/v1/replies/damaged/it", headers=bearer(), json={"text": "x"}).status_code == 404
    saved = client.put(url, headers=bearer(), json={"text": "So sorry {first_name}: a new one is on its way."}).get_json()
    assert saved == {"text": "So sorry {first_name}: a new one is on its way.", "edited": True}
    assert client.get("/api/v1/replies", headers=bearer(OTHER)).status_code == 404
    damaged_parcel(client, rt)
    [case] = [c for c in client.get("/api/v1/cases", headers=bearer()).get_json()["cases"] if c["problem"] == "damaged"]
    assert case["suggested_reply"]["text"] == "So sorry John: a new one is on its way."  # the shop's wording in its cases
    assert client.delete(url, headers=bearer()).get_json()["edited"] is False
    [case] = [c for c in client.get("/api/v1/cases", headers=bearer()).get_json()["cases"] if c["problem"] == "damaged"]
    assert case["suggested_reply"]["text"].startswith("Hi John, UPS reports")
