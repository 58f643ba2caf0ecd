"""Carrier push (UPS Track Alert, EasyPost), Track Alert subscriptions, and the EasyPost aggregator."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import responses
from sqlalchemy import text

from connectors.carriers import push, ups_track_alert
from connectors.carriers.easypost_client import EasyPostProvider
from core.domain.model import CarrierAccount
from core.errors import RateLimited, Transient, Unauthorized
from jobs import tracking
from jobs.runtime import Runtime, utcnow
from tests.support import fixture_bytes, fixture_json, install_shop, post_shopify, run_jobs

UPS_PUSH = fixture_bytes("carriers/ups_trackalert_webhook_in_transit.json")
TRACKER = fixture_json("carriers/easypost_tracker_create_pre_transit.json")
WEBHOOK_SECRET = "easypost-webhook-secret"


def account(rt: Runtime, shop_id: int, carrier: str, provider: str, credentials: dict) -> int:
    with rt.uow() as uow:
        row = CarrierAccount(shop_id=shop_id, carrier=carrier, provider=provider,
                             credentials_ciphertext=rt.cipher.encrypt(json.dumps(credentials)), created_at=utcnow())
        uow.repo.add(row)
        uow.commit()
        return row.id


def ship(client, rt: Runtime, number: str, company: str) -> int:  # type: ignore[no-untyped-def]
    f = fixture_json("shopify/fulfillments_create.json")
    f.update(id=abs(hash(number)) % 10**9, tracking_company=company, tracking_number=number, tracking_numbers=[number],
             tracking_url=None, tracking_urls=[], created_at="2024-04-22T10:00:00+00:00", updated_at="2024-04-22T10:00:00+00:00")
    post_shopify(client, "fulfillments/create", f)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        return next(s.id for s in uow.repo.shipments() if s.tracking_number == number)


def rows(rt: Runtime, sql: str) -> list[tuple]:
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.fixture
def at():  # type: ignore[no-untyped-def]
    """Put the process clock at the vendor sample's time (their scans are years old)."""
    from datetime import datetime, timezone

    from jobs import runtime as runtime_module

    def put(*args: int) -> None:
        moment = datetime(*args, tzinfo=timezone.utc)
        runtime_module.install_clock(lambda: moment)

    yield put
    runtime_module.install_clock(None)


def test_a_ups_track_alert_push_updates_the_parcel_at_once(client, rt: Runtime, at) -> None:  # type: ignore[no-untyped-def]
    at(2024, 4, 23, 2, 0)
    shop_id = install_shop(rt)
    account_id = account(rt, shop_id, "ups", "karrio", {"client_id": "cid", "client_secret": "cs"})
    shipment_id = ship(client, rt, "1ZABCXYZ0112346789", "UPS")
    headers = {"credential": push.ups_credential(rt.settings.secret_key, account_id), "Content-Type": "application/json"}
    response = client.post(f"/webhooks/carriers/ups?account={account_id}", data=UPS_PUSH, headers=headers)
    assert response.status_code == 200 and response.get_json()["result"] == "accepted"
    assert client.post(f"/webhooks/carriers/ups?account={account_id}", data=UPS_PUSH, headers=headers).get_json()["result"] == "duplicate"
    run_jobs(rt.redis)
    with rt.uow() as uow:
        s = uow.repo.shipment_by_id(shipment_id)
        assert s.status == "in_transit" and s.carrier_tracked
        assert s.push_until is not None and s.next_check_at - utcnow() > timedelta(hours=20)  # safety net only
        assert [e.raw_code for e in uow.repo.tracking_events(shipment_id)] == ["I/OR"]


@pytest.mark.parametrize("case", ["wrong_credential", "no_credential", "unknown_account", "no_account"])
def test_an_unverified_push_is_401_and_stores_nothing(client, rt: Runtime, case: str) -> None:
    shop_id = install_shop(rt)
    account_id = account(rt, shop_id, "ups", "karrio", {})
    url = f"/webhooks/carriers/ups?account={account_id}"
    headers = {"credential": push.ups_credential(rt.settings.secret_key, account_id + 1)}
    if case == "no_credential":
        headers = {}
    elif case == "unknown_account":
        url = f"/webhooks/carriers/ups?account={account_id + 99}"
    elif case == "no_account":
        url = "/webhooks/carriers/ups"
    assert client.post(url, data=UPS_PUSH, headers=headers).status_code == 401
    assert rows(rt, "SELECT count(*) FROM webhook_receipts") == [(0,)]


def test_a_malformed_push_is_recorded_and_answered_400(client, rt: Runtime) -> None:
    account_id = account(rt, install_shop(rt), "ups", "karrio", {})
    headers = {"credential": push.ups_credential(rt.settings.secret_key, account_id)}
    response = client.post(f"/webhooks/carriers/ups?account={account_id}", data=b'{"trackingNumber": "1Z"}', headers=headers)
    assert response.status_code == 400
    assert rows(rt, "SELECT platform, status FROM webhook_receipts") == [("carrier:ups", "rejected")]


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "hmac-sha256-hex=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_an_easypost_tracker_webhook_updates_the_parcel(client, rt: Runtime, at) -> None:  # type: ignore[no-untyped-def]
    at(2022, 3, 22, 9, 0)
    shop_id = install_shop(rt)
    account_id = account(rt, shop_id, "*", "easypost", {"api_key": "EZTK", "webhook_secret": WEBHOOK_SECRET})
    shipment_id = ship(client, rt, "EZ1000000001", "USPS")
    body = json.dumps({"object": "Event", "id": "evt_1", "description": "tracker.updated", "result": TRACKER}).encode()
    url = f"/webhooks/carriers/easypost?account={account_id}"
    assert client.post(url, data=body, headers={"X-Hmac-Signature": sign(body, "wrong")}).status_code == 401
    assert client.post(url, data=body, headers={"X-Hmac-Signature": sign(body)}).status_code == 200
    run_jobs(rt.redis)
    with rt.uow() as uow:
        s = uow.repo.shipment_by_id(shipment_id)
        assert s.status == "pre_transit" and s.carrier_tracked
        assert [e.description for e in uow.repo.tracking_events(shipment_id)] == [
            "Pre-Shipment information received", "Shipping label created"]


