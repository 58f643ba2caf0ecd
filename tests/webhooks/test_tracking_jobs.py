"""The tracking watcher end to end: due parcels polled through karrio's DHL client against the carrier
simulator, scans stored once, statuses from the carrier's codes, quotas, failures and write-back."""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import fakeredis
import pytest
from werkzeug.serving import make_server

from connectors.carriers import simulator as sim
from core.domain.model import CarrierAccount
from jobs import runtime as runtime_module
from jobs import tracking
from jobs.runtime import Runtime
from tests.conftest import make_runtime
from tests.support import fixture_json, install_shop, post_shopify, run_jobs

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # a Monday


@pytest.fixture
def clock() -> Iterator[sim.SimClock]:
    clock = sim.SimClock(START, speed=0)  # time moves only when a test advances it
    runtime_module.install_clock(clock.now)
    yield clock
    runtime_module.install_clock(None)


@pytest.fixture
def carrier(clock: sim.SimClock) -> Iterator[tuple[sim.CarrierSimulator, str]]:
    simulator = sim.CarrierSimulator(clock)
    server = make_server("127.0.0.1", 0, sim.create_app(simulator))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield simulator, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def trt(sqlite_url: str, carrier) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    _, url = carrier
    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    runtime.settings = dataclasses.replace(runtime.settings, carrier_simulator_url=url)
    runtime_module.install(runtime)
    yield runtime
    runtime_module.install(None)
    runtime.engine.dispose()


@pytest.fixture
def tclient(trt: Runtime):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"TESTING": True}, runtime=trt).test_client()


def ship(client, rt: Runtime, number: str, carrier_name: str = "DHL Express") -> int:  # type: ignore[no-untyped-def]
    f = fixture_json("shopify/fulfillments_create.json")
    f.update(id=abs(hash(number)) % 10**9, tracking_company=carrier_name, tracking_number=number,
             tracking_numbers=[number], tracking_url=None, tracking_urls=[],
             created_at=START.isoformat(), updated_at=START.isoformat())
    post_shopify(client, "fulfillments/create", f)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        return next(s.id for s in uow.repo.shipments() if s.tracking_number == number)


def with_simulator_account(rt: Runtime, shop_id: int) -> None:
    with rt.uow() as uow:
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="*", provider="simulator", credentials_ciphertext=None,
                                    created_at=START))
        uow.commit()


def poll(rt: Runtime) -> dict:
    result = tracking.poll_due()
    run_jobs(rt.redis)
    return result


def shipment(rt: Runtime, shipment_id: int):  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        found = uow.repo.shipment_by_id(shipment_id)
        events = [(e.raw_code, e.status) for e in uow.repo.tracking_events(shipment_id)]
        polls = [(p.outcome, p.provider) for p in uow.repo.polls(shipment_id)]
        uow.session.expunge(found)
        return found, events, polls


