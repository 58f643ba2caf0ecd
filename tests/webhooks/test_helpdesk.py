"""The merchant's helpdesk (Zendesk): one ticket per case even across a crash, attach to the customer's open
ticket, notes, solve on resolution, typed failures, and an auth failure that disables the integration."""
from __future__ import annotations

import json

import pytest
import requests
import responses

from connectors.helpdesks.zendesk import ZendeskHelpdesk
from core.domain.events import IncidentOpened
from core.domain.model import CaseTicket, HelpdeskAccount
from core.errors import Permanent, RateLimited, Transient, Unauthorized
from jobs import helpdesk
from jobs.runtime import Runtime, utcnow
from tests.support import damaged_parcel, fixture_json, install_shop

BASE = "https://acme.zendesk.com/api/v2"
CREATED = fixture_json("helpdesks/zendesk_ticket_created.json")


def connect(rt: Runtime, shop_id: int) -> None:
    creds = {"subdomain": "acme", "email": "agent@acme.example", "api_token": "zd-token"}
    with rt.uow() as uow:
        uow.repo.add(HelpdeskAccount(shop_id=shop_id, kind="zendesk", credentials_ciphertext=rt.cipher.encrypt(json.dumps(creds)),
                                     created_at=utcnow()))
        uow.commit()


def open_case(client, rt: Runtime) -> int:  # type: ignore[no-untyped-def]
    shop_id = install_shop(rt)
    # the helpdesk is connected after the webhooks' jobs ran (the sample parcel, labelled in 2021, already
    # has a not-picked-up case) and before the damage report
    damaged_parcel(client, rt, before_report=lambda: connect(rt, shop_id), financial_status="pending")
    with rt.uow() as uow:
        [case] = uow.repo.cases(shop_id)
        return case.id


def ticket(rt: Runtime) -> CaseTicket:
    with rt.uow() as uow:
        from sqlalchemy import select

        row = uow.session.scalars(select(CaseTicket)).one()
        uow.session.expunge(row)
        return row


@responses.activate
def test_a_case_becomes_exactly_one_ticket_even_when_the_worker_dies_after_creating_it(client, rt: Runtime, monkeypatch) -> None:
    case_id = open_case(client, rt)
    responses.get(f"{BASE}/tickets.json", json={"tickets": []})
    responses.get(f"{BASE}/search.json", json={"results": [], "count": 0})
    responses.post(f"{BASE}/tickets.json", json=CREATED, status=201)
    original = ZendeskHelpdesk.create_ticket

    def dies_after(self, draft):  # type: ignore[no-untyped-def]
        original(self, draft)
        raise RuntimeError("worker killed before it could record the ticket")

    monkeypatch.setattr(ZendeskHelpdesk, "create_ticket", dies_after)
    with pytest.raises(RuntimeError):
        helpdesk.sync_case(case_id)
    monkeypatch.undo()
    assert ticket(rt).ticket_id is None and ticket(rt).attempts == 1
    responses.replace(responses.GET, f"{BASE}/tickets.json", json={"tickets": [CREATED["ticket"]]})  # Zendesk has it
    assert helpdesk.sync_case(case_id) == "synced"
    assert ticket(rt).ticket_id == "35436"
    posts = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posts) == 1
    sent = json.loads(posts[0].request.body)["ticket"]
    assert sent["external_id"] == f"forewarn-case-{case_id}" and sent["priority"] == "urgent"
    assert sent["requester"]["email"] == "jon@example.com" and "Suggested reply" in sent["comment"]["body"]
    assert sent["comment"]["public"] is False


