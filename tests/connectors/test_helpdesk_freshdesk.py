"""The Freshdesk adapter against Freshdesk's documented responses: the body only in a private note, the case's
tag found past the search index's delay, the customer's open ticket about the order, typed failures."""
from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from connectors.helpdesks.freshdesk import FreshdeskHelpdesk
from core.errors import Permanent, RateLimited, Transient, Unauthorized
from core.ports import TicketDraft
from tests.support import fixture_json

BASE = "https://acme.freshdesk.com/api/v2"
CREATED = fixture_json("helpdesks/freshdesk/ticket_created.json")
NOTE = fixture_json("helpdesks/freshdesk/note_created.json")
UPDATED = fixture_json("helpdesks/freshdesk/ticket_updated.json")
RECENT: Any = fixture_json("helpdesks/freshdesk/tickets_recent.json")
SEARCH = fixture_json("helpdesks/freshdesk/search_tickets.json")
NO_RESULTS = fixture_json("helpdesks/freshdesk/search_tickets_empty.json")
CONTACTS: Any = fixture_json("helpdesks/freshdesk/contacts_by_email.json")
REQUESTER_TICKETS: Any = fixture_json("helpdesks/freshdesk/tickets_of_requester.json")
ME = fixture_json("helpdesks/freshdesk/agent_me.json")
INVALID = fixture_json("helpdesks/freshdesk/validation_failed.json")

BODY = "Order #1001 — UPS parcel damaged\n\nWhy Forewarn opened this case:\n- Customer says: box <crushed> & wet"


def desk() -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk("acme", "fd-key-123")


def draft(**changes: Any) -> TicketDraft:
    fields: dict[str, Any] = dict(
        external_id="forewarn-case-12", subject="Order #1001 — UPS parcel damaged", body=BODY,
        requester_name="Jon Snow", requester_email="jon@example.com", order_name="#1001",
        tags=("forewarn", "forewarn_damaged"), priority="urgent",
    )
    return TicketDraft(**{**fields, **changes})


def sent(call: Any) -> Any:
    return json.loads(call.request.body)


