"""The Gorgias adapter against its documented responses: one ticket per case found again by external id, the
case and every later note as internal notes, close and reopen, the customer's open ticket about the order,
typed failures, and credentials that cannot steer the host."""
from __future__ import annotations

import base64
import json

import pytest
import requests
import responses
from responses import matchers

from connectors.helpdesks.gorgias import GorgiasHelpdesk
from core.errors import Permanent, RateLimited, Transient, Unauthorized
from core.ports import TicketDraft
from tests.support import fixture_json

BASE = "https://acme.gorgias.com/api"
AGENT = "agent@acme.example"
CREATED = fixture_json("helpdesks/gorgias/ticket_created.json")
BY_EXTERNAL_ID = fixture_json("helpdesks/gorgias/tickets_by_external_id.json")
NO_TICKETS = fixture_json("helpdesks/gorgias/tickets_empty.json")
CUSTOMERS = fixture_json("helpdesks/gorgias/customers_by_email.json")
CUSTOMER_TICKETS = fixture_json("helpdesks/gorgias/customer_tickets.json")
MESSAGES = fixture_json("helpdesks/gorgias/ticket_messages.json")
NOTE_CREATED = fixture_json("helpdesks/gorgias/message_created.json")
UPDATED = fixture_json("helpdesks/gorgias/ticket_updated.json")
ACCOUNT = fixture_json("helpdesks/gorgias/account.json")
CUSTOMER_TICKETS_QUERY = {"customer_id": "3924", "trashed": "false", "order_by": "updated_datetime:desc", "limit": "30"}


def desk() -> GorgiasHelpdesk:
    return GorgiasHelpdesk("acme", AGENT, "gorgias-key")


def note(body: str) -> dict:
    return {"channel": "internal-note", "via": "internal-note", "from_agent": True, "sender": {"email": AGENT},
            "body_text": body, "body_html": body}


def sent(call: responses.Call) -> dict:
    return json.loads(call.request.body)


DRAFT = TicketDraft(
    external_id="forewarn-case-17", subject="Parcel arrived damaged: order #1001",
    body="Parcel arrived damaged: order #1001\n\nSuggested reply (en):\nSorry <Jon> & co", requester_name="Jon Snow",
    requester_email="jon@example.com", order_name="#1001", tags=("forewarn", "forewarn_damaged"), priority="urgent",
)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_case_becomes_a_ticket_whose_only_message_is_an_internal_note() -> None:
    expected = {
        "subject": "Parcel arrived damaged: order #1001",
        "external_id": "forewarn-case-17",
        "priority": "critical",
        "tags": [{"name": "forewarn"}, {"name": "forewarn_damaged"}],
        "via": "api",
        "messages": [{
            "channel": "internal-note", "via": "internal-note", "from_agent": True, "sender": {"email": AGENT},
            "body_text": DRAFT.body,
            "body_html": "Parcel arrived damaged: order #1001<br><br>Suggested reply (en):<br>Sorry &lt;Jon&gt; &amp; co",
        }],
        "customer": {"email": "jon@example.com", "name": "Jon Snow"},
    }
    responses.post(f"{BASE}/tickets", json=CREATED, status=201, match=[matchers.json_params_matcher(expected)])
    assert desk().create_ticket(DRAFT) == "8312"
    auth = responses.calls[0].request.headers["Authorization"]
    assert auth == "Basic " + base64.b64encode(f"{AGENT}:gorgias-key".encode()).decode()


@responses.activate(assert_all_requests_are_fired=True)
def test_a_case_without_an_email_opens_a_ticket_without_a_customer_and_a_normal_priority() -> None:
    responses.post(f"{BASE}/tickets", json=CREATED, status=201)
    draft = TicketDraft("forewarn-case-18", "Stuck in transit", "b", None, None, "#1002", priority="normal")
    desk().create_ticket(draft)
    body = sent(responses.calls[0])
    assert "customer" not in body and body["priority"] == "normal" and body["tags"] == []


