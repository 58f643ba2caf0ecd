"""Every helpdesk a merchant can pick is wired end to end: connected through the admin API (credentials checked
first), and a case reaching it through the same sync job. The email inbox runs against a real SMTP server."""
from __future__ import annotations

import dataclasses
import json

import pytest
import responses

from connectors import helpdesks
from core.errors import Permanent, Unauthorized
from jobs.runtime import Runtime
from tests.smtp import Inbox, running_smtpd
from tests.support import damaged_parcel, fixture_json, install_shop, run_jobs, session_token


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token()}"}


def test_the_registry_builds_each_kind_from_the_fields_the_admin_form_asks_for() -> None:
    samples = {"subdomain": "acme", "domain": "acme", "email": "agent@acme.example", "api_token": "t", "api_key": "k",
               "url": "https://chat.acme.example", "account_id": "1", "inbox_id": "2", "api_access_token": "t",
               "inbox": "support@acme.example", "smtp_url": "smtps://u:p@smtp.acme.example:465"}
    for kind, spec in helpdesks.KINDS.items():
        desk = helpdesks.build(kind, {f.name: samples[f.name] for f in spec.fields})
        assert desk.name == kind
        assert set(spec.identity) <= {f.name for f in spec.fields}
        assert all(f.optional or f.name in samples for f in spec.fields)
    with pytest.raises(Unauthorized, match="FOREWARN_SMTP_URL"):
        helpdesks.build("email", {"inbox": "support@acme.example"})  # no mail server anywhere
    assert helpdesks.build("email", {"inbox": "support@acme.example"}, smtp_url="smtp://127.0.0.1:2525").name == "email"


def test_a_new_token_for_the_same_account_keeps_its_tickets_another_account_does_not() -> None:
    same = helpdesks.same_account("gorgias", {"domain": "acme", "api_key": "old"}, "gorgias", {"domain": "ACME ", "api_key": "new"})
    other = helpdesks.same_account("gorgias", {"domain": "acme"}, "gorgias", {"domain": "shop2"})
    moved = helpdesks.same_account("gorgias", {"domain": "acme"}, "freshdesk", {"domain": "acme"})
    assert same and not other and not moved


def test_a_shop_without_a_helpdesk_gets_each_case_as_one_email_thread_in_its_inbox(client, rt: Runtime) -> None:
    rt.settings = dataclasses.replace(rt.settings, allow_private_network=True)  # the mail server is on 127.0.0.1
    inbox = Inbox()
    with running_smtpd(inbox) as port:
        shop_id = install_shop(rt)
        creds = {"inbox": "support@teashop.example", "smtp_url": f"smtp://127.0.0.1:{port}?from=forewarn@teashop.example"}

        def connect() -> None:
            answer = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "email", "credentials": creds})
            assert answer.status_code == 200, answer.get_json()

        order_id, _ = damaged_parcel(client, rt, before_report=connect, financial_status="pending")
        run_jobs(rt.redis)
        with rt.uow() as uow:
            [case] = uow.repo.cases(shop_id)
            ticket = uow.repo.case_ticket(case.id)
            uow.session.expunge_all()
        assert ticket.ticket_id == f"<forewarn-case-{case.id}@forewarn>" and ticket.error is None
        first = inbox.messages[0]
        assert first["To"] == "support@teashop.example" and first["Message-ID"] == ticket.ticket_id
        assert first["Subject"].startswith("[URGENT] Order #9999") and "Suggested reply" in first.get_content()
        assert "jon@example.com" not in (first["To"] + (first["Cc"] or "") + (first["Reply-To"] or ""))
        answer = client.patch(f"/api/v1/cases/{case.id}", headers=bearer(), json={"status": "resolved", "note": "Replacement sent"})
        assert answer.status_code == 200
        run_jobs(rt.redis)
        replies = inbox.messages[1:]
        assert replies and all(m["In-Reply-To"] == ticket.ticket_id for m in replies)
        assert any("Replacement sent" in m.get_content() for m in replies)
        assert any("Solved" in m["Subject"] for m in replies)


