"""A WooCommerce store connects (wc-auth), its signed webhooks arrive and stay correct through duplicates and
lost deliveries (the health job), its merchant reaches that store's admin page only, and Forewarn's
findings become private order notes once. REST calls answer with the documented WooCommerce shapes."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import responses
from sqlalchemy import func, select

from connectors.woocommerce.verify import webhook_signature
from core.domain.model import Order, ReceiptStatus, WebhookReceipt, WooInstallation, WriteBack
from jobs.runtime import Runtime
from tests.support import fixture_bytes, fixture_json, run_jobs

STORE = "https://shop.example.com"
API = f"{STORE}/wp-json/wc/v3"
CALLBACK = fixture_json("woocommerce/wc_auth_callback_post_body.json")
ORDER = fixture_json("woocommerce/order_create_response.json")


def tracked(order: dict, *items: tuple[str, str], modified: str | None = None) -> dict:
    """The vendor's sample order with Shipment Tracking items in its meta, as the extension stores them."""
    body = copy.deepcopy(order)
    body["meta_data"] = [*body["meta_data"], {"id": 900, "key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": provider, "custom_tracking_provider": "", "custom_tracking_link": "",
         "tracking_number": number, "date_shipped": "1490212800", "tracking_id": f"t{i}{number[-4:]}"}
        for i, (provider, number) in enumerate(items)]}]
    if modified:
        body["date_modified_gmt"] = modified
    return body


def start_install(client) -> str:  # type: ignore[no-untyped-def]
    answer = client.post("/install/woocommerce", data={"store_url": STORE + "/", "email": "owner@shop.example.com"})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{STORE}/wc-auth/v1/authorize"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["scope"] == "read_write" and query["app_name"] == "Forewarn"
    assert query["callback_url"] == "https://forewarn.example/install/woocommerce/callback"
    return query["user_id"]


def rest_store(orders: list[dict] | None = None) -> None:
    """The store's REST API as a fresh store answers it: no webhooks yet, these orders."""
    created = iter(range(31, 40))
    responses.get(f"{API}/webhooks", json=[])
    responses.add_callback(responses.POST, f"{API}/webhooks", callback=lambda request: (
        201, {}, json.dumps({**json.loads(request.body), "id": next(created), "status": "active"})))
    responses.get(f"{API}/orders", json=orders or [], headers={"X-WP-Total": str(len(orders or [])), "X-WP-TotalPages": "1"})


def connected(client, rt: Runtime, orders: list[dict] | None = None) -> WooInstallation:  # type: ignore[no-untyped-def]
    user_id = start_install(client)
    rest_store(orders)
    answer = client.post("/install/woocommerce/callback", json={**CALLBACK, "user_id": user_id})
    assert answer.status_code == 200
    run_jobs(rt.redis)
    with rt.uow() as uow:
        installation = uow.repo.woo_installation(user_id)
        uow.session.expunge(installation)
        return installation


def deliver(client, rt: Runtime, installation: WooInstallation, topic: str, body: dict | bytes,  # type: ignore[no-untyped-def]
            *, secret: str | None = None, delivery_id: str = "a" * 32):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    secret = secret or rt.cipher.decrypt(installation.webhook_secret_ciphertext)
    headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": "order",
               "X-WC-Webhook-Event": topic.split(".")[1], "X-WC-Webhook-Signature": webhook_signature(secret, raw),
               "X-WC-Webhook-ID": "31", "X-WC-Webhook-Delivery-ID": delivery_id, "X-WC-Webhook-Source": STORE + "/"}
    return client.post(f"/webhooks/woocommerce/{installation.public_id}", data=raw, headers=headers)


def receipts(rt: Runtime) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(WebhookReceipt)) or 0


