"""The merchant's Chatwoot: a case becomes a conversation with a private first note, the customer's open
conversation about the order is found, notes stay private, status and priority follow the case, typed
failures, and credentials that could steer calls elsewhere are refused before any call."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from connectors.helpdesks.chatwoot import ChatwootHelpdesk
from core.errors import Permanent, RateLimited, Transient, Unauthorized
from core.ports import TicketDraft
from tests.support import fixture_json

TOKEN = "cw-token-4Hq7uVbXn2Pz"
BASE = "https://chat.acme.example/api/v1/accounts/3"
AUTH = matchers.header_matcher({"api_access_token": TOKEN})
DRAFT = TicketDraft(
    external_id="forewarn-case-12", subject="Damaged parcel for order #1001",
    body="Damaged parcel for order #1001\n\nOrder #1001: 1× Mug\n\nSuggested reply (en):\nSorry!",
    requester_name="Ana Lima", requester_email="Ana@Example.com", order_name="#1001",
    tags=("forewarn", "forewarn_damaged"), priority="urgent",
)


def fixture(name: str) -> dict:
    return fixture_json(f"helpdesks/chatwoot/{name}")


def desk() -> ChatwootHelpdesk:
    return ChatwootHelpdesk("https://chat.acme.example", "3", "7", TOKEN)


def private_note(content: str) -> Callable[..., Any]:
    return matchers.json_params_matcher({"content": content, "message_type": "outgoing", "private": True})


def sent(method: str, path: str) -> list[dict]:
    return [json.loads(c.request.body) for c in responses.calls
            if c.request.method == method and c.request.url.split("?")[0] == f"{BASE}{path}"]


@responses.activate(assert_all_requests_are_fired=True)
def test_a_new_customer_gets_a_contact_and_a_conversation_whose_first_message_is_a_private_note() -> None:
    responses.get(f"{BASE}/contacts/search", json=fixture("contacts_search_empty.json"),
                  match=[AUTH, matchers.query_param_matcher({"q": "ana@example.com"})])
    responses.post(f"{BASE}/contacts", json=fixture("contact_created.json"), match=[AUTH, matchers.json_params_matcher(
        {"inbox_id": 7, "name": "Ana Lima", "email": "Ana@Example.com"})])
    responses.post(f"{BASE}/conversations", json=fixture("conversation_created.json"), match=[AUTH])
    responses.post(f"{BASE}/conversations/1187/toggle_priority", body="",
                   match=[AUTH, matchers.json_params_matcher({"priority": "urgent"})])
    responses.post(f"{BASE}/conversations/1187/labels", json=fixture("labels.json"),
                   match=[AUTH, matchers.json_params_matcher({"labels": ["forewarn", "forewarn_damaged"]})])

    assert desk().create_ticket(DRAFT) == "1187"

    assert sent("POST", "/conversations") == [{
        "source_id": "ana@example.com", "inbox_id": 7, "contact_id": 43, "status": "open",
        "custom_attributes": {"forewarn_case": "forewarn-case-12", "forewarn_subject": "Damaged parcel for order #1001"},
        # the body already starts with the subject, so it is not repeated
        "message": {"content": f"{DRAFT.body}\n\nForewarn reference: [forewarn-case-12]",
                    "message_type": "outgoing", "private": True},
    }]


@responses.activate(assert_all_requests_are_fired=True)
def test_the_subject_leads_the_note_and_a_known_customer_keeps_the_contact_and_source_id_chatwoot_has() -> None:
    responses.get(f"{BASE}/contacts/search", json=fixture("contacts_search.json"))
    responses.post(f"{BASE}/conversations", json=fixture("conversation_created.json"))
    responses.post(f"{BASE}/conversations/1187/toggle_priority", body="",
                   match=[matchers.json_params_matcher({"priority": "medium"})])  # Forewarn's normal
    draft = TicketDraft("forewarn-case-13", "Parcel stuck", "Order #1001: 1× Mug", "Jon Snow", "jon@example.com",
                        "#1001")

    assert desk().create_ticket(draft) == "1187"

    [conversation] = sent("POST", "/conversations")
    assert (conversation["contact_id"], conversation["source_id"]) == (42, "jon@example.com")  # not bjon@ (41)
    assert conversation["message"]["content"] == (
        "Parcel stuck\n\nOrder #1001: 1× Mug\n\nForewarn reference: [forewarn-case-13]")
    assert not sent("POST", "/contacts") and not sent("POST", "/conversations/1187/labels")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_known_customer_who_never_wrote_to_this_inbox_is_added_to_it_first() -> None:
    search = copy.deepcopy(fixture("contacts_search.json"))
    search["payload"][1]["contact_inboxes"] = [search["payload"][1]["contact_inboxes"][1]]  # only the website inbox
    responses.get(f"{BASE}/contacts/search", json=search)
    responses.post(f"{BASE}/contacts/42/contact_inboxes", json=fixture("contact_inbox_created.json"),
                   match=[matchers.json_params_matcher({"inbox_id": 7})])
    responses.post(f"{BASE}/conversations", json=fixture("conversation_created.json"))
    responses.post(f"{BASE}/conversations/1187/toggle_priority", body="")

    desk().create_ticket(TicketDraft("forewarn-case-14", "s", "b", "Jon Snow", "jon@example.com", "#1001"))

    assert sent("POST", "/conversations")[0]["source_id"] == "jon@example.com"


@responses.activate(assert_all_requests_are_fired=True)
def test_notes_are_private_and_solve_and_reopen_set_the_status_around_them() -> None:
    responses.post(f"{BASE}/conversations/1187/messages", json=fixture("message_created.json"), match=[AUTH])
    responses.post(f"{BASE}/conversations/1187/toggle_status", json=fixture("toggle_status_resolved.json"),
                   match=[matchers.json_params_matcher({"status": "resolved"})])
    responses.post(f"{BASE}/conversations/1187/toggle_status", json=fixture("toggle_status_open.json"),
                   match=[matchers.json_params_matcher({"status": "open"})])

    desk().add_note("1187", "Replacement sent")
    desk().solve("1187", "The case was resolved in Forewarn.")
    desk().reopen("1187", "The problem is back.")

    steps = [(c.request.url.rsplit("/", 1)[1], json.loads(c.request.body)) for c in responses.calls]
    note = {"message_type": "outgoing", "private": True}
    assert steps == [
        ("messages", {"content": "Replacement sent", **note}),
        ("messages", {"content": "The case was resolved in Forewarn.", **note}), ("toggle_status", {"status": "resolved"}),
        ("toggle_status", {"status": "open"}), ("messages", {"content": "The problem is back.", **note}),
    ]


@responses.activate(assert_all_requests_are_fired=True)
def test_retitle_keeps_the_other_custom_attributes_and_tells_the_agents() -> None:
    responses.get(f"{BASE}/conversations/1187", json=fixture("conversation_show.json"))
    responses.post(f"{BASE}/conversations/1187/custom_attributes", json=fixture("custom_attributes_updated.json"),
                   match=[matchers.json_params_matcher({"custom_attributes": {
                       "forewarn_case": "forewarn-case-12", "forewarn_subject": "Damaged parcel for order #1001",
                       "refund_approved": "no"}})])
    responses.post(f"{BASE}/conversations/1187/toggle_priority", body="",
                   match=[matchers.json_params_matcher({"priority": "high"})])
    responses.post(f"{BASE}/conversations/1187/messages", json=fixture("message_created.json"),
                   match=[private_note("New subject: Damaged parcel for order #1001")])

    desk().retitle("1187", "Damaged parcel for order #1001", "high")


@responses.activate(assert_all_requests_are_fired=True)
def test_the_conversation_made_for_a_case_is_found_by_its_reference_and_custom_attribute() -> None:
    responses.get(f"{BASE}/conversations", json=fixture("conversation_list.json"), match=[AUTH, matchers.query_param_matcher(
        {"q": "[forewarn-case-12]", "status": "all", "inbox_id": "7"})])

    assert desk().find_by_external_id("forewarn-case-12") == "1187"  # not 1201, which lacks the attribute


@responses.activate(assert_all_requests_are_fired=True)
def test_no_conversation_for_the_case_means_none() -> None:
    empty = {"data": {"meta": {"mine_count": 0, "unassigned_count": 0, "assigned_count": 0, "all_count": 0}, "payload": []}}
    responses.get(f"{BASE}/conversations", json=empty)
    responses.get(f"{BASE}/conversations", json=fixture("conversation_list.json"))

    assert desk().find_by_external_id("forewarn-case-12") is None
    assert desk().find_by_external_id("forewarn-case-99") is None  # someone quoted the reference elsewhere


@responses.activate(assert_all_requests_are_fired=True)
def test_the_customers_open_conversation_about_the_order_is_found_and_a_resolved_one_is_ignored() -> None:
    responses.get(f"{BASE}/contacts/search", json=fixture("contacts_search.json"))
    responses.get(f"{BASE}/contacts/42/conversations", json=fixture("contact_conversations.json"))
    responses.get(f"{BASE}/conversations/1175/messages", json=fixture("conversation_messages.json"))

    assert desk().find_open_ticket("jon@example.com", "#1001") == "1175"
    assert not [c for c in responses.calls if "/conversations/1190/" in c.request.url]  # resolved: not even read


@responses.activate(assert_all_requests_are_fired=True)
def test_only_resolved_or_other_order_conversations_mean_none() -> None:
    only_resolved = copy.deepcopy(fixture("contact_conversations.json"))
    only_resolved["payload"][1]["status"] = "resolved"
    responses.get(f"{BASE}/contacts/search", json=fixture("contacts_search.json"))
    responses.get(f"{BASE}/contacts/42/conversations", json=only_resolved)
    responses.get(f"{BASE}/contacts/42/conversations", json=fixture("contact_conversations.json"))
    responses.get(f"{BASE}/conversations/1175/messages", json=fixture("conversation_messages_other_order.json"))

    assert desk().find_open_ticket("jon@example.com", "#1001") is None
    assert desk().find_open_ticket("jon@example.com", "#1001") is None  # it speaks of #10012


@responses.activate(assert_all_requests_are_fired=True)
def test_an_unknown_customer_has_no_open_conversation() -> None:
    responses.get(f"{BASE}/contacts/search", json=fixture("contacts_search_empty.json"))

    assert desk().find_open_ticket("nobody@example.com", "#1001") is None


@responses.activate(assert_all_requests_are_fired=True)
def test_check_reads_the_inbox_and_a_missing_inbox_is_a_credentials_problem() -> None:
    responses.get(f"{BASE}/inboxes/7", json=fixture("inbox.json"), match=[AUTH])
    responses.get(f"{BASE}/inboxes/7", status=404, json={"error": "Resource could not be found"})

    desk().check()
    with pytest.raises(Unauthorized, match="has no inbox 7"):
        desk().check()


@responses.activate
@pytest.mark.parametrize(
    ("reply", "error"),
    [({"status": 401, "json": {"error": "Invalid Access Token"}}, Unauthorized),
     ({"status": 429, "headers": {"Retry-After": "30"}, "body": "Retry later\n"}, RateLimited),
     ({"status": 503}, Transient), ({"body": requests.ConnectTimeout("timed out")}, Transient),
     ({"status": 422, "json": {"message": "Validation failed"}}, Permanent)],
)
def test_chatwoot_failures_are_typed(reply: dict, error: type) -> None:
    responses.post(f"{BASE}/conversations/1187/messages", **reply)

    with pytest.raises(error) as raised:
        desk().add_note("1187", "x")
    if error is RateLimited:
        assert raised.value.retry_after == 30


def test_a_conversation_id_that_is_not_a_number_never_reaches_a_url() -> None:
    with pytest.raises(Permanent):
        desk().add_note("1187/../../../profile", "x")


@pytest.mark.parametrize(
    ("url", "base"),
    [("https://app.chatwoot.com", "https://app.chatwoot.com"), ("https://Chat.Acme.example/", "https://chat.acme.example"),
     ("https://chat.acme.example:8443", "https://chat.acme.example:8443"), ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
     ("http://localhost:3000/", "http://localhost:3000"), ("https://[2001:db8::1]", "https://[2001:db8::1]")],
)
def test_the_instance_url_is_reduced_to_scheme_host_and_port(url: str, base: str) -> None:
    assert ChatwootHelpdesk(url, 3, 7, TOKEN).base == f"{base}/api/v1/accounts/3"


@pytest.mark.parametrize(
    "url",
    ["http://chat.acme.example", "ftp://chat.acme.example", "chat.acme.example", "https://chat.acme.example/app",
     "https://chat.acme.example?x=1", "https://chat.acme.example#a", "https://user:pw@chat.acme.example",
     "https://evil.example@chat.acme.example", "https://chat.acme.example\n.evil", "https://chat acme.example",
     "https://169.254.169.254", "https://[fe80::1]", "https://0251.0376.0251.0376", "https://2852039166",
     "https://chat_acme.example", "https://chat.acme.example:0", "https://chat.acme.example:99999", "https://", ""],
)
def test_a_url_that_is_not_just_a_chatwoot_address_is_refused(url: str) -> None:
    with pytest.raises(Unauthorized):
        ChatwootHelpdesk(url, "3", "7", TOKEN)


@pytest.mark.parametrize(
    ("account_id", "inbox_id", "token"),
    [("0", "7", TOKEN), ("-3", "7", TOKEN), ("3a", "7", TOKEN), ("3/../9", "7", TOKEN), ("3", "", TOKEN),
     ("3", "seven", TOKEN), ("3", True, TOKEN), ("3", "7", ""), ("3", "7", "tok en"), ("3", "7", "tok\r\nX-Evil: 1")],
)
def test_ids_must_be_positive_numbers_and_the_token_a_token(account_id: object, inbox_id: object, token: str) -> None:
    with pytest.raises(Unauthorized):
        ChatwootHelpdesk("https://chat.acme.example", account_id, inbox_id, token)  # type: ignore[arg-type]


def test_a_base_url_given_by_the_caller_replaces_the_instance_url_and_is_checked_the_same_way() -> None:
    local = ChatwootHelpdesk("", "3", "7", TOKEN, base_url="http://127.0.0.1:8025")
    assert local.base == "http://127.0.0.1:8025/api/v1/accounts/3"
    with pytest.raises(Unauthorized):
        ChatwootHelpdesk("https://chat.acme.example", "3", "7", TOKEN, base_url="http://10.0.0.8")