@responses.activate
def test_the_easypost_aggregator_tracks_through_the_official_sdk() -> None:
    responses.post("https://api.easypost.com/v2/trackers", json=TRACKER, status=201)
    snapshot = EasyPostProvider("EZTK_test").track("usps", "EZ1000000001")
    assert (snapshot.status, snapshot.tracking_number) == ("pre_transit", "EZ1000000001")
    assert json.loads(responses.calls[0].request.body) == {"tracker": {"tracking_code": "EZ1000000001", "carrier": "USPS"}}


@responses.activate
@pytest.mark.parametrize(("status", "error"), [(401, Unauthorized), (429, RateLimited), (503, Transient)])
def test_easypost_failures_are_typed(status: int, error: type) -> None:
    responses.post("https://api.easypost.com/v2/trackers", status=status,
                   json={"error": {"code": "ERR", "message": "refused", "errors": []}})
    with pytest.raises(error):
        EasyPostProvider("EZTK_test").track("pathao", "PTH123")


@responses.activate
def test_ups_parcels_are_subscribed_to_track_alert_for_14_days(client, rt: Runtime) -> None:
    import dataclasses

    rt.settings = dataclasses.replace(rt.settings, base_url="https://forewarn.example")
    shop_id = install_shop(rt)
    account_id = account(rt, shop_id, "ups", "karrio", {"client_id": "cid", "client_secret": "cs"})
    rt.redis.set("forewarn:karrio:ups|cid|cs", json.dumps({"access_token": "ups-token", "expiry": "2099-01-01 00:00:00"}))
    shipment_id = ship(client, rt, "1ZABCXYZ0112346789", "UPS")
    responses.post(ups_track_alert.SUBSCRIBE_URL, json={"validTrackingNumbers": ["1ZABCXYZ0112346789"], "invalidTrackingNumbers": []})
    assert tracking.subscribe_ups() == {"subscribed": 1, "invalid": 0, "failed": 0}
    sent = json.loads(responses.calls[0].request.body)
    assert sent["destination"]["url"] == f"https://forewarn.example/webhooks/carriers/ups?account={account_id}"
    assert sent["destination"]["credential"] == push.ups_credential(rt.settings.secret_key, account_id)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer ups-token"
    with rt.uow() as uow:
        subscribed = uow.repo.shipment_by_id(shipment_id)
        assert subscribed.push_subscribed_until - utcnow() > timedelta(days=13)
        assert subscribed.push_until is None  # polling stays as it is until pushes actually arrive
    assert tracking.subscribe_ups() == {"subscribed": 0, "invalid": 0, "failed": 0}  # renewed only near the end


def test_an_older_push_after_a_newer_one_only_adds_its_scan(client, rt: Runtime, at) -> None:  # type: ignore[no-untyped-def]
    at(2024, 4, 23, 18, 0)
    account_id = account(rt, install_shop(rt), "ups", "karrio", {})
    shipment_id = ship(client, rt, "1ZABCXYZ0112346789", "UPS")
    headers = {"credential": push.ups_credential(rt.settings.secret_key, account_id)}
    newer = json.loads(UPS_PUSH)
    newer.update(activityStatus={"code": "OT", "description": "Out For Delivery Today", "descriptionCode": "021", "type": "I"},
                 gmtActivityDate="20240423", gmtActivityTime="120000")
    client.post(f"/webhooks/carriers/ups?account={account_id}", data=json.dumps(newer).encode(), headers=headers)
    client.post(f"/webhooks/carriers/ups?account={account_id}", data=UPS_PUSH, headers=headers)  # re-sent, older
    run_jobs(rt.redis)
    with rt.uow() as uow:
        s = uow.repo.shipment_by_id(shipment_id)
        assert s.status == "out_for_delivery"
        assert [e.raw_code for e in uow.repo.tracking_events(shipment_id)] == ["I/OR", "I/OT"]


def test_a_verified_push_with_the_wrong_shapes_is_400_and_an_absurd_account_401(client, rt: Runtime) -> None:
    account_id = account(rt, install_shop(rt), "ups", "karrio", {})
    headers = {"credential": push.ups_credential(rt.settings.secret_key, account_id)}
    body = json.dumps({"trackingNumber": 12, "activityStatus": "D"}).encode()
    assert client.post(f"/webhooks/carriers/ups?account={account_id}", data=body, headers=headers).status_code == 400
    assert client.post("/webhooks/carriers/ups?account=99999999999999999999", data=UPS_PUSH, headers=headers).status_code == 401
