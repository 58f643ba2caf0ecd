"""A Wix site installs Forewarn, its signed events arrive and stay correct (duplicates, out of order, unsigned,
expired, unknown sites refused), its dashboard page opens for that site only, reconciliation repairs what was
never delivered, and removing the app stops everything. Wix's APIs are the site simulator, served on
127.0.0.1 and speaking Wix's documented wire format; the events are Wix's own documented examples."""
from __future__ import annotations

import copy
import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from connectors.wix.simulator import WixSiteSimulator, create_app, generate_key_pair, sign_webhook
from connectors.wix.verify import instance_param
from core.domain.model import WebhookReceipt, WixInstallation
from jobs.runtime import Runtime
from tests.support import fixture_json, run_jobs

APP_ID, APP_SECRET = "5a2e9c1b-0000-4000-8000-00000000a1b2", "wix-app-secret"
INSTANCE = "6f8d3c2a-1b4e-4f5a-9c7d-2e1f0a9b8c7d"
PRIVATE, PUBLIC = generate_key_pair()
APPROVED = fixture_json("wix/ecom_order_approved.data.json")
ORDER = APPROVED["actionEvent"]["body"]["order"]
FULFILLMENTS = fixture_json("wix/ecom_fulfillments_updated.data.json")


@pytest.fixture
def site(rt: Runtime) -> Iterator[WixSiteSimulator]:
    sim = WixSiteSimulator(APP_ID, APP_SECRET, INSTANCE)
    server = make_server("127.0.0.1", 0, create_app(sim), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rt.settings = dataclasses.replace(rt.settings, wix_app_id=APP_ID, wix_app_secret=APP_SECRET, wix_public_key=PUBLIC,
                                      wix_api_url=f"http://127.0.0.1:{server.server_port}")
    yield sim
    server.shutdown()


def dashboard(client, **claims):  # type: ignore[no-untyped-def]
    signed = {"instanceId": INSTANCE, "signDate": datetime.now(timezone.utc).isoformat(), "uid": "owner-1",
              "permissions": "OWNER", **claims}
    return client.get("/admin/wix", query_string={"instance": instance_param(signed, APP_SECRET), "locale": "en"})


def post(client, event_type: str, event: dict, *, instance: str = INSTANCE, key: str = PRIVATE, **kwargs):  # type: ignore[no-untyped-def]
    body = sign_webhook(event_type, instance, event, key, **kwargs)
    return client.post("/webhooks/wix", data=body, content_type="text/plain")


def receipts(rt: Runtime) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(WebhookReceipt)) or 0


def installed(client, rt: Runtime) -> int:  # type: ignore[no-untyped-def]
    assert dashboard(client).status_code == 200
    with rt.uow() as uow:
        return uow.repo.wix_installation(INSTANCE).shop_id


def test_the_dashboard_opens_for_its_site_only_and_installs_it(client, rt: Runtime, site: WixSiteSimulator) -> None:
    page = dashboard(client)
    assert page.status_code == 200 and "frame-ancestors https://manage.wix.com" in page.headers["Content-Security-Policy"]
    token = page.text.split('name="forewarn-session" content="')[1].split('"')[0]
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert shop["platform"] == "wix" and shop["domain"] == INSTANCE
    forged = instance_param({"instanceId": INSTANCE, "signDate": datetime.now(timezone.utc).isoformat()}, "another-secret")
    assert client.get("/admin/wix", query_string={"instance": forged}).status_code == 401
    old = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat()
    assert dashboard(client, signDate=old).status_code == 401
    assert client.get("/admin/wix").status_code == 401


def test_the_install_flow_gets_access_for_the_instance(client, rt: Runtime, site: WixSiteSimulator) -> None:
    start = client.get("/install/wix", query_string={"token": "install-token-from-wix"})
    assert start.status_code == 302 and start.headers["Location"].startswith("https://www.wix.com/installer/install?")
    assert f"appId={APP_ID}" in start.headers["Location"] and "redirectUrl=https" in start.headers["Location"]
    done = client.get("/install/wix/callback", query_string={"instanceId": INSTANCE, "code": "ignored"})
    assert done.status_code == 302 and done.headers["Location"].startswith("https://www.wix.com/installer/close-window")
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(INSTANCE)
        assert installation.status == "installed" and uow.repo.shop_by_id(installation.shop_id).name == site.site_name
    refused = client.get("/install/wix/callback", query_string={"instanceId": "not-our-instance"})
    assert refused.status_code == 502
    with rt.uow() as uow:
        assert uow.repo.wix_installation("not-our-instance") is None


