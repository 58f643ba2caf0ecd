"""/admin/messages as a merchant meets it: an empty shop told what will appear, a send log newest first with
filters, pages, masked recipients and each reason in plain words, the template editor's data with the
merchant's edits marked — and nothing of another shop, nothing unescaped."""
from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from core.domain.model import Message
from jobs.runtime import Runtime, install_clock
from tests.support import SHOP, damaged_parcel, fixture_json, install_shop, post_shopify, run_jobs, session_token
from tests.webhooks.test_admin_security import inline_code
from web.admin.messages import duration_words, parse_log_query, reason_words

OTHER = "othershop.myshopify.com"
EVIL = "<script>alert(1)</script>"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def bearer(shop: str = SHOP) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop)}"}


def page(client, shop: str = SHOP, **params: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.get("/admin/messages", query_string={"shop": shop, "id_token": session_token(shop), **params})
    assert answer.status_code == 200
    assert inline_code(answer.text) == []  # the CSP allows no inline code: the editor is messages.js
    return answer.text


def log_rows(text: str) -> list[str]:
    section = text.split('<section class="card" id="messages"')[1].split("</section>")[0]
    return re.findall(r'<tr data-message="[^"]+">.*?</tr>', section, re.S)


def editor(text: str) -> dict:
    return json.loads(html.unescape(text.split('id="template-editor-data">')[1].split("</script>")[0]))


def add_messages(rt: Runtime, order_id: int, shop: str = SHOP, *specs: dict) -> None:
    with rt.uow() as uow:
        shop_id = uow.repo.shop("shopify", shop).id
        for i, spec in enumerate(specs):
            fields = {"kind": "late", "channel": "email", "status": "sent", **spec}
            created = T0 + timedelta(minutes=i)
            uow.repo.add(Message(shop_id=shop_id, order_id=order_id, idempotency_key=f"{shop}:t{i}:{fields['kind']}",
                                 created_at=created, updated_at=created, **fields))
        uow.commit()


# ---------------------------------------------------------------- pure words

def test_each_reason_reads_in_plain_words_with_the_shops_own_numbers() -> None:
    settings = {"quiet_hours": ["22:00", "07:30"], "per_order_per_day": 1, "per_customer_per_day": 4}
    assert reason_words("quiet_hours", "email", settings) == "Waits for the end of the customer's quiet hours (07:30 their time)"
    assert reason_words("quiet_hours", "email", {}) == "Waits for the end of the customer's quiet hours (08:00 their time)"
    assert "at most 1 per order and 4 per customer a day" in reason_words("cap", "sms", settings)
    assert reason_words("no_contact", "email", {}).endswith("no email address")
    assert reason_words("no_contact", "sms", {}).endswith("no mobile number")
    assert "unsubscribed" in reason_words("opted_out", "email", {})
    assert "opt-in" in reason_words("no_consent", "whatsapp", {}) and "WhatsApp" in reason_words("no_consent", "whatsapp", {})
    assert "already got this notice" in reason_words("duplicate", "email", {})
    assert "out of date" in reason_words("resolved", "email", {})
    assert "SMS was turned off" in reason_words("channel_off", "sms", {})
    assert "turned off" in reason_words("disabled", "email", {})
    assert reason_words("something_new", "email", {}) == "Not sent: something new"
    assert reason_words(None, "email", {}) is None


def test_waits_read_as_a_merchant_says_them() -> None:
    assert [duration_words(s) for s in (None, 12, 60, 754, 3600, 3 * 3600 + 300, 5 * 86400)] == \
        ["—", "under 1 min", "1 min", "13 min", "1 h", "3 h 5 min", "5 days"]


def test_a_filter_the_page_does_not_know_is_named_and_ignored() -> None:
    query = parse_log_query({"status": "suppressed", "channel": "pigeon", "kind": "late", "reason": "cap", "page": "2"})
    assert query.filters == {"status": "suppressed", "kind": "late", "reason": "cap"} and query.page == 2
    assert query.problems == ["There is no channel “pigeon”: showing every channel."]
    assert parse_log_query({"page": "-1"}).problems == ["“-1” is not a page number: showing the first page."]


# ---------------------------------------------------------------- the page

def test_a_store_not_connected_yet_is_told_what_will_appear(app, rt: Runtime) -> None:
    browser = app.test_client()
    with browser.session_transaction() as session:  # a WooCommerce sign-in for a store Forewarn has no row for
        session["woo_shop"], session["woo_since"] = "new.example.com", time.time()
    answer = browser.get("/admin/messages")
    assert answer.status_code == 200
    assert "Forewarn is not installed on new.example.com yet" in answer.text
    assert "lists every message it sends your customers" in answer.text
    assert "template-editor-data" not in answer.text and "/static/admin/messages.js" not in answer.text


def test_a_new_shop_sees_an_empty_log_that_says_what_will_appear_and_forewarns_texts(client, rt: Runtime) -> None:
    install_shop(rt)
    text = page(client)
    assert "No customer message yet" in text and "Forewarn writes to them" in text
    assert "data-log-filters" not in text  # nothing to filter yet
    assert "data-test-address-missing" in text and "add your reply-to address" in text
    data = editor(text)
    assert len(data["kinds"]) == 17 and data["kinds"][0] == {
        "kind": "late", "label": "Late", "description": "The promised or carrier-estimated delivery day has passed"}
    assert [lang["code"] for lang in data["languages"]] == ["en", "es", "fr", "de", "pt", "it", "nl", "hi", "bn", "ar"]
    assert {lang["code"]: lang["dir"] for lang in data["languages"]}["ar"] == "rtl"
    assert {lang["code"]: lang["name"] for lang in data["languages"]}["bn"] == "বাংলা"
    assert data["channels"][0] == {"channel": "email", "label": "Email", "parts": ["subject", "body"]}
    assert "customer.first_name" in [v["name"] for v in data["variables"]]
    assert data["edited"] == {} and data["test_address"] is None
    assert 'data-variable="customer.first_name"' in text and "{{ customer.first_name }}" in text


def test_the_editor_marks_the_shops_edits_and_shows_where_a_test_goes(client, rt: Runtime) -> None:
    install_shop(rt)
    install_shop(rt, OTHER, token="shpat_other")
    body = f"প্রিয় {{{{ customer.first_name }}}}, {EVIL}"
    assert client.put("/api/v1/templates/late/bn/body", headers=bearer(), json={"text": body}).status_code == 200
    assert client.put("/api/v1/templates/stuck/en/sms", headers=bearer(), json={"text": "{{ order.name }} waits"}).status_code == 200
    assert client.patch("/api/v1/messaging", headers=bearer(), json={"reply_to": "owner@teashop.example"}).status_code == 200
    text = page(client)
    data = editor(text)
    assert data["edited"] == {"late": {"bn": ["body"]}, "stuck": {"en": ["sms"]}}
    assert data["test_address"] == "owner@teashop.example" and "data-test-address>owner@teashop.example<" in text
    assert "<script>alert" not in text  # the texts themselves come from the API, into textareas
    assert editor(page(client, OTHER))["edited"] == {}  # another shop's edits are its own
    # the editor's texts: the shop's own, or Forewarn's
    texts = client.get("/api/v1/templates", headers=bearer(), query_string={"kind": "late", "language": "bn"}).get_json()
    assert texts["templates"]["late"]["bn"]["body"] == {"text": body, "edited": True}
    assert texts["templates"]["late"]["bn"]["subject"]["edited"] is False
    preview = client.post("/api/v1/templates/preview", headers=bearer(),
                          json={"kind": "late", "language": "bn", "channel": "sms"}).get_json()
    assert preview["language"] == "bn" and preview["sms_length"]["encoding"] == "UCS-2"  # Bengali halves the room
    assert preview["sms_length"]["segments"] >= 1
    email = client.post("/api/v1/templates/preview", headers=bearer(),
                        json={"kind": "late", "language": "bn", "channel": "email"}).get_json()
    assert email["body"] == f"প্রিয় অনিকা, {EVIL}" and email["sms_length"] is None  # plain text: the page sets textContent


@pytest.fixture
def populated(client, rt: Runtime) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A shop with one order and one message of each kind of outcome; another shop with its own order and message."""
    install_shop(rt)
    install_shop(rt, OTHER, token="shpat_other")
    install_clock(lambda: T0 + timedelta(hours=1))
    try:
        order_id, _ = damaged_parcel(client, rt)  # plans the damaged notice (it fails later: no mail server here)
    finally:
        install_clock(None)
    with rt.uow() as uow:
        shop = uow.repo.shop("shopify", SHOP)
        shop.messaging = {"quiet_hours": ["22:00", "07:30"], "per_order_per_day": 1}
        uow.commit()
    add_messages(rt, order_id, SHOP,
                 {"status": "sent", "recipient": "jon@example.com", "sent_at": T0, "detected_at": T0 - timedelta(minutes=4),
                  "language": "en"},
                 {"status": "deferred", "suppression_reason": "quiet_hours", "kind": "stuck",
                  "send_at": datetime(2026, 11, 26, 12, 30, tzinfo=timezone.utc), "recipient": "jon@example.com"},
                 {"status": "suppressed", "suppression_reason": "cap", "kind": "running_late", "channel": "sms",
                  "recipient": "+4915123456789"},
                 {"status": "suppressed", "suppression_reason": "opted_out", "channel": "whatsapp", "recipient": "+4915123456789"},
                 {"status": "failed", "error": f"550 mailbox unavailable {EVIL}", "recipient": "jon@example.com"})
    other = fixture_json("shopify/orders_create.json")
    other.update(id=77, name="#OTHER-7", email="someone@other.example")
    post_shopify(client, "orders/create", other, shop=OTHER)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [other_order] = [o for o in uow.repo.orders() if o.name == "#OTHER-7"]
        other_id = other_order.id
    add_messages(rt, other_id, OTHER, {"status": "sent", "recipient": "someone@other.example", "sent_at": T0})
    yield order_id


def test_the_send_log_lists_the_shops_messages_newest_first_in_plain_words(client, rt: Runtime, populated: int) -> None:
    text = page(client)
    rows = log_rows(text)
    assert [re.search(r'data-message="([^"]+)"', r).group(1) for r in rows] == \
        ["damaged", "late", "late", "running_late", "stuck", "late"]  # newest first
    damaged, failed, opted_out, cap, quiet, sent = rows
    assert "Damaged" in damaged and "25 Nov 13:00 UTC" in damaged
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failed and "550 mailbox unavailable" in failed
    assert "Not sent: the customer unsubscribed" in opted_out and "+49*********89" in opted_out
    assert "WhatsApp" in opted_out and "+4915123456789" not in text
    assert "at most 1 per order and 3 per customer a day" in cap
    assert "Waits for the end of the customer&#39;s quiet hours (07:30 their time)" in quiet
    assert "Goes Thu 26 Nov 12:30 UTC" in quiet
    assert "j***@example.com" in sent and "jon@example.com" not in text and "25 Nov 12:00 UTC" in sent
    assert "<td>English</td>" in sent  # the language it was written in
    assert "/admin/shipments?shop=teashop.myshopify.com&amp;q=%239999" in sent  # the order, on the shipments page
    assert "<script>alert" not in text
    assert "#OTHER-7" not in text and "someone@other.example" not in text and OTHER not in text  # never another shop
    summary = text.split('id="message-summary"')[1].split("</section>")[0]
    assert "data-told>1<" in summary and "1 customer told" in summary and "data-median>4 min<" in summary
    assert 'data-message-count="suppressed"' in summary and "suppressed: 2" in summary
    assert "/admin/messages?shop=teashop.myshopify.com&amp;status=suppressed#messages" in summary
    assert "data-log-total>6 messages, newest first" in text
    other = page(client, OTHER)
    assert len(log_rows(other)) == 1 and "#OTHER-7" in other and "#9999" not in other


def test_the_send_log_filters_keep_the_shop_and_say_when_nothing_matches(client, rt: Runtime, populated: int) -> None:
    only = lambda **f: [re.search(r'data-message="([^"]+)"', r).group(1) for r in log_rows(page(client, **f))]  # noqa: E731
    assert only(status="suppressed") == ["late", "running_late"]
    assert only(reason="cap") == ["running_late"]
    assert only(channel="whatsapp") == ["late"]
    assert only(kind="stuck") == ["stuck"]
    assert only(status="suppressed", channel="sms") == ["running_late"]
    text = page(client, status="suppressed")
    assert '<input type="hidden" name="shop" value="teashop.myshopify.com">' in text  # the GET form keeps the shop
    assert '<option value="suppressed" selected>' in text and "data-log-total>2 of 6 messages" in text
    assert "Clear filters" in text
    none = page(client, status="bounced")
    assert log_rows(none) == [] and "No message matches these filters" in none and "Show every message" in none
    wrong = page(client, status=EVIL)
    assert "There is no status “&lt;script&gt;alert(1)&lt;/script&gt;”: showing every status." in wrong
    assert len(log_rows(wrong)) == 6 and "<script>alert" not in wrong


def test_the_send_log_pages_through_many_messages(client, rt: Runtime, populated: int) -> None:
    add_messages(rt, populated, SHOP, *({"status": "sent", "kind": "shipped", "recipient": "jon@example.com"}
                                        for _ in range(54)))  # 60 in all: three pages of 25
    first = page(client)
    assert len(log_rows(first)) == 25 and "Page 1 of 3" in first and "Newer" not in first
    assert "/admin/messages?shop=teashop.myshopify.com&amp;page=2#messages" in first
    last = page(client, page="3")
    assert len(log_rows(last)) == 10 and "Page 3 of 3" in last and 'data-message="damaged"' not in last
    assert 'data-message="late"' in last and "Older" not in last
    assert "Page 3 of 3" in page(client, page="99")  # past the end: the last page
    filtered = page(client, kind="shipped", page="2")
    assert "Page 2 of 3" in filtered
    assert "/admin/messages?shop=teashop.myshopify.com&amp;page=3&amp;kind=shipped#messages" in filtered
    assert "“x” is not a page number" in page(client, page="x")


def test_a_message_planned_days_ahead_sorts_by_when_it_went(client, rt: Runtime, populated: int) -> None:
    add_messages(rt, populated, SHOP, {"status": "delivered", "kind": "survey", "recipient": "jon@example.com",
                                       "sent_at": T0 + timedelta(days=2)})  # recorded at T0
    rows = log_rows(page(client))
    assert 'data-message="survey"' in rows[0] and "27 Nov 12:00 UTC" in rows[0]  # recorded first, went last