def test_a_parcel_moves_through_its_life_driven_by_the_simulator(tclient, trt: Runtime, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    simulator, _ = carrier
    shop_id = install_shop(trt)
    with_simulator_account(trt, shop_id)
    simulator.register("1234567890", "on_time", START)
    clock.advance(timedelta(hours=9))
    shipment_id = ship(tclient, trt, "1234567890")

    assert poll(trt) == {"dhl_express": 1}
    found, events, polls = shipment(trt, shipment_id)
    assert found.status == "in_transit" and found.carrier_tracked
    assert events == [("pre-transit", "pre_transit"), ("transit", "in_transit")]
    assert polls == [("ok", "simulator")]
    assert found.next_check_at is not None and found.next_check_at >= clock.now() + timedelta(hours=2)
    assert found.estimated_delivery_at == START + timedelta(hours=72)

    assert poll(trt) == {}  # not due yet: nothing polled
    clock.advance(timedelta(hours=45))
    poll(trt)
    found, events, _ = shipment(trt, shipment_id)
    assert found.status == "out_for_delivery"
    clock.advance(timedelta(hours=8))
    poll(trt)
    found, events, polls = shipment(trt, shipment_id)
    assert found.status == "delivered" and found.delivered_at == START + timedelta(hours=56)
    assert found.signed_by == "J. RECEIVER" and found.next_check_at is None
    assert len(events) == 7 and len(polls) == 3  # each scan stored once, though every poll returned them all
    clock.advance(timedelta(days=3))
    assert poll(trt) == {}  # delivered: never polled again


@pytest.mark.parametrize(
    ("scenario", "hours", "status", "substatus"),
    [
        ("late", 62, "in_transit", "delayed"),
        ("damaged", 31, "exception", "damaged"),
        ("failed_attempt_then_pickup", 57, "attempt_failed", None),
        ("failed_attempt_then_pickup", 61, "available_for_pickup", None),
        ("returned", 101, "returning", None),
        ("returned", 161, "returned", None),
        ("customs_hold", 31, "exception", "customs_hold"),
        ("lost", 341, "exception", "lost"),
        ("stuck", 200, "in_transit", None),
    ],
)
def test_every_simulated_problem_reads_as_forewarn_status(tclient, trt, carrier, clock, scenario, hours, status, substatus) -> None:  # type: ignore[no-untyped-def]
    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    simulator.register("JJD0001", scenario, START)
    clock.advance(timedelta(hours=hours))
    shipment_id = ship(tclient, trt, "JJD0001", "DHL")
    poll(trt)
    found, _, _ = shipment(trt, shipment_id)
    assert (found.status, found.substatus) == (status, substatus)


def test_a_status_change_from_the_carrier_is_written_back_once(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    simulator, _ = carrier
    shop_id = install_shop(trt, write_back=True)
    with_simulator_account(trt, shop_id)
    simulator.register("1234567890", "late", START)
    clock.advance(timedelta(hours=61))
    ship(tclient, trt, "1234567890")
    tracking.poll_due()
    from rq import Queue, SimpleWorker

    from jobs import queues

    SimpleWorker([Queue(queues.TRACKING, connection=trt.redis)], connection=trt.redis).work(burst=True)
    with trt.uow() as uow:
        keys = sorted(w.key.split(":")[0] for w in uow.repo.write_backs())
    assert keys == ["fulfillment_event", "order_tag"]  # DELAYED and forewarn:late, waiting in the queue


def test_without_a_tracking_account_the_reason_is_shown_and_the_check_retried_later(tclient, trt, clock) -> None:  # type: ignore[no-untyped-def]
    install_shop(trt)
    shipment_id = ship(tclient, trt, "1Z999AA10123456784", "UPS")
    poll(trt)
    found, _, polls = shipment(trt, shipment_id)
    assert polls == [("no_account", "none")]
    assert found.check_error.startswith("no_account: no tracking account for ups")
    assert found.next_check_at > clock.now() + timedelta(hours=11)


def test_an_unknown_number_is_not_found_and_looked_at_again_in_half_a_day(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    simulator.register("1234567890", "on_time", START + timedelta(days=1))  # label printed, not scanned yet
    shipment_id = ship(tclient, trt, "1234567890")
    poll(trt)
    found, _, polls = shipment(trt, shipment_id)
    assert polls == [("not_found", "simulator")] and found.status == "pre_transit"
    assert timedelta(hours=12) <= found.next_check_at - clock.now() <= timedelta(hours=14)


def test_a_quota_shared_by_workers_is_never_exceeded(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from jobs.quotas import Quota

    quota = Quota(trt.redis, {"dhl": ((86400, 3),)})
    other_worker = Quota(trt.redis, {"dhl": ((86400, 3),)})
    taken = [q.acquire("acct1", "dhl", clock.now()) is None for q in (quota, other_worker, quota, other_worker, quota)]
    assert taken == [True, True, True, False, False]
    assert quota.remaining("acct1", "dhl", clock.now()) == 0
    clock.advance(timedelta(days=1))
    assert quota.acquire("acct1", "dhl", clock.now()) is None  # a new day, a new quota


def test_the_quota_picks_the_parcels_closest_to_a_decision_first(tclient, trt, carrier, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jobs import quotas

    simulator, _ = carrier
    shop_id = install_shop(trt)
    with trt.uow() as uow:  # a karrio DHL account: real quotas apply
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="dhl", provider="karrio", credentials_ciphertext=None, created_at=START))
        uow.commit()
    monkeypatch.setattr(quotas, "LIMITS", {"dhl": ((86400, 1),)})
    calm = ship(tclient, trt, "JJD0001", "DHL")
    urgent = ship(tclient, trt, "JJD0002", "DHL")
    with trt.uow() as uow:
        s = uow.repo.shipment_by_id(urgent)
        s.status, s.running_late = "exception", True
        uow.commit()
    from rq import Queue

    from jobs import queues

    assert tracking.poll_due() == {"dhl": 1}
    [job] = Queue(queues.TRACKING, connection=trt.redis).jobs
    assert job.args == (urgent,)
    found, _, _ = shipment(trt, calm)
    # it waits for the quota's next window (00:00 UTC), out of the way of other carriers' parcels
    midnight = datetime(2026, 11, 3, tzinfo=timezone.utc)
    assert midnight <= found.next_check_at <= midnight + timedelta(minutes=30)


def test_fedex_parcels_due_together_go_in_one_request(tclient, trt, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from connectors.carriers import karrio_client
    from tests.carrier_server import Reply, carrier_server
    from tests.support import FIXTURES

    shop_id = install_shop(trt)
    with trt.uow() as uow:
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="fedex", provider="karrio", created_at=START,
                                    credentials_ciphertext=trt.cipher.encrypt(json.dumps({"track_api_key": "k", "track_secret_key": "s"}))))
        uow.commit()
    found = ship(tclient, trt, "123456789012", "FedEx")
    missing = ship(tclient, trt, "39936862321", "FedEx")
    clock.advance(datetime(2018, 2, 3, tzinfo=timezone.utc) - clock.now())  # the sample's scan is from 2018
    with trt.uow() as uow:
        for s in uow.repo.shipments():
            s.next_check_at = clock.now()
        uow.commit()
    with carrier_server() as (base, routes):
        routes.on("POST", "/oauth/token", Reply(body=json.dumps({"access_token": "fx", "token_type": "bearer", "expires_in": 3599})))
        routes.on("POST", "/track/v1/trackingnumbers", Reply(body=(FIXTURES / "carriers/fedex_picked_up_and_not_found.json").read_text()))
        original = karrio_client.settings_class
        monkeypatch.setattr(karrio_client, "settings_class", lambda gateway, url: original(gateway, url or base))
        assert tracking.poll_due() == {"fedex": 2}
        run_jobs(trt.redis)
        assert [c for c in routes.calls if c[1].startswith("/track")] == [("POST", "/track/v1/trackingnumbers")]
    assert shipment(trt, found)[0].status == "in_transit"
    assert shipment(trt, missing)[2] == [("not_found", "karrio")]


def test_a_broken_account_is_recorded_as_invalid_not_retried_as_a_job(tclient, trt, clock) -> None:  # type: ignore[no-untyped-def]
    import json

    shop_id = install_shop(trt)
    with trt.uow() as uow:  # DHL credentials under a key karrio's DHL settings do not take
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="dhl", provider="karrio", created_at=START,
                                    credentials_ciphertext=trt.cipher.encrypt(json.dumps({"api_key": "x"}))))
        uow.commit()
    shipment_id = ship(tclient, trt, "JJD0001", "DHL")
    poll(trt)
    found, _, polls = shipment(trt, shipment_id)
    assert polls == [("invalid", "karrio")]
    assert found.check_error.startswith("invalid:") and "api_key" in found.check_error
    assert found.next_check_at - clock.now() >= timedelta(hours=23)  # looked at again tomorrow, not in a retry storm