def test_signed_events_are_taken_once_and_bad_ones_refused_with_nothing_stored(client, rt: Runtime, site: WixSiteSimulator) -> None:
    shop_id = installed(client, rt)
    before = receipts(rt)
    assert post(client, "wix.ecom.v1.order_approved", APPROVED).get_json()["result"] == "accepted"
    assert post(client, "wix.ecom.v1.order_approved", APPROVED).get_json()["result"] == "duplicate"  # resent by Wix
    tampered = sign_webhook("wix.ecom.v1.order_approved", INSTANCE, APPROVED, PRIVATE).replace(b".ey", b".eX", 1)
    assert client.post("/webhooks/wix", data=tampered).status_code == 401
    other_private, _ = generate_key_pair()
    assert post(client, "wix.ecom.v1.order_approved", APPROVED, key=other_private).status_code == 401
    expired = post(client, "wix.ecom.v1.order_approved", APPROVED, now=datetime.now(timezone.utc) - timedelta(hours=3))
    assert expired.status_code == 401
    assert client.post("/webhooks/wix", data=json.dumps(APPROVED)).status_code == 401  # unsigned
    assert post(client, "wix.ecom.v1.order_approved", APPROVED, instance="someone-elses-site").status_code == 404
    assert receipts(rt) == before + 1
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(shop_id)
        assert order.name == "#10002" and order.email == "janedoe@gmail.com"


def test_fulfillments_arrive_and_an_older_order_state_never_wins(client, rt: Runtime, site: WixSiteSimulator) -> None:
    shop_id = installed(client, rt)
    newer = copy.deepcopy(APPROVED)
    newer["id"] = "newer-event"
    newer["actionEvent"]["body"]["order"]["updatedDate"] = "2022-12-22T10:00:00.000Z"
    newer["actionEvent"]["body"]["order"]["buyerInfo"]["email"] = "jane.new@example.com"
    post(client, "wix.ecom.v1.order_approved", newer)
    post(client, "wix.ecom.v1.order_approved", APPROVED)  # the older state, delivered late
    fulfilled = copy.deepcopy(FULFILLMENTS)
    fulfilled["entityId"] = fulfilled["updatedEvent"]["currentEntity"]["orderId"] = ORDER["id"]
    assert post(client, "wix.ecom.v1.fulfillments_updated", fulfilled).get_json()["result"] == "accepted"
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(shop_id)
        [parcel] = uow.repo.shipments_of_order(order.id)
        assert order.email == "jane.new@example.com"
        assert parcel.tracking_number == "12345" and parcel.carrier == "ups"