def test_a_mail_server_that_is_not_there_is_refused_at_connect_and_nothing_is_stored(client, rt: Runtime) -> None:
    rt.settings = dataclasses.replace(rt.settings, allow_private_network=True)
    install_shop(rt)
    from tests.smtp import free_port

    creds = {"inbox": "support@teashop.example", "smtp_url": f"smtp://127.0.0.1:{free_port()}"}
    answer = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "email", "credentials": creds})
    assert answer.status_code == 502 and "try again" in answer.get_json()["error"]
    assert client.get("/api/v1/helpdesk", headers=bearer()).get_json() == {"connected": False}
    bad_inbox = client.put("/api/v1/helpdesk", headers=bearer(),
                           json={"kind": "email", "credentials": {**creds, "inbox": "support@x.example\r\nBcc: all@x.example"}})
    assert bad_inbox.status_code == 422


@responses.activate
def test_gorgias_is_connected_and_a_case_becomes_its_ticket(client, rt: Runtime) -> None:
    base = "https://acme.gorgias.com/api"
    creds = {"domain": "acme", "email": "agent@acme.example", "api_key": "gorgias-key"}
    responses.get(f"{base}/account", json=fixture_json("helpdesks/gorgias/account.json"))
    shop_id = install_shop(rt)

    def connect() -> None:
        assert client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "gorgias", "credentials": creds}).status_code == 200

    responses.get(f"{base}/tickets", json=fixture_json("helpdesks/gorgias/tickets_empty.json"))
    responses.get(f"{base}/customers", json={"data": [], "meta": {"next_cursor": None, "prev_cursor": None}})
    responses.post(f"{base}/tickets", json=fixture_json("helpdesks/gorgias/ticket_created.json"), status=201)
    damaged_parcel(client, rt, before_report=connect, financial_status="pending")
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [case] = uow.repo.cases(shop_id)
        ticket = uow.repo.case_ticket(case.id)
        uow.session.expunge_all()
    created = fixture_json("helpdesks/gorgias/ticket_created.json")
    assert ticket.helpdesk == "gorgias" and ticket.ticket_id == str(created["id"]) and ticket.error is None
    [post] = [c for c in responses.calls if c.request.method == "POST" and c.request.url == f"{base}/tickets"]
    sent = json.loads(post.request.body)
    assert sent["external_id"] == f"forewarn-case-{case.id}" and sent["customer"]["email"] == "jon@example.com"
    assert sent["messages"][0]["channel"] == "internal-note"


@pytest.mark.parametrize("kind, credentials", [
    ("chatwoot", {"url": "https://127.0.0.1:8443", "account_id": "1", "inbox_id": "1", "api_access_token": "t"}),
    ("chatwoot", {"url": "http://localhost:3000", "account_id": "1", "inbox_id": "1", "api_access_token": "t"}),
    ("email", {"inbox": "support@teashop.example", "smtp_url": "smtp://169.254.169.254:25"}),
    ("email", {"inbox": "support@teashop.example", "smtp_url": "smtp://127.0.0.1:6379"}),
])
def test_addresses_inside_forewarns_own_network_are_refused(client, rt: Runtime, kind: str, credentials: dict) -> None:
    install_shop(rt)
    answer = client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": kind, "credentials": credentials})
    assert answer.status_code == 422 and "private or local network" in answer.get_json()["error"]
    assert client.get("/api/v1/helpdesk", headers=bearer()).get_json() == {"connected": False}