@responses.activate
def test_a_store_connects_and_its_recent_orders_and_webhooks_arrive(client, rt: Runtime) -> None:
    installation = connected(client, rt, orders=[tracked(ORDER, ("UPS", "1Z999AA10123456784"))])
    assert installation.status == "active" and installation.shop_id
    creds = json.loads(rt.cipher.decrypt(installation.credentials_ciphertext))
    assert creds["consumer_key"] == CALLBACK["consumer_key"] and CALLBACK["consumer_secret"] not in installation.credentials_ciphertext
    posted = [json.loads(c.request.body) for c in responses.calls if c.request.method == "POST" and c.request.url == f"{API}/webhooks"]
    assert sorted(p["topic"] for p in posted) == ["order.created", "order.deleted", "order.restored", "order.updated"]
    assert {p["delivery_url"] for p in posted} == {f"https://forewarn.example/webhooks/woocommerce/{installation.public_id}"}
    assert all(p["secret"] == rt.cipher.decrypt(installation.webhook_secret_ciphertext) for p in posted)
    with rt.uow() as uow:
        [order] = uow.repo.orders(installation.shop_id)
        [shipment] = uow.repo.shipments_of_order(order.id)
        assert order.name == "#727" and order.email == "john.doe@example.com"
        assert shipment.tracking_number == "1Z999AA10123456784" and shipment.carrier == "ups"
        shop = uow.repo.shop_by_id(installation.shop_id)
        assert shop.platform == "woocommerce" and shop.domain == "shop.example.com" and shop.webhooks_registered_at


@responses.activate
def test_the_callback_is_taken_only_for_a_pending_installation_of_ours(client, rt: Runtime) -> None:
    assert client.post("/install/woocommerce/callback", json={**CALLBACK, "user_id": "forged"}).status_code == 404
    user_id = start_install(client)
    read_only = client.post("/install/woocommerce/callback", json={**CALLBACK, "user_id": user_id, "key_permissions": "read"})
    assert read_only.status_code == 400
    assert client.post("/install/woocommerce/callback", data=b"key_id=1", content_type="text/plain").status_code == 400
    with rt.uow() as uow:
        row = uow.repo.woo_installation(user_id)
        assert row.status == "pending" and row.credentials_ciphertext is None
        row.created_at = datetime.now(timezone.utc) - timedelta(hours=2)
        uow.commit()
    assert client.post("/install/woocommerce/callback", json={**CALLBACK, "user_id": user_id}).status_code == 404
    assert client.post("/install/woocommerce", data={"store_url": "http://shop.example.com"}).status_code == 400
    assert client.post("/install/woocommerce", data={"store_url": "https://169.254.169.254"}).status_code == 400


@responses.activate
def test_signed_webhooks_are_taken_once_per_change_and_an_older_state_never_wins(client, rt: Runtime) -> None:
    installation = connected(client, rt)
    newer = tracked(ORDER, ("UPS", "1Z999AA10123456784"), ("FedEx", "794644790132"), modified="2017-03-23T10:00:00")
    assert deliver(client, rt, installation, "order.updated", newer, delivery_id="b" * 32).get_json()["result"] == "accepted"
    again = deliver(client, rt, installation, "order.updated", newer, delivery_id="c" * 32)  # redelivered: new id
    assert again.get_json()["result"] == "duplicate"
    older = copy.deepcopy(ORDER)
    older["billing"]["email"] = "old@example.com"
    assert deliver(client, rt, installation, "order.created", older, delivery_id="d" * 32).status_code == 200
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(installation.shop_id)
        shipments = uow.repo.shipments_of_order(order.id)
        assert order.email == "john.doe@example.com"  # the older state arrived last and was ignored
        assert sorted(s.carrier for s in shipments) == ["fedex", "ups"]  # a partial shipment: two parcels


@responses.activate
def test_bad_deliveries_are_refused_or_recorded_never_a_500(client, rt: Runtime) -> None:
    installation = connected(client, rt)
    before = receipts(rt)
    forged = deliver(client, rt, installation, "order.updated", ORDER, secret="not-the-store-secret")
    assert forged.status_code == 401 and receipts(rt) == before
    ping = client.post(f"/webhooks/woocommerce/{installation.public_id}", data=fixture_bytes("woocommerce/webhook_ping.body.txt"),
                       content_type="application/x-www-form-urlencoded")
    assert ping.status_code == 200 and receipts(rt) == before
    assert client.post("/webhooks/woocommerce/unknown-store", data=b"{}").status_code == 404
    broken = deliver(client, rt, installation, "order.updated", b'{"id": 727, "line_items": [')
    assert broken.status_code == 400 and receipts(rt) == before + 1
    missing = deliver(client, rt, installation, "order.updated", {"id": 727}, delivery_id="e" * 32)
    assert missing.status_code in (400, 422)
    with rt.uow() as uow:
        statuses = {r.status for r in uow.session.scalars(select(WebhookReceipt)).all()}
        assert ReceiptStatus.REJECTED in statuses