def test_reconciliation_fetches_what_was_never_delivered_once(client, rt: Runtime, site: WixSiteSimulator) -> None:
    from jobs import wix

    shop_id = installed(client, rt)
    run_jobs(rt.redis)  # the install's own reconciliation: nothing yet
    lost = copy.deepcopy(ORDER)
    lost.update(updatedDate=datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"))
    site.add_order(lost)
    site.add_fulfillment(lost["id"], "1Z999AA10123456784", "ups")
    assert wix.reconcile(INSTANCE)["fetched"] == 2  # the order and its fulfillments
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [order] = uow.repo.orders(shop_id)
        assert [s.tracking_number for s in uow.repo.shipments_of_order(order.id)] == ["1Z999AA10123456784"]
        uow.session.get(WixInstallation, uow.repo.wix_installation(INSTANCE).id).synced_until = None
        uow.commit()
    assert wix.reconcile(INSTANCE)["fetched"] == 0  # the same states are not taken twice


def test_findings_become_activities_on_the_wix_order(client, rt: Runtime, site: WixSiteSimulator) -> None:
    from core.domain.events import IncidentOpened

    shop_id = installed(client, rt)
    site.add_order(copy.deepcopy(ORDER))
    post(client, "wix.ecom.v1.order_approved", APPROVED)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        uow.repo.shop_by_id(shop_id).write_back = True
        [order] = uow.repo.orders(shop_id)
        uow.commit()
        order_id = order.id
    rt.bus.handle([IncidentOpened(1, shop_id, order_id, None, "unfulfilled", "paid 3 business days ago and not shipped")])
    run_jobs(rt.redis)
    ours = [a for a in site.order(ORDER["id"])["activities"] if "paid 3 business days ago" in json.dumps(a)]
    assert len(ours) == 1 and ours[0].get("merchantComment")


def test_removing_the_app_stops_everything_for_the_site(client, rt: Runtime, site: WixSiteSimulator) -> None:
    shop_id = installed(client, rt)
    removed = fixture_json("wix/app_instance_removed.data.json")
    assert post(client, "AppRemoved", removed).status_code == 200
    with rt.uow() as uow:
        assert uow.repo.wix_installation(INSTANCE).status == "removed"
        assert uow.repo.shop_by_id(shop_id).status == "uninstalled"
    assert rt.redis.get(f"forewarn:wix-token:{INSTANCE}") is None
    later = post(client, "wix.ecom.v1.order_approved", APPROVED)
    assert later.status_code == 200 and later.get_json()["result"] == "ignored" and receipts(rt) == 0


def test_a_state_that_came_by_event_is_not_fetched_again(client, rt: Runtime, site: WixSiteSimulator) -> None:
    from jobs import wix

    installed(client, rt)
    run_jobs(rt.redis)
    order = site.add_order(copy.deepcopy(ORDER))
    site.add_fulfillment(order["id"], "12345", "ups")
    current = site.order(order["id"])
    event = copy.deepcopy(APPROVED)
    event["actionEvent"]["body"]["order"] = current
    post(client, "wix.ecom.v1.order_approved", event)
    fulfilled = copy.deepcopy(FULFILLMENTS)
    fulfilled["id"] = "fulfillment-event-2"
    fulfilled["updatedEvent"]["currentEntity"] = site.fulfillments_of(order["id"])["orderWithFulfillments"]
    post(client, "wix.ecom.v1.fulfillments_updated", fulfilled)
    run_jobs(rt.redis)
    assert wix.reconcile(INSTANCE)["fetched"] == 0


def test_replay_reads_wixs_own_examples(capsys) -> None:
    from tests.support import FIXTURES
    from web.cli import main

    assert main(["replay", "wix", str(FIXTURES / "wix/ecom_order_approved.data.json"), "--json"]) == 0
    [order] = json.loads(capsys.readouterr().out)["orders"]
    assert order["name"] == "#10002" and order["customer"]["email"] == "janedoe@gmail.com"
    assert main(["replay", "wix", str(FIXTURES / "wix/ecom_fulfillments_updated.data.json")]) == 0
    assert "wix.ecom.v1.fulfillments_updated → ShipmentCreated" in capsys.readouterr().out


def test_a_late_removal_does_not_undo_a_reinstall_and_a_removed_site_is_not_retried(client, rt: Runtime, site: WixSiteSimulator) -> None:
    installed(client, rt)
    with rt.uow() as uow:  # installed an hour ago
        uow.repo.wix_installation(INSTANCE).installed_at = datetime.now(timezone.utc) - timedelta(hours=1)
        uow.commit()
    removed = fixture_json("wix/app_instance_removed.data.json")
    old_removal = sign_webhook("AppRemoved", INSTANCE, removed, PRIVATE, now=datetime.now(timezone.utc) - timedelta(minutes=30))
    assert client.post("/webhooks/wix", data=old_removal).get_json()["result"] == "removed"
    ignored = post(client, "wix.ecom.v1.order_approved", APPROVED)
    assert ignored.status_code == 200 and ignored.get_json()["result"] == "ignored"  # Wix need not resend it
    assert dashboard(client).status_code == 200  # the owner installs Forewarn again
    assert client.post("/webhooks/wix", data=old_removal).get_json()["result"] == "stale removal"  # resent late
    with rt.uow() as uow:
        assert uow.repo.wix_installation(INSTANCE).status == "installed"
        assert uow.repo.shop("wix", INSTANCE).status == "installed"


def test_a_lost_removal_is_noticed_when_wix_refuses_the_token(client, rt: Runtime, site: WixSiteSimulator) -> None:
    from jobs import wix

    installed(client, rt)
    rt.redis.delete(f"forewarn:wix-token:{INSTANCE}")
    site.revoke_tokens()
    site.app_secret = "rotated"  # Wix no longer gives this app a token for the site
    assert "refused" in wix.reconcile(INSTANCE)
    with rt.uow() as uow:
        assert uow.repo.shop("wix", INSTANCE).status == "needs_reauth"


def test_an_odd_event_time_is_no_crash(client, rt: Runtime, site: WixSiteSimulator) -> None:
    installed(client, rt)
    odd = copy.deepcopy(APPROVED)
    odd["id"], odd["eventTime"] = "odd-time", "9999-12-31T23:59:59-12:00"
    assert post(client, "wix.ecom.v1.order_approved", odd).status_code == 200