@responses.activate
def test_the_customers_open_ticket_about_the_order_is_joined_not_duplicated(client, rt: Runtime) -> None:
    case_id = open_case(client, rt)
    responses.get(f"{BASE}/tickets.json", json={"tickets": []})
    responses.get(f"{BASE}/search.json", json={"results": [{"id": 777, "status": "open", "subject": "Where is #9999?"}], "count": 1})
    responses.put(f"{BASE}/tickets/777.json", json={"ticket": {"id": 777}})
    assert helpdesk.sync_case(case_id) == "synced"
    assert (ticket(rt).ticket_id, ticket(rt).attached) == ("777", True)
    assert not [c for c in responses.calls if c.request.method == "POST"]
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(responses.calls[1].request.url).query)["query"][0]
    assert query == 'type:ticket status<solved requester:jon@example.com "#9999"'


@responses.activate
def test_notes_follow_the_case_and_the_ticket_is_solved_when_it_resolves(client, rt: Runtime) -> None:
    from core.domain.model import CaseNote

    case_id = open_case(client, rt)
    responses.get(f"{BASE}/tickets.json", json={"tickets": []})
    responses.get(f"{BASE}/search.json", json={"results": []})
    responses.post(f"{BASE}/tickets.json", json=CREATED, status=201)
    helpdesk.sync_case(case_id)
    responses.put(f"{BASE}/tickets/35436.json", json={"ticket": {"id": 35436}})
    with rt.uow() as uow:
        uow.repo.add(CaseNote(case_id=case_id, author="ana", body="Replacement sent", created_at=utcnow()))
        uow.repo.case(case_id).status = "resolved"
        uow.commit()
    assert helpdesk.sync_case(case_id) == "synced"
    bodies = [json.loads(c.request.body)["ticket"] for c in responses.calls if c.request.method == "PUT"]
    assert bodies[0]["comment"]["body"] == "Replacement sent" and bodies[-1]["status"] == "solved"
    assert ticket(rt).solved_at is not None
    helpdesk.sync_case(case_id)
    assert len([c for c in responses.calls if c.request.method == "PUT"]) == 2  # solved once


@responses.activate
def test_an_authentication_failure_disables_the_integration_and_keeps_the_case(client, rt: Runtime) -> None:
    case_id = open_case(client, rt)
    responses.get(f"{BASE}/tickets.json", status=401, json={"error": "Couldn't authenticate you"})
    assert helpdesk.sync_case(case_id) == "disabled"
    with rt.uow() as uow:
        from sqlalchemy import select

        account = uow.session.scalars(select(HelpdeskAccount)).one()
        assert account.status == "disabled" and "reconnect the helpdesk" in account.error
        assert uow.repo.case(case_id).status == "open"
    assert helpdesk.sync_case(case_id) == "no helpdesk"


@responses.activate
@pytest.mark.parametrize(
    ("reply", "error"),
    [({"status": 429, "headers": {"Retry-After": "30"}}, RateLimited), ({"status": 503}, Transient),
     ({"body": requests.ConnectionError("timed out")}, Transient), ({"status": 422, "json": {"error": "RecordInvalid"}}, Permanent),
     ({"status": 403}, Unauthorized)],
)
def test_zendesk_failures_are_typed(reply: dict, error: type) -> None:
    responses.post(f"{BASE}/tickets.json", **reply)
    from core.ports import TicketDraft

    with pytest.raises(error) as raised:
        ZendeskHelpdesk("acme", "agent@acme.example", "t").create_ticket(TicketDraft("x", "s", "b", None, None, "#1"))
    if error is RateLimited:
        assert raised.value.retry_after == 30