@responses.activate(assert_all_requests_are_fired=True)
def test_a_note_is_an_internal_note_on_the_ticket() -> None:
    responses.post(f"{BASE}/tickets/8312/messages", json=NOTE_CREATED, status=201,
                   match=[matchers.json_params_matcher(note("Replacement sent"))])
    desk().add_note("8312", "Replacement sent")


@responses.activate(assert_all_requests_are_fired=True)
def test_solving_leaves_a_note_then_closes_the_ticket() -> None:
    responses.post(f"{BASE}/tickets/8312/messages", json=NOTE_CREATED, status=201,
                   match=[matchers.json_params_matcher(note("Resolved in Forewarn"))])
    responses.put(f"{BASE}/tickets/8312", json=UPDATED, match=[matchers.json_params_matcher({"status": "closed"})])
    desk().solve("8312", "Resolved in Forewarn")
    assert [c.request.method for c in responses.calls] == ["POST", "PUT"]


@responses.activate(assert_all_requests_are_fired=True)
def test_reopening_opens_the_ticket_then_leaves_a_note() -> None:
    responses.put(f"{BASE}/tickets/8312", json=UPDATED | {"status": "open", "closed_datetime": None},
                  match=[matchers.json_params_matcher({"status": "open"})])
    responses.post(f"{BASE}/tickets/8312/messages", json=NOTE_CREATED, status=201,
                   match=[matchers.json_params_matcher(note("The problem is back"))])
    desk().reopen("8312", "The problem is back")
    assert [c.request.method for c in responses.calls] == ["PUT", "POST"]


@responses.activate(assert_all_requests_are_fired=True)
def test_retitling_changes_subject_and_priority_on_gorgias_scale() -> None:
    responses.put(f"{BASE}/tickets/8312", json=UPDATED,
                  match=[matchers.json_params_matcher({"subject": "Lost parcel: order #1001", "priority": "critical"})])
    desk().retitle("8312", "Lost parcel: order #1001", "urgent")


def test_a_ticket_id_that_is_not_a_number_never_reaches_the_url() -> None:
    with pytest.raises(Permanent):
        desk().add_note("8312/../../account", "x")


@responses.activate(assert_all_requests_are_fired=True)
def test_the_ticket_made_before_a_crash_is_found_by_its_external_id() -> None:
    responses.get(f"{BASE}/tickets", json=BY_EXTERNAL_ID,
                  match=[matchers.query_param_matcher({"external_id": "forewarn-case-17"})])
    assert desk().find_by_external_id("forewarn-case-17") == "8312"


@responses.activate(assert_all_requests_are_fired=True)
def test_no_ticket_carries_the_external_id_yet() -> None:
    responses.get(f"{BASE}/tickets", json=NO_TICKETS,
                  match=[matchers.query_param_matcher({"external_id": "forewarn-case-17"})])
    assert desk().find_by_external_id("forewarn-case-17") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ticket_with_another_external_id_is_not_taken_for_ours() -> None:
    responses.get(f"{BASE}/tickets", json=BY_EXTERNAL_ID)
    assert desk().find_by_external_id("forewarn-case-99") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_the_customers_open_ticket_about_the_order_is_found_in_its_messages() -> None:
    responses.get(f"{BASE}/customers", json=CUSTOMERS,
                  match=[matchers.query_param_matcher({"email": "jon@example.com"})])
    responses.get(f"{BASE}/tickets", json=CUSTOMER_TICKETS, match=[matchers.query_param_matcher(CUSTOMER_TICKETS_QUERY)])
    responses.get(f"{BASE}/tickets/8201/messages", json=NO_TICKETS | {"uri": "/api/tickets/8201/messages"})
    responses.get(f"{BASE}/tickets/8255/messages", json=MESSAGES)
    # 8120 names #1001 but is closed; 8201 is open but about #10012; 8255's first message names #1001
    assert desk().find_open_ticket("jon@example.com", "#1001") == "8255"