def test_parcels_over_quota_do_not_crowd_out_other_carriers(tclient, trt, carrier, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jobs import quotas

    simulator, _ = carrier
    shop_id = install_shop(trt)
    with trt.uow() as uow:
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="dhl", provider="karrio", credentials_ciphertext=None, created_at=START))
        uow.repo.add(CarrierAccount(shop_id=shop_id, carrier="ups", provider="simulator", credentials_ciphertext=None, created_at=START))
        uow.commit()
    monkeypatch.setattr(quotas, "LIMITS", {"dhl": ((86400, 0),)})
    monkeypatch.setattr(tracking, "MAX_DUE_PER_RUN", 3)
    for i in range(3):
        ship(tclient, trt, f"JJD000{i}", "DHL")
    assert tracking.poll_due() == {}  # the DHL quota is spent: they wait for tomorrow
    ups = ship(tclient, trt, "1Z999AA10123456784", "UPS")
    assert tracking.poll_due() == {"ups": 1}
    run_jobs(trt.redis)
    [(outcome, provider)] = shipment(trt, ups)[2]
    assert provider == "simulator" and outcome in ("ok", "not_found")


def incidents(rt: Runtime) -> list[tuple]:
    with rt.uow() as uow:
        from sqlalchemy import select

        from core.domain.model import Incident

        return [(i.kind, i.status, i.clear_reason) for i in uow.session.scalars(select(Incident).order_by(Incident.id))]