def params(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ticket_is_created_with_the_customer_as_requester_and_the_body_only_in_a_private_note() -> None:
    responses.post(f"{BASE}/tickets", json=CREATED, status=201)
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    assert desk().create_ticket(draft()) == "4711"
    ticket, note = sent(responses.calls[0]), sent(responses.calls[1])
    assert ticket == {
        "email": "jon@example.com", "name": "Jon Snow", "subject": "Order #1001 — UPS parcel damaged",
        "description": "Forewarn opened this ticket about order #1001.",  # the customer's side: nothing more
        "status": 2, "priority": 4, "source": 2,
        "tags": ["forewarn", "forewarn_damaged", "forewarn-case-12"],
    }
    assert note == {
        "body": "Order #1001 — UPS parcel damaged<br><br>Why Forewarn opened this case:<br>"
                "- Customer says: box &lt;crushed&gt; &amp; wet<br><br>Forewarn reference: [forewarn-case-12]",
        "private": True,
    }
    auth = responses.calls[0].request.headers["Authorization"]
    assert auth == "Basic " + base64.b64encode(b"fd-key-123:X").decode()


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ticket_without_a_customer_email_has_the_keys_agent_as_requester() -> None:
    responses.get(f"{BASE}/agents/me", json=ME)
    responses.post(f"{BASE}/tickets", json=CREATED, status=201)
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    desk().create_ticket(draft(requester_email=None, requester_name=None, priority="normal"))
    ticket = sent(responses.calls[1])
    assert ticket["email"] == "agent@teashop.example" and "name" not in ticket and ticket["priority"] == 2


@responses.activate(assert_all_requests_are_fired=True)
def test_a_note_is_private() -> None:
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    desk().add_note("4711", "Carrier confirms the damage.\nClaim filed.")
    assert sent(responses.calls[0]) == {"body": "Carrier confirms the damage.<br>Claim filed.", "private": True}


@responses.activate(assert_all_requests_are_fired=True)
def test_solving_resolves_the_ticket_then_adds_a_private_note() -> None:
    responses.put(f"{BASE}/tickets/4711", json=UPDATED)
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    desk().solve("4711", "The case was resolved in Forewarn.")
    assert sent(responses.calls[0]) == {"status": 4}
    assert sent(responses.calls[1]) == {"body": "The case was resolved in Forewarn.", "private": True}


@responses.activate(assert_all_requests_are_fired=True)
def test_reopening_opens_the_ticket_then_adds_a_private_note() -> None:
    responses.put(f"{BASE}/tickets/4711", json={**UPDATED, "status": 2})
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    desk().reopen("4711", "The problem is back.")
    assert sent(responses.calls[0]) == {"status": 2}
    assert sent(responses.calls[1]) == {"body": "The problem is back.", "private": True}


@responses.activate(assert_all_requests_are_fired=True)
def test_retitling_changes_subject_and_priority() -> None:
    responses.put(f"{BASE}/tickets/4711", json=UPDATED)
    desk().retitle("4711", "Order #1001 — parcel lost", "high")
    assert sent(responses.calls[0]) == {"subject": "Order #1001 — parcel lost", "priority": 3}


def test_a_ticket_id_that_is_not_a_number_never_reaches_the_url() -> None:
    with pytest.raises(Permanent):
        desk().add_note("4711/../../agents", "x")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ticket_created_moments_ago_is_found_in_the_newest_tickets_before_the_search_index_has_it() -> None:
    responses.get(f"{BASE}/tickets", json=RECENT)
    assert desk().find_by_external_id("forewarn-case-12") == "4711"
    assert params(responses.calls[0]) == {"order_by": ["created_at"], "order_type": ["desc"], "per_page": ["100"]}


@responses.activate(assert_all_requests_are_fired=True)
def test_an_older_ticket_is_found_through_the_filter_api_by_its_tag() -> None:
    responses.get(f"{BASE}/tickets", json=[RECENT[0]])
    responses.get(f"{BASE}/search/tickets", json=SEARCH)
    assert desk().find_by_external_id("forewarn-case-12") == "4711"
    assert params(responses.calls[1]) == {"query": ["\"tag:'forewarn-case-12'\""]}


@responses.activate(assert_all_requests_are_fired=True)
def test_no_ticket_is_found_for_a_case_never_sent_nor_for_a_tag_that_only_starts_alike() -> None:
    responses.get(f"{BASE}/tickets", json=RECENT)  # holds forewarn-case-12 and forewarn-case-123
    responses.get(f"{BASE}/search/tickets", json=NO_RESULTS)
    assert desk().find_by_external_id("forewarn-case-1") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_the_customers_open_ticket_about_the_order_is_found() -> None:
    responses.get(f"{BASE}/contacts", json=CONTACTS)
    responses.get(f"{BASE}/tickets", json=REQUESTER_TICKETS)
    # 4650 names #1001 but is resolved; 4660 names #10012; 4700 is pending and names #1001
    assert desk().find_open_ticket("jon+shop@example.com", "#1001") == "4700"
    assert params(responses.calls[0]) == {"email": ["jon+shop@example.com"]}
    assert "email=jon%2Bshop%40example.com" in responses.calls[0].request.url
    assert params(responses.calls[1]) == {"requester_id": ["129"], "include": ["description"],
                                          "order_by": ["updated_at"], "per_page": ["100"]}


@responses.activate(assert_all_requests_are_fired=True)
def test_a_resolved_or_closed_ticket_about_the_order_is_ignored() -> None:
    responses.get(f"{BASE}/contacts", json=CONTACTS)
    closed = {**REQUESTER_TICKETS[2], "status": 5}
    responses.get(f"{BASE}/tickets", json=[REQUESTER_TICKETS[0], REQUESTER_TICKETS[1], closed])
    assert desk().find_open_ticket("jon@example.com", "#1001") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_a_customer_unknown_to_freshdesk_has_no_open_ticket() -> None:
    responses.get(f"{BASE}/contacts", json=[])
    assert desk().find_open_ticket("new@example.com", "#1001") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_check_reads_the_keys_agent() -> None:
    responses.get(f"{BASE}/agents/me", json=ME)
    desk().check()


@responses.activate(assert_all_requests_are_fired=True)
def test_check_refuses_a_key_whose_agent_cannot_see_every_ticket() -> None:
    responses.get(f"{BASE}/agents/me", json={**ME, "ticket_scope": 2})
    with pytest.raises(Unauthorized, match="Global ticket access"):
        desk().check()


@responses.activate(assert_all_requests_are_fired=True)
def test_a_refused_key_is_unauthorized() -> None:
    responses.get(f"{BASE}/agents/me", status=401,
                  json={"code": "invalid_credentials", "message": "You have to be logged in to perform this action."})
    with pytest.raises(Unauthorized):
        desk().check()


@responses.activate(assert_all_requests_are_fired=True)
def test_a_429_is_rate_limited_for_freshdesks_retry_after() -> None:
    responses.post(f"{BASE}/tickets/4711/notes", status=429, headers={"Retry-After": "34"})
    with pytest.raises(RateLimited) as caught:
        desk().add_note("4711", "x")
    assert caught.value.retry_after == 34.0


@responses.activate(assert_all_requests_are_fired=True)
def test_a_5xx_is_transient() -> None:
    responses.put(f"{BASE}/tickets/4711", status=503)
    with pytest.raises(Transient):
        desk().retitle("4711", "s", "normal")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_timeout_is_transient() -> None:
    responses.get(f"{BASE}/tickets", body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(Transient):
        desk().find_by_external_id("forewarn-case-12")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_validation_error_is_permanent() -> None:
    responses.put(f"{BASE}/tickets/4711", status=400, json=INVALID)  # e.g. a field required when resolving
    with pytest.raises(Permanent, match="Validation failed"):
        desk().solve("4711", "done")


@pytest.mark.parametrize("domain", ["acme", "ACME", "acme.freshdesk.com", "https://acme.freshdesk.com/", " acme "])
def test_the_domain_may_be_given_as_name_or_host(domain: str) -> None:
    assert FreshdeskHelpdesk(domain, "fd-key-123").base == BASE


@pytest.mark.parametrize("domain, api_key", [
    ("", "fd-key-123"), ("acme", ""), ("acme", "   "),
    ("evil.example", "k"), ("acme.freshdesk.com.evil.example", "k"), ("acme.freshdesk.com@evil.example", "k"),
    ("http://acme.freshdesk.com", "k"), ("acme/../x", "k"), ("-acme", "k"), ("acme", "key:with-colon"),
    ("acme", "key with space"),
])
def test_missing_or_malformed_credentials_are_refused_before_any_call(domain: str, api_key: str) -> None:
    with pytest.raises(Unauthorized):
        FreshdeskHelpdesk(domain, api_key)


def test_a_base_url_must_be_https_or_this_machine() -> None:
    assert FreshdeskHelpdesk("", "k", base_url="http://127.0.0.1:5001").base == "http://127.0.0.1:5001/api/v2"
    assert FreshdeskHelpdesk("", "k", base_url="https://desk.example/").base == "https://desk.example/api/v2"
    with pytest.raises(Unauthorized):
        FreshdeskHelpdesk("", "k", base_url="http://desk.example")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ticket_found_after_a_crash_gets_its_body_note_once() -> None:
    conversations = f"{BASE}/tickets/4711/conversations"
    responses.get(conversations, json=[])  # the crash fell between the create and its note
    responses.post(f"{BASE}/tickets/4711/notes", json=NOTE, status=201)
    desk().complete("4711", draft())
    assert "Forewarn reference: [forewarn-case-12]" in sent(responses.calls[-1])["body"]
    responses.replace(responses.GET, conversations, json=fixture_json("helpdesks/freshdesk/ticket_conversations.json"))
    calls = len(responses.calls)
    desk().complete("4711", draft())  # the note is there: nothing is posted again
    assert len(responses.calls) == calls + 1 and responses.calls[-1].request.method == "GET"