@responses.activate
def test_a_helpdesk_that_redirects_is_not_followed() -> None:
    responses.get("https://acme.zendesk.com/api/v2/users/me.json", status=302,
                  headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(Permanent, match="redirect"):
        helpdesks.build("zendesk", {"subdomain": "acme", "email": "a@acme.example", "api_token": "t"}).check()
    assert len(responses.calls) == 1


def test_a_broken_operator_mail_server_is_the_operators_problem_not_the_merchants() -> None:
    with pytest.raises(Permanent, match="FOREWARN_SMTP_URL"):
        helpdesks.build("email", {"inbox": "support@acme.example"}, smtp_url="ftp://nope")
    with pytest.raises(Unauthorized, match="your mail server"):
        helpdesks.build("email", {"inbox": "support@acme.example", "smtp_url": "ftp://nope"}, smtp_url="smtp://127.0.0.1:25")


def test_switching_to_another_account_starts_its_tickets_afresh(client, rt: Runtime) -> None:
    from sqlalchemy import func, select

    from core.domain.model import CaseTicket

    rt.settings = dataclasses.replace(rt.settings, allow_private_network=True)
    inbox = Inbox()
    with running_smtpd(inbox) as port:
        install_shop(rt)
        smtp = f"smtp://127.0.0.1:{port}"

        def connect(address: str) -> int:
            creds = {"inbox": address, "smtp_url": smtp}
            return client.put("/api/v1/helpdesk", headers=bearer(), json={"kind": "email", "credentials": creds}).status_code

        damaged_parcel(client, rt, before_report=lambda: connect("support@teashop.example"), financial_status="pending")
        run_jobs(rt.redis)

        def tickets() -> int:
            with rt.uow() as uow:
                return uow.session.scalar(select(func.count()).select_from(CaseTicket).where(CaseTicket.ticket_id.is_not(None))) or 0

        assert tickets() == 1
        assert connect("SUPPORT@teashop.example ") == 200  # the same inbox, written differently: nothing starts over
        assert tickets() == 1
        assert connect("help@teashop.example") == 200  # another inbox: its cases start afresh there
        run_jobs(rt.redis)
        assert [m["To"] for m in inbox.messages if not m["In-Reply-To"]] == ["support@teashop.example", "help@teashop.example"]


@responses.activate
def test_freshdesk_a_worker_dying_between_the_ticket_and_its_note_leaves_one_whole_ticket(client, rt: Runtime, monkeypatch) -> None:
    from connectors.helpdesks.freshdesk import FreshdeskHelpdesk
    from jobs import helpdesk

    base = "https://acme.freshdesk.com/api/v2"
    responses.get(f"{base}/agents/me", json=fixture_json("helpdesks/freshdesk/agent_me.json"))
    shop_id = install_shop(rt)
    connect = lambda: client.put("/api/v1/helpdesk", headers=bearer(),  # noqa: E731
                                 json={"kind": "freshdesk", "credentials": {"domain": "acme", "api_key": "fd-key"}})
    order_id, _ = damaged_parcel(client, rt, before_report=connect, financial_status="pending")
    with rt.uow() as uow:
        [case] = uow.repo.cases(shop_id)
        case_id = case.id
    created = {**fixture_json("helpdesks/freshdesk/ticket_created.json"), "tags": ["forewarn", f"forewarn-case-{case_id}"]}
    responses.get(f"{base}/tickets", json=[])
    responses.get(f"{base}/search/tickets", json=fixture_json("helpdesks/freshdesk/search_tickets_empty.json"))
    responses.get(f"{base}/contacts", json=[])
    responses.post(f"{base}/tickets", json=created, status=201)
    notes = responses.post(f"{base}/tickets/{created['id']}/notes", json=fixture_json("helpdesks/freshdesk/note_created.json"), status=201)

    def dies_before_the_note(self, ticket_id, body):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker killed between the ticket and its note")

    monkeypatch.setattr(FreshdeskHelpdesk, "add_note", dies_before_the_note)
    with pytest.raises(RuntimeError):
        helpdesk.sync_case(case_id)
    monkeypatch.undo()
    responses.replace(responses.GET, f"{base}/tickets", json=[created])  # Freshdesk has the ticket, without its body
    responses.get(f"{base}/tickets/{created['id']}/conversations", json=[])
    assert helpdesk.sync_case(case_id) == "synced"
    creates = [c for c in responses.calls if c.request.method == "POST" and c.request.url == f"{base}/tickets"]
    assert len(creates) == 1 and notes.call_count >= 1
    body_notes = [c for c in responses.calls if c.request.url.endswith("/notes") and f"[forewarn-case-{case_id}]" in c.request.body.decode()]
    assert len(body_notes) == 1  # the body, posted once, by the retry