@responses.activate(assert_all_requests_are_fired=True)
def test_an_open_ticket_naming_the_order_in_its_subject_needs_no_message_read() -> None:
    tickets = json.loads(json.dumps(CUSTOMER_TICKETS))
    tickets["data"][2]["subject"] = "Order #1001 never came"
    responses.get(f"{BASE}/customers", json=CUSTOMERS)
    responses.get(f"{BASE}/tickets", json=tickets)
    assert desk().find_open_ticket("Jon@Example.com", "#1001") == "8255"


@responses.activate(assert_all_requests_are_fired=True)
def test_a_closed_ticket_about_the_order_is_not_joined() -> None:
    tickets = json.loads(json.dumps(CUSTOMER_TICKETS))
    tickets["data"] = tickets["data"][:1]  # only the closed "Where is my order #1001?"
    responses.get(f"{BASE}/customers", json=CUSTOMERS)
    responses.get(f"{BASE}/tickets", json=tickets)
    assert desk().find_open_ticket("jon@example.com", "#1001") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_an_unknown_customer_has_no_ticket_to_join() -> None:
    responses.get(f"{BASE}/customers", json=CUSTOMERS | {"data": []})
    assert desk().find_open_ticket("new@example.com", "#1001") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_check_reads_the_account() -> None:
    responses.get(f"{BASE}/account", json=ACCOUNT)
    desk().check()


@responses.activate
@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_unauthorized(status: int) -> None:
    responses.get(f"{BASE}/account", status=status, json={"error": {"msg": "Unauthorized"}})
    with pytest.raises(Unauthorized):
        desk().check()


@responses.activate
def test_a_429_carries_gorgias_retry_after() -> None:
    responses.post(f"{BASE}/tickets", status=429, headers={"Retry-after": "30", "X-Gorgias-Account-Api-Call-Limit": "40/40"})
    with pytest.raises(RateLimited) as raised:
        desk().create_ticket(DRAFT)
    assert raised.value.retry_after == 30


@responses.activate
@pytest.mark.parametrize(
    ("reply", "error"),
    [({"status": 503}, Transient), ({"status": 500}, Transient),
     ({"body": requests.ConnectTimeout("connect timed out")}, Transient),
     ({"body": requests.ReadTimeout("read timed out")}, Transient),
     ({"status": 400, "json": {"error": {"msg": "Validation error"}}}, Permanent)],
)
def test_gorgias_failures_are_typed(reply: dict, error: type) -> None:
    responses.post(f"{BASE}/tickets/8312/messages", **reply)
    with pytest.raises(error):
        desk().add_note("8312", "x")


@pytest.mark.parametrize(
    ("domain", "email", "key"),
    [("", AGENT, "k"), ("acme", "", "k"), ("acme", AGENT, ""),
     ("acme.gorgias.com", AGENT, "k"), ("evil.com#", AGENT, "k"), ("acme/../x", AGENT, "k"),
     ("-acme", AGENT, "k"), ("attacker.example:443@acme", AGENT, "k"), ("acme", "not-an-email", "k")],
)
def test_credentials_that_are_missing_or_could_steer_the_host_are_refused(domain: str, email: str, key: str) -> None:
    with pytest.raises(Unauthorized):
        GorgiasHelpdesk(domain, email, key)


@pytest.mark.parametrize("base_url", ["http://acme.gorgias.com", "ftp://127.0.0.1", "https://user:pw@host.example",
                                      "https://host.example/?next=evil", "not a url"])
def test_a_base_url_must_be_https_or_this_machine(base_url: str) -> None:
    with pytest.raises(Unauthorized):
        GorgiasHelpdesk("", AGENT, "k", base_url=base_url)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_local_base_url_replaces_the_gorgias_host() -> None:
    responses.get("http://127.0.0.1:5055/api/account", json=ACCOUNT)
    GorgiasHelpdesk("", AGENT, "k", base_url="http://127.0.0.1:5055/").check()