@responses.activate
def test_a_deleted_order_stops_being_watched(client, rt: Runtime) -> None:
    installation = connected(client, rt, orders=[tracked(ORDER, ("UPS", "1Z999AA10123456784"))])
    assert deliver(client, rt, installation, "order.deleted", {"id": 727}).status_code == 200
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(installation.shop_id)
        assert order.status == "cancelled" and order.email == "john.doe@example.com"


@responses.activate
def test_the_health_job_re_enables_a_disabled_webhook_recreates_a_missing_one_and_fetches_lost_orders(client, rt: Runtime) -> None:
    from jobs import woocommerce

    installation = connected(client, rt)
    url = f"https://forewarn.example/webhooks/woocommerce/{installation.public_id}"
    hooks = [{"id": 31, "name": "Forewarn", "status": "disabled", "topic": "order.created", "delivery_url": url},
             {"id": 32, "name": "Forewarn", "status": "active", "topic": "order.updated", "delivery_url": url},
             {"id": 33, "name": "Forewarn", "status": "paused", "topic": "order.deleted", "delivery_url": url},
             {"id": 50, "name": "Another app", "status": "disabled", "topic": "order.restored", "delivery_url": "https://other.example/"}]
    responses.replace(responses.GET, f"{API}/webhooks", json=hooks)
    lost = tracked(ORDER, ("DHL", "1234567890"), modified="2030-01-01T00:00:00")  # a change whose webhook never came
    responses.replace(responses.GET, f"{API}/orders", json=[lost], headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})
    puts = responses.put(f"{API}/webhooks/31", json={**hooks[0], "status": "active"})
    responses.put(f"{API}/webhooks/33", json={**hooks[2], "status": "active"})
    before = len([c for c in responses.calls if c.request.method == "POST"])
    result = woocommerce.check_health(installation.id)
    assert puts.call_count == 1 and json.loads(puts.calls[0].request.body) == {"status": "active"}
    recreated = [c for c in responses.calls if c.request.method == "POST"][before:]
    assert [json.loads(c.request.body)["topic"] for c in recreated] == ["order.restored"]  # the other app's is not ours
    assert result["orders_fetched"] == 1
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(installation.shop_id)
        assert [s.tracking_number for s in uow.repo.shipments_of_order(order.id)] == ["1234567890"]
    assert woocommerce.check_health(installation.id)["orders_fetched"] == 0  # the same state is not taken twice


@responses.activate
def test_revoked_keys_mark_the_store_for_reauthorization(client, rt: Runtime) -> None:
    from jobs import woocommerce

    installation = connected(client, rt)
    responses.replace(responses.GET, f"{API}/webhooks", status=401,
                      json={"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": {"status": 401}})
    assert "needs_reauth" in woocommerce.check_health(installation.id)
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation.id)
        assert row.status == "needs_reauth" and "connect it again" in row.health_error
        assert uow.repo.shop_by_id(row.shop_id).status == "needs_reauth"


@responses.activate
def test_findings_become_one_private_order_note_even_across_a_retry(client, rt: Runtime) -> None:
    from core.domain.events import IncidentOpened
    from jobs import woocommerce

    installation = connected(client, rt, orders=[tracked(ORDER, ("UPS", "1Z999AA10123456784"))])
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(installation.shop_id)
        shop.write_back = True
        [order] = uow.repo.orders(shop.id)
        [shipment] = uow.repo.shipments_of_order(order.id)
        uow.commit()
        order_id, shipment_id = order.id, shipment.id
    notes = responses.get(f"{API}/orders/727/notes", json=[])
    added = responses.post(f"{API}/orders/727/notes", json=fixture_json("woocommerce/order_note_create_response.json"), status=201)
    rt.bus.handle([IncidentOpened(1, installation.shop_id, order_id, shipment_id, "late", "UPS moved the delivery date to Fri")])
    run_jobs(rt.redis)
    assert added.call_count == 1
    sent = json.loads(added.calls[0].request.body)
    assert sent["customer_note"] is False and "UPS moved the delivery date" in sent["note"]
    with rt.uow() as uow:
        [item] = uow.session.scalars(select(WriteBack)).all()
        assert item.kind == "order_note" and item.status == "sent"
        item.status = "pending"  # as if the worker died after posting, before recording it
        uow.commit()
        key = item.key
    responses.replace(responses.GET, f"{API}/orders/727/notes", json=[{"id": 281, "note": f"... [forewarn:{key}]"}])
    assert woocommerce.send_write_back(item.id) == "sent" and added.call_count == 1 and notes.call_count >= 1