def test_an_incident_opens_once_explains_itself_and_clears_when_the_parcel_moves(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from jobs.detection import detect_due

    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    simulator.register("JJD0001", "customs_hold", START)
    clock.advance(timedelta(hours=31))
    ship(tclient, trt, "JJD0001", "DHL")
    poll(trt)
    assert ("needs_action", "open", None) in incidents(trt)
    for _ in range(3):  # evaluated again and again: still one incident
        detect_due()
    assert [i for i in incidents(trt) if i[0] == "needs_action"] == [("needs_action", "open", None)]
    with trt.uow() as uow:
        [incident] = [i for i in uow.repo.incidents(1) if i.kind == "needs_action"]
        assert "held: the carrier needs customs information; last scan 'Held by customs" in incident.reason
    clock.advance(timedelta(hours=120))  # customs clearance completed: the parcel moves again
    with trt.uow() as uow:
        for s in uow.repo.shipments():
            s.next_check_at = clock.now()
        uow.commit()
    poll(trt)
    assert ("needs_action", "cleared", "the parcel moved again") in incidents(trt)


def test_a_stuck_parcel_is_flagged_after_business_days_not_over_a_weekend(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from jobs.detection import detect_due

    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    friday = datetime(2026, 11, 6, 12, tzinfo=timezone.utc)
    clock.advance(friday - clock.now())
    simulator.register("JJD0002", "stuck", friday - timedelta(hours=14))  # last scan Friday 12:00 UTC
    ship(tclient, trt, "JJD0002", "DHL")
    poll(trt)
    clock.advance(timedelta(days=3))  # Monday noon: one business day of silence
    detect_due()
    assert "stuck" not in [k for k, *_ in incidents(trt)]
    clock.advance(timedelta(days=3))  # Thursday noon: four business days
    detect_due()
    assert ("stuck", "open", None) in incidents(trt)


def test_a_parcel_returned_to_the_sender_keeps_its_incident_but_is_not_re_read_every_five_minutes(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from jobs.detection import detect_due

    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    simulator.register("JJD0003", "returned", clock.now() - timedelta(days=8))  # back at the sender by now
    ship(tclient, trt, "JJD0003", "DHL")
    poll(trt)
    assert ("returning", "open", None) in incidents(trt)  # the team still has to refund or reship
    with trt.uow() as uow:
        assert [s.status for s in uow.repo.shipments()] == ["returned"]
    clock.advance(timedelta(days=2))
    assert detect_due() == 0  # nothing about a finished parcel changes with time


def cases_of(rt: Runtime) -> list[tuple]:
    from sqlalchemy import select

    from core.domain.model import Case, CaseNote

    with rt.uow() as uow:
        rows = []
        for case in uow.session.scalars(select(Case).order_by(Case.id)):
            notes = [n.body for n in uow.session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id))]
            rows.append((case.problem, case.priority, case.status, case.kinds, case.subject, notes))
        return rows


def test_a_case_opens_with_the_problem_gathers_the_next_and_resolves_on_delivery(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    simulator, _ = carrier
    with_simulator_account(trt, install_shop(trt))
    simulator.register("JJD0003", "failed_attempt_then_pickup", START)
    clock.advance(timedelta(hours=57))  # the attempt failed at 56 h
    ship(tclient, trt, "JJD0003", "DHL")
    poll(trt)
    [(problem, priority, status, kinds, subject, notes)] = cases_of(trt)
    assert (problem, priority, status) == ("needs_action", "high", "open")
    assert subject == "Order #9999 — DHL delivery needs action"
    assert notes[0].startswith("needs action: delivery attempt failed; last scan 'Delivery attempt failed")

    def poll_at(hours: int) -> None:
        clock.advance(timedelta(hours=hours))
        with trt.uow() as uow:
            for s in uow.repo.shipments():
                s.next_check_at = clock.now()
            uow.commit()
        poll(trt)

    poll_at(4)  # at the parcel shop: the attempt incident clears, the case waits
    [(_, _, status, _, _, notes)] = cases_of(trt)
    assert status == "pending" and any(n.startswith("needs action cleared: the parcel moved again") for n in notes)
    poll_at(80)  # collected
    [(_, _, status, _, _, notes)] = cases_of(trt)
    assert status == "resolved" and notes[-1].startswith("resolved by Forewarn: delivered")


def test_one_case_per_order_problem_and_a_returning_problem_reopens_it(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from core.domain.events import IncidentCleared, IncidentOpened

    with_simulator_account(trt, install_shop(trt))
    shipment_id = ship(tclient, trt, "JJD0004", "DHL")
    with trt.uow() as uow:
        order_id = uow.repo.shipment_by_id(shipment_id).order_id
    trt.bus.handle([IncidentOpened(101, 1, order_id, shipment_id, "late", "late reason")])
    trt.bus.handle([IncidentOpened(102, 1, order_id, shipment_id, "damaged", "damaged reason")])
    [(problem, priority, status, kinds, _, _)] = cases_of(trt)
    assert (problem, priority, status, kinds) == ("damaged", "urgent", "open", ["late", "damaged"])
    with trt.uow() as uow:
        from sqlalchemy import select

        from core.domain.model import Case, Shipment

        case = uow.session.scalars(select(Case)).one()
        case.status = "resolved"
        uow.session.get(Shipment, shipment_id).status = "delivered"
        uow.commit()
    trt.bus.handle([IncidentCleared(101, 1, order_id, shipment_id, "late", "moved")])  # no case left to touch
    trt.bus.handle([IncidentOpened(103, 1, order_id, shipment_id, "late", "late again")])
    [(_, _, status, _, _, notes)] = cases_of(trt)
    assert status == "open" and notes[-1] == "reopened — late: late again"


def test_sla_breaches_are_flagged_once(tclient, trt, carrier, clock) -> None:  # type: ignore[no-untyped-def]
    from core.domain.events import IncidentOpened
    from core.services.cases import flag_sla_breaches

    with_simulator_account(trt, install_shop(trt))
    shipment_id = ship(tclient, trt, "JJD0005", "DHL")
    with trt.uow() as uow:
        order_id = uow.repo.shipment_by_id(shipment_id).order_id
    trt.bus.handle([IncidentOpened(201, 1, order_id, shipment_id, "presumed_lost", "lost")])
    with trt.uow() as uow:
        assert flag_sla_breaches(uow, None, clock.now()) == 0
        clock.advance(timedelta(days=2))
        assert flag_sla_breaches(uow, None, clock.now()) == 1
        assert flag_sla_breaches(uow, None, clock.now()) == 0
        uow.commit()