@pytest.fixture
def simulated_helpdesk(rt: Runtime, monkeypatch):  # type: ignore[no-untyped-def]
    """The demo's helpdesk (Zendesk's wire format) on a local port, selected the way the demo selects it."""
    import threading
    from dataclasses import replace

    from werkzeug.serving import make_server

    from connectors.helpdesks.simulator import HelpdeskSimulator, create_app

    desk = HelpdeskSimulator()
    server = make_server("127.0.0.1", 0, create_app(desk), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(rt, "settings", replace(rt.settings, helpdesk_simulator_url=f"http://127.0.0.1:{server.server_port}"))
    yield desk
    server.shutdown()


def test_the_demo_helpdesk_runs_the_real_adapter_from_ticket_to_solved(client, rt: Runtime, simulated_helpdesk) -> None:
    from core.domain.model import CaseNote

    case_id = open_case(client, rt)
    with rt.uow() as uow:  # the shop's helpdesk is the simulated one
        [account] = uow.session.query(HelpdeskAccount).all()
        account.kind = "simulated"
        uow.commit()
    assert helpdesk.sync_case(case_id) == "synced"
    [created] = simulated_helpdesk.tickets.values()
    assert created["external_id"] == f"forewarn-case-{case_id}" and created["status"] == "new"
    assert "damaged" in created["subject"] and "Suggested reply" in created["description"]
    assert helpdesk.sync_case(case_id) == "synced" and len(simulated_helpdesk.tickets) == 1  # a retry finds it
    with rt.uow() as uow:
        uow.repo.add(CaseNote(case_id=case_id, author="ana", body="Replacement sent", created_at=utcnow()))
        uow.repo.case(case_id).status = "resolved"
        uow.commit()
    assert helpdesk.sync_case(case_id) == "synced"
    assert created["status"] == "solved"
    assert [c["body"] for c in simulated_helpdesk.comments[created["id"]][1:]] == [
        "Replacement sent", "The case was resolved in Forewarn; the notes above say how."]
    with rt.uow() as uow:
        view = uow.repo.case_ticket(case_id)
        assert view.ticket_id == str(created["id"]) and view.solved_at is not None


def test_the_simulated_helpdesk_is_not_available_outside_the_demo(client, rt: Runtime) -> None:
    from connectors import helpdesks

    with pytest.raises(Unauthorized, match="no helpdesk adapter for 'simulated'"):
        helpdesks.build("simulated", {"email": "a@b.c", "api_token": "t"}, simulator_url=None)


@responses.activate
def test_a_helpdesk_outage_shows_on_the_case_while_it_is_retried_and_clears_when_it_passes(client, rt: Runtime) -> None:
    case_id = open_case(client, rt)
    responses.get(f"{BASE}/tickets.json", status=503)
    with pytest.raises(Transient):
        helpdesk.sync_case(case_id)  # RQ retries it with the queue's backoff
    assert ticket(rt).error == "Zendesk failed (503) — retrying" and ticket(rt).ticket_id is None
    responses.replace(responses.GET, f"{BASE}/tickets.json", json={"tickets": []})
    responses.get(f"{BASE}/search.json", json={"results": []})
    responses.post(f"{BASE}/tickets.json", json=CREATED, status=201)
    assert helpdesk.sync_case(case_id) == "synced"
    assert ticket(rt).error is None and ticket(rt).ticket_id == "35436"


def test_two_workers_never_sync_one_case_at_once(client, rt: Runtime) -> None:
    case_id = open_case(client, rt)
    rt.redis.set(f"forewarn:ticket-lock:{case_id}", "another-worker", ex=60)
    with pytest.raises(Transient, match="being synced by another worker"):
        helpdesk.sync_case(case_id)
    assert rt.redis.get(f"forewarn:ticket-lock:{case_id}") == b"another-worker"  # not ours to release


def test_a_problem_joining_an_open_case_reaches_its_ticket(client, rt: Runtime) -> None:
    from rq import Queue

    from jobs import queues

    case_id = open_case(client, rt)
    opened = Queue(queues.DEFAULT, connection=rt.redis).job_ids  # the CaseOpened sync
    with rt.uow() as uow:
        [s] = uow.repo.shipments()
        order_id, shipment_id = s.order_id, s.id
    rt.bus.handle([IncidentOpened(2, 1, order_id, shipment_id, "late", "running two days late")])
    queued = [j for j in Queue(queues.DEFAULT, connection=rt.redis).jobs if j.id not in opened]
    assert ("jobs.helpdesk.sync_case", (case_id,)) in [(j.func_name, j.args) for j in queued]  # (and the customer's message)


def test_a_worse_problem_taking_the_case_over_retitles_the_ticket_forewarn_opened(client, rt: Runtime, simulated_helpdesk) -> None:
    case_id = open_case(client, rt)
    with rt.uow() as uow:
        [account] = uow.session.query(HelpdeskAccount).all()
        account.kind = "simulated"
        case = uow.repo.case(case_id)
        case.priority, case.subject = "high", "Order #9999 — UPS delivery needs action"  # as it was first opened
        uow.commit()
    helpdesk.sync_case(case_id)
    [created] = simulated_helpdesk.tickets.values()
    assert (created["subject"], created["priority"]) == ("Order #9999 — UPS delivery needs action", "high")
    with rt.uow() as uow:  # then the parcel is reported damaged, which leads the case now
        case = uow.repo.case(case_id)
        case.priority, case.subject = "urgent", "Order #9999 — UPS parcel damaged"
        uow.commit()
    helpdesk.sync_case(case_id)
    assert (created["subject"], created["priority"]) == ("Order #9999 — UPS parcel damaged", "urgent")
    puts = len(simulated_helpdesk.comments[created["id"]])
    helpdesk.sync_case(case_id)  # nothing changed: nothing sent
    assert len(simulated_helpdesk.comments[created["id"]]) == puts and created["subject"] == "Order #9999 — UPS parcel damaged"


def test_a_reopened_case_reopens_its_solved_ticket_and_a_new_helpdesk_starts_afresh(client, rt: Runtime, simulated_helpdesk) -> None:
    from web.api import forget_tickets

    case_id = open_case(client, rt)
    with rt.uow() as uow:
        [account] = uow.session.query(HelpdeskAccount).all()
        account.kind = "simulated"
        uow.repo.case(case_id).status = "resolved"
        uow.commit()
    helpdesk.sync_case(case_id)
    [created] = simulated_helpdesk.tickets.values()
    assert created["status"] == "solved"
    with rt.uow() as uow:  # the problem came back
        uow.repo.case(case_id).status = "open"
        uow.commit()
    helpdesk.sync_case(case_id)
    assert created["status"] == "open" and ticket(rt).solved_at is None
    assert simulated_helpdesk.comments[created["id"]][-1]["body"].startswith("The problem is back")
    with rt.uow() as uow:  # connected to another helpdesk: the case gets a ticket there, not a note on #100
        forget_tickets(uow, uow.repo.case(case_id).shop_id)
        uow.commit()
    simulated_helpdesk.tickets.clear()
    helpdesk.sync_case(case_id)
    [fresh] = simulated_helpdesk.tickets.values()
    assert fresh["external_id"] == f"forewarn-case-{case_id}" and ticket(rt).ticket_id == str(fresh["id"])


@responses.activate
def test_a_refusal_of_old_credentials_does_not_disable_a_helpdesk_reconnected_meanwhile(client, rt: Runtime) -> None:
    case_id = open_case(client, rt)

    def merchant_reconnects(request):  # type: ignore[no-untyped-def]
        with rt.uow() as uow:  # while the job's call with the old token is in flight
            uow.repo.helpdesk_account(1).credentials_ciphertext = rt.cipher.encrypt(json.dumps(
                {"subdomain": "acme", "email": "agent@acme.example", "api_token": "new-token"}))
            uow.commit()
        return 401, {}, json.dumps({"error": "Couldn't authenticate you"})

    responses.add_callback(responses.GET, f"{BASE}/tickets.json", callback=merchant_reconnects)
    assert helpdesk.sync_case(case_id) == "refused"  # this attempt failed …
    with rt.uow() as uow:
        assert uow.repo.helpdesk_account(1).status == "active"  # … but the new connection stands