@responses.activate
def test_the_merchant_reaches_that_stores_admin_page_only(client, rt: Runtime, app) -> None:
    installation = connected(client, rt)
    back = client.get(f"/install/woocommerce/return?success=1&user_id={installation.public_id}")
    assert back.status_code == 303 and back.headers["Location"] == "/admin/woocommerce"
    page = client.get("/admin/woocommerce")
    assert page.status_code == 200 and "shop.example.com" in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    token = page.text.split('name="forewarn-session" content="')[1].split('"')[0]
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert shop["platform"] == "woocommerce" and shop["domain"] == "shop.example.com"
    stranger = app.test_client()  # another browser with the same return URL gets nothing
    assert stranger.get(f"/install/woocommerce/return?success=1&user_id={installation.public_id}").status_code == 401
    assert stranger.get("/admin/woocommerce").status_code == 401
    from web.woocommerce import login_link

    with app.test_request_context():
        link = login_link("shop.example.com")
    path = urlsplit(link).path
    confirm = stranger.get(path)  # opening the link (or a mail scanner opening it) names the store, spends nothing
    assert confirm.status_code == 200 and "shop.example.com" in confirm.text
    assert stranger.post(path).status_code == 303 and stranger.get("/admin/woocommerce").status_code == 200
    assert app.test_client().post(path).status_code == 401  # a sign-in link works once
    forged = "woo." + token[4:-2] + "xx"
    assert client.get("/api/v1/shop", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_replay_reads_the_vendor_sample(tmp_path, capsys) -> None:
    from web.cli import main

    sample = tmp_path / "order.json"
    sample.write_text(json.dumps(tracked(ORDER, ("UPS", "1Z999AA10123456784"), ("FedEx", "794644790132"))))
    assert main(["replay", "woocommerce", str(sample), "--topic", "order.updated", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [order] = out["orders"]
    assert order["name"] == "#727" and len(order["shipments"]) == 2
    sample.write_text(json.dumps(ORDER))  # the topic is told from the body
    assert main(["replay", "woocommerce", str(sample)]) == 0
    assert "woocommerce order.updated → OrderUpdated" in capsys.readouterr().out


@responses.activate
def test_a_callback_with_keys_the_store_does_not_know_takes_nothing_over(client, rt: Runtime, app) -> None:
    installation = connected(client, rt)  # the real owner's connection
    attacker = app.test_client()
    user_id = start_install(attacker)
    responses.replace(responses.GET, f"{API}/webhooks", status=401,
                      json={"code": "woocommerce_rest_authentication_error", "message": "Invalid signature", "data": {"status": 401}})
    forged = {**CALLBACK, "user_id": user_id, "consumer_key": "ck_forged", "consumer_secret": "cs_forged"}
    assert attacker.post("/install/woocommerce/callback", json=forged).status_code == 200  # taken, not trusted
    run_jobs(rt.redis)
    with rt.uow() as uow:
        row = uow.repo.woo_installation(user_id)
        assert row.status == "refused" and row.credentials_ciphertext is None and row.shop_id is None
        assert uow.repo.woo_installation(installation.public_id).status == "active"  # the owner's stays
    assert attacker.get(f"/install/woocommerce/return?success=1&user_id={user_id}").status_code == 400
    assert attacker.get("/admin/woocommerce").status_code == 401


@responses.activate
def test_connecting_an_installed_store_again_signs_in_nobody_by_itself(client, rt: Runtime, app) -> None:
    first = connected(client, rt)
    other = app.test_client()
    user_id = start_install(other)
    assert other.post("/install/woocommerce/callback", json={**CALLBACK, "user_id": user_id}).status_code == 200
    run_jobs(rt.redis)
    with rt.uow() as uow:
        row = uow.repo.woo_installation(user_id)
        assert row.status == "active" and row.reconnect_of == first.id
        assert row.admin_email == "owner@shop.example.com"  # the address on file stays the owner's
        assert uow.repo.woo_installation(first.public_id).status == "superseded"
    back = other.get(f"/install/woocommerce/return?success=1&user_id={user_id}")
    assert back.status_code == 200 and "connected again" in back.text
    assert other.get("/admin/woocommerce").status_code == 401
    old = deliver(client, rt, first, "order.updated", ORDER)  # the replaced installation's address is closed
    assert old.status_code == 404


@responses.activate
def test_a_sign_in_link_works_once_however_it_is_spelled(client, rt: Runtime, app) -> None:
    connected(client, rt)
    from web.woocommerce import login_link

    with app.test_request_context():
        path = urlsplit(login_link("shop.example.com")).path
    assert app.test_client().post(path).status_code == 303
    for padding in ("", "=", "=="):
        assert app.test_client().post(path + padding).status_code == 401


@responses.activate
def test_a_refused_webhook_does_not_stop_the_fetch_and_a_future_date_does_not_freeze_it(client, rt: Runtime) -> None:
    from jobs import woocommerce

    installation = connected(client, rt)
    responses.replace(responses.GET, f"{API}/webhooks", json=[])
    responses.replace(responses.POST, f"{API}/webhooks", status=400, json={
        "code": "woocommerce_rest_webhook_delivery_url_failed", "message": "Delivery URL returned response code: 503",
        "data": {"status": 400}})
    future = tracked(ORDER, ("UPS", "1Z999AA10123456784"), modified="2034-12-31T23:55:00")
    responses.replace(responses.GET, f"{API}/orders", json=[future], headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})
    result = woocommerce.check_health(installation.id)
    assert result["orders_fetched"] == 1 and result["errors"][0].startswith("webhooks:")
    with rt.uow() as uow:
        row = uow.session.get(WooInstallation, installation.id)
        assert "Delivery URL returned response code" in row.health_error
        assert uow.repo.shop_by_id(row.shop_id).synced_until < datetime(2030, 1, 1, tzinfo=timezone.utc)


@responses.activate
def test_a_state_received_by_webhook_is_not_taken_again_by_the_fetch_and_deletions_all_count(client, rt: Runtime) -> None:
    from jobs import woocommerce

    installation = connected(client, rt)
    order = tracked(ORDER, ("UPS", "1Z999AA10123456784"), modified="2017-03-23T10:00:00")
    assert deliver(client, rt, installation, "order.created", order).get_json()["result"] == "accepted"
    responses.replace(responses.GET, f"{API}/orders", json=[order], headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})
    assert woocommerce.check_health(installation.id)["orders_fetched"] == 0
    first = deliver(client, rt, installation, "order.deleted", {"id": 727}, delivery_id="1" * 32)
    restored = deliver(client, rt, installation, "order.restored", {**order, "date_modified_gmt": "2017-03-24T10:00:00"})
    again = deliver(client, rt, installation, "order.deleted", {"id": 727}, delivery_id="2" * 32)
    assert [a.get_json()["result"] for a in (first, restored, again)] == ["accepted", "accepted", "accepted"]


@responses.activate
def test_a_sign_in_link_is_emailed_to_the_address_on_file_and_the_answer_reveals_nothing(client, rt: Runtime, app) -> None:
    import dataclasses

    from tests.smtp import Inbox, running_smtpd

    connected(client, rt)
    inbox = Inbox()
    with running_smtpd(inbox) as port:
        rt.settings = dataclasses.replace(rt.settings, smtp_url=f"smtp://127.0.0.1:{port}?from=forewarn@forewarn.example")
        known = app.test_client().post("/login/woocommerce", data={"store_url": "https://shop.example.com"})
        unknown = app.test_client().post("/login/woocommerce", data={"store_url": "https://other.example.com"})
    assert known.status_code == unknown.status_code == 200 and known.text == unknown.text
    [mail] = inbox.messages
    assert mail["To"] == "owner@shop.example.com" and "shop.example.com" in mail["Subject"]
    link = next(line for line in mail.get_content().splitlines() if "/login/woocommerce/" in line)
    browser = app.test_client()
    assert browser.post(urlsplit(link.strip()).path).status_code == 303
    assert browser.get("/admin/woocommerce").status_code == 200
