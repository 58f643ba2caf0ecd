"""/api/v1/messaging and /api/v1/templates: a merchant sets how customers are told, connects providers whose secrets
never come back, edits templates that are checked before they are stored, previews them, sends a test to their
own address through a real SMTP server on 127.0.0.1 — and the admin page shows what was sent, to whom (masked)."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from core.domain.message_copy import COPY
from core.domain.model import Message
from jobs.runtime import Runtime, install_clock
from tests.smtp import Inbox, free_port, running_smtpd
from tests.support import SHOP, damaged_parcel, install_shop, run_jobs, session_token

OTHER = "othershop.myshopify.com"
OWNER = "owner@teashop.example"
TWILIO = {"account_sid": "AC" + "0123456789abcdef" * 2, "auth_token": "twilio-secret-token-123", "from": "+14155550100"}


def bearer(shop: str = SHOP) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop)}"}


def use_smtp(rt: Runtime, port: int) -> None:
    rt.settings = dataclasses.replace(rt.settings, smtp_url=f"smtp://127.0.0.1:{port}?from=updates@teashop.example",
                                      allow_private_network=True)


@pytest.fixture
def inbox(rt: Runtime) -> Iterator[Inbox]:
    box = Inbox()
    with running_smtpd(box) as port:
        use_smtp(rt, port)
        yield box


@pytest.fixture
def daytime() -> Iterator[None]:
    install_clock(lambda: datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))  # 10:00 at the sample address
    yield
    install_clock(None)


def stored_messaging(rt: Runtime, shop: str = SHOP) -> dict:
    with rt.uow() as uow:
        return dict(uow.repo.shop("shopify", shop).messaging or {})


# ---------------------------------------------------------------- settings

def test_settings_start_from_the_defaults_and_round_trip(client, rt: Runtime) -> None:
    install_shop(rt)
    settings = client.get("/api/v1/messaging", headers=bearer()).get_json()
    assert settings["enabled"] is True and settings["channels"] == ["email"] and settings["consent"] == "allowed"
    assert settings["quiet_hours"] == ["21:00", "08:00"] and settings["default_language"] is None
    assert settings["providers"] == {} and settings["summary"] == {"median_seconds_to_told": None, "counts": {}, "told": 0}
    assert settings["provider_kinds"]["sms_twilio"]["channel"] == "sms"
    changes = {"enabled": False, "channels": ["email", "sms", "email"], "consent": "opt_in_required",
               "quiet_hours": None, "per_order_per_day": 1, "per_customer_per_day": 10, "followup_days": 0,
               "sender_name": "Teashop", "reply_to": OWNER, "sms_from": "Teashop", "default_language": "de",
               "providers": {"email": {"kind": "email_smtp", "ciphertext": "forged"}}, "templates": {"late": {}}}
    response = client.patch("/api/v1/messaging", headers=bearer(), json=changes)
    assert response.status_code == 200
    again = client.get("/api/v1/messaging", headers=bearer()).get_json()
    assert {k: again[k] for k in response.get_json() if k != "summary"} == {
        k: v for k, v in response.get_json().items() if k != "summary"}
    assert again["channels"] == ["email", "sms"] and again["quiet_hours"] is None and again["default_language"] == "de"
    assert again["reply_to"] == OWNER and again["followup_days"] == 0 and again["providers"] == {}
    assert "providers" not in stored_messaging(rt) and "templates" not in stored_messaging(rt)  # unknown keys dropped
    client.patch("/api/v1/messaging", headers=bearer(), json={"quiet_hours": ["22:30", "07:00"]})
    assert client.get("/api/v1/messaging", headers=bearer()).get_json()["consent"] == "opt_in_required"  # the rest kept


def test_a_bad_settings_body_is_a_400_naming_each_wrong_field_and_changes_nothing(client, rt: Runtime) -> None:
    install_shop(rt)
    wrong = {"enabled": "sometimes", "channels": ["email", "fax"], "consent": "maybe", "quiet_hours": ["25:00", "08:00"],
             "per_order_per_day": 0, "per_customer_per_day": 11, "followup_days": 31, "reply_to": "not an address",
             "sms_from": "far too long a sender id", "default_language": "xx", "sender_name": "a\r\nBcc: x@y"}
    response = client.patch("/api/v1/messaging", headers=bearer(), json=wrong)
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == set(wrong)
    assert stored_messaging(rt) == {}
    for body in ({"quiet_hours": ["08:00", "08:00"]}, {"quiet_hours": ["08:00"]}, {"per_order_per_day": "3"},
                 {"followup_days": 2.5}):
        bad = client.patch("/api/v1/messaging", headers=bearer(), json=body)
        assert bad.status_code == 400 and list(bad.get_json()["fields"]) == list(body), body


# ---------------------------------------------------------------- providers

def test_a_provider_is_stored_encrypted_and_its_secrets_never_come_back(client, rt: Runtime) -> None:
    install_shop(rt)
    url = "/api/v1/messaging/providers/sms"
    connected = client.put(url, headers=bearer(), json={"kind": "sms_twilio", "credentials": {**TWILIO, "extra": "x"}})
    assert connected.status_code == 200 and connected.get_json() == {"channel": "sms", "kind": "sms_twilio", "connected": True}
    settings = client.get("/api/v1/messaging", headers=bearer())
    assert settings.get_json()["providers"] == {"sms": {"kind": "sms_twilio", "connected": True}}
    assert TWILIO["auth_token"] not in connected.get_data(as_text=True) + settings.get_data(as_text=True)
    stored = stored_messaging(rt)["providers"]["sms"]
    assert TWILIO["auth_token"] not in stored["ciphertext"]
    assert json.loads(rt.cipher.decrypt(stored["ciphertext"])) == TWILIO  # only the kind's own fields are kept
    assert client.delete(url, headers=bearer()).get_json() == {"channel": "sms", "connected": False}
    assert client.get("/api/v1/messaging", headers=bearer()).get_json()["providers"] == {}


def test_an_unknown_or_unusable_provider_is_a_422_that_repeats_no_secret(client, rt: Runtime) -> None:
    install_shop(rt)
    cases = [
        ("sms", {"kind": "carrier_pigeon", "credentials": TWILIO}),
        ("email", {"kind": "sms_twilio", "credentials": TWILIO}),  # a provider for another channel
        ("sms", {"kind": "sms_twilio", "credentials": {**TWILIO, "account_sid": "not-a-sid"}}),
        ("whatsapp", {"kind": "whatsapp_twilio", "credentials": {"account_sid": TWILIO["account_sid"],
                                                                 "auth_token": TWILIO["auth_token"]}}),  # no sender
        ("email", {"kind": "email_sendgrid", "credentials": {"api_key": "SG.secret-key-1", "region": "mars"}}),
        ("email", {"kind": "email_smtp", "credentials": {"smtp_url": "smtp://shop:hunter2-pass@203.0.113.5:25"}}),
    ]
    for channel, body in cases:
        response = client.put(f"/api/v1/messaging/providers/{channel}", headers=bearer(), json=body)
        text = response.get_data(as_text=True)
        assert response.status_code == 422, (body, text)
        assert "error" in response.get_json()
        assert all(secret not in text for secret in ("twilio-secret-token-123", "SG.secret-key-1", "hunter2-pass"))
    assert client.put("/api/v1/messaging/providers/fax", headers=bearer(), json=cases[0][1]).status_code == 404
    assert client.put("/api/v1/messaging/providers/sms", headers=bearer(), json={"kind": "sms_twilio"}).status_code == 400
    assert "providers" not in stored_messaging(rt)


# ---------------------------------------------------------------- templates

def test_templates_are_listed_with_their_variables(client, rt: Runtime) -> None:
    install_shop(rt)
    listed = client.get("/api/v1/templates", headers=bearer()).get_json()
    assert listed["templates"]["damaged"]["es"]["body"] == {"text": COPY["es"]["damaged"]["body"], "edited": False}
    assert set(listed["templates"]) == {k["kind"] for k in listed["kinds"]} and "ar" in listed["languages"]
    assert "order.name" in {v["name"] for v in listed["variables"]} and listed["channels"]["sms"] == ["sms"]
    narrowed = client.get("/api/v1/templates", headers=bearer(), query_string={"kind": "late", "language": "fr"}).get_json()
    assert list(narrowed["templates"]) == ["late"] and list(narrowed["templates"]["late"]) == ["fr"]


def test_an_edit_is_checked_used_by_the_preview_and_deleted_back_to_forewarns_text(client, rt: Runtime) -> None:
    install_shop(rt)
    url = "/api/v1/templates/damaged/en/subject"
    unknown = client.put(url, headers=bearer(), json={"text": "Hi {{ customer.first_name }}\nYour code: {{ secret_code }}"})
    assert unknown.status_code == 422
    [problem] = unknown.get_json()["problems"]
    assert problem["line"] == 2 and "unknown variable 'secret_code'" in problem["reason"]
    for escape in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ order.items.__class__ }}",
                   "{{ cycler.__init__.__globals__.os }}", "{% set x = 1 %}{{ x }}"):
        refused = client.put(url, headers=bearer(), json={"text": escape})
        assert refused.status_code == 422 and refused.get_json()["problems"], escape
    assert client.put(url, headers=bearer(), json={}).status_code == 400
    assert client.put("/api/v1/templates/exploded/en/subject", headers=bearer(), json={"text": "x"}).status_code == 404
    assert client.put("/api/v1/templates/damaged/xx/subject", headers=bearer(), json={"text": "x"}).status_code == 404
    assert client.put("/api/v1/templates/damaged/en/footer", headers=bearer(), json={"text": "x"}).status_code == 404
    assert "templates" not in stored_messaging(rt)

    saved = client.put(url, headers=bearer(), json={"text": "So sorry about {{ order.name }}, {{ customer.first_name }}"})
    assert saved.status_code == 200 and saved.get_json()["edited"] is True
    assert stored_messaging(rt)["templates"] == {"damaged": {"en": {"subject": saved.get_json()["text"]}}}
    listed = client.get("/api/v1/templates", headers=bearer()).get_json()["templates"]["damaged"]["en"]
    assert listed["subject"]["edited"] is True and listed["body"]["edited"] is False
    preview = client.post("/api/v1/templates/preview", headers=bearer(), json={"kind": "damaged", "language": "en"})
    assert preview.status_code == 200
    assert preview.get_json()["subject"].startswith("So sorry about #1001, ")
    assert preview.get_json()["body"] and preview.get_json()["sms"] is None

    restored = client.delete(url, headers=bearer()).get_json()
    assert restored == {"kind": "damaged", "language": "en", "part": "subject", "edited": False,
                        "text": COPY["en"]["damaged"]["subject"]}
    assert "templates" not in stored_messaging(rt)
    preview = client.post("/api/v1/templates/preview", headers=bearer(), json={"kind": "damaged", "language": "en"})
    assert not preview.get_json()["subject"].startswith("So sorry")


def test_a_preview_in_arabic_is_right_to_left_and_a_broken_draft_names_its_line(client, rt: Runtime) -> None:
    install_shop(rt)
    arabic = client.post("/api/v1/templates/preview", headers=bearer(),
                         json={"kind": "late", "language": "ar", "channel": "sms"}).get_json()
    assert arabic["direction"] == "rtl" and arabic["language"] == "ar" and arabic["sms"] and arabic["subject"] is None
    draft = {"kind": "late", "language": "en", "channel": "email",
             "overrides": {"body": "Hello\n\n{{ order.name | shout }}"}}
    broken = client.post("/api/v1/templates/preview", headers=bearer(), json=draft)
    assert broken.status_code == 422
    [problem] = broken.get_json()["problems"]
    assert problem["line"] == 3 and problem["part"] == "body" and "shout" in problem["reason"]
    draft["overrides"] = {"body": "Your {{ order.name }} is late."}
    assert client.post("/api/v1/templates/preview", headers=bearer(), json=draft).get_json()["body"] == "Your #1001 is late."
    assert "templates" not in stored_messaging(rt)  # a draft is never saved
    assert client.post("/api/v1/templates/preview", headers=bearer(), json={"kind": "late"}).status_code == 400


# ---------------------------------------------------------------- test messages

def test_a_test_message_goes_to_the_reply_to_address_and_nowhere_else(client, rt: Runtime, inbox: Inbox) -> None:
    install_shop(rt)
    send = {"kind": "damaged", "language": "de"}
    no_address = client.post("/api/v1/templates/test-send", headers=bearer(), json=send)
    assert no_address.status_code == 422 and "reply-to" in no_address.get_json()["error"] and inbox.messages == []
    client.patch("/api/v1/messaging", headers=bearer(), json={"reply_to": OWNER, "sender_name": "Teashop"})
    sent = client.post("/api/v1/templates/test-send", headers=bearer(), json=send)
    assert sent.status_code == 200 and sent.get_json()["to"] == OWNER
    [mail] = inbox.messages
    assert mail["To"] == OWNER and mail["Subject"].startswith("[Test] ") and "Teashop" in mail["From"]
    assert mail["Content-Language"] == "de" and "#1001" in mail.get_body(preferencelist=("plain",)).get_content()
    stranger = client.post("/api/v1/templates/test-send", headers=bearer(), json={**send, "to": "stranger@example.net"})
    assert stranger.status_code == 403 and len(inbox.messages) == 1
    assert client.post("/api/v1/templates/test-send", headers=bearer(),
                       json={**send, "channel": "sms"}).status_code == 422
    assert client.post("/api/v1/templates/test-send", headers=bearer(), json={**send, "to": OWNER.upper()}).status_code == 200
    for _ in range(8):  # ten an hour per shop
        assert client.post("/api/v1/templates/test-send", headers=bearer(), json=send).status_code == 200
    assert client.post("/api/v1/templates/test-send", headers=bearer(), json=send).status_code == 429
    assert len(inbox.messages) == 10


def test_a_test_message_the_server_cannot_take_is_a_502_and_one_it_refuses_a_422(client, rt: Runtime) -> None:
    install_shop(rt)
    client.patch("/api/v1/messaging", headers=bearer(), json={"reply_to": OWNER})
    send = {"kind": "late", "language": "en"}
    use_smtp(rt, free_port())  # nothing listens there
    down = client.post("/api/v1/templates/test-send", headers=bearer(), json=send)
    assert down.status_code == 502 and "try again" in down.get_json()["error"]
    with running_smtpd(Inbox(rcpt_reply="550 5.1.1 no such mailbox")) as port:
        use_smtp(rt, port)
        refused = client.post("/api/v1/templates/test-send", headers=bearer(), json=send)
    assert refused.status_code == 422 and "no such mailbox" in refused.get_json()["error"]


# ---------------------------------------------------------------- one shop each

def test_each_session_sees_and_changes_only_its_own_shop(client, rt: Runtime) -> None:
    install_shop(rt)
    install_shop(rt, OTHER, token="shpat_other")
    client.patch("/api/v1/messaging", headers=bearer(), json={"reply_to": OWNER, "channels": ["sms"]})
    client.put("/api/v1/templates/late/en/sms", headers=bearer(), json={"text": "Late: {{ order.name }}"})
    client.put("/api/v1/messaging/providers/sms", headers=bearer(), json={"kind": "sms_twilio", "credentials": TWILIO})
    theirs = client.get("/api/v1/messaging", headers=bearer(OTHER)).get_json()
    assert theirs["reply_to"] is None and theirs["channels"] == ["email"] and theirs["providers"] == {}
    their_templates = client.get("/api/v1/templates", headers=bearer(OTHER)).get_json()["templates"]
    assert their_templates["late"]["en"]["sms"]["edited"] is False
    assert client.post("/api/v1/templates/test-send", headers=bearer(OTHER),
                       json={"kind": "late", "language": "en", "to": OWNER}).status_code == 422  # no address of their own yet
    nowhere = "nowhere.myshopify.com"
    for method, url, body in (("get", "/api/v1/messaging", None), ("patch", "/api/v1/messaging", {"enabled": False}),
                              ("put", "/api/v1/messaging/providers/sms", {"kind": "sms_twilio", "credentials": TWILIO}),
                              ("get", "/api/v1/templates", None),
                              ("put", "/api/v1/templates/late/en/sms", {"text": "x"}),
                              ("post", "/api/v1/templates/preview", {"kind": "late", "language": "en"}),
                              ("post", "/api/v1/templates/test-send", {"kind": "late", "language": "en"})):
        assert getattr(client, method)(url, headers=bearer(nowhere), json=body).status_code == 404, url
        assert getattr(client, method)(url, json=body).status_code == 401, url


# ---------------------------------------------------------------- the admin page

def test_the_admin_page_shows_the_send_log_with_masked_recipients(client, rt: Runtime, inbox: Inbox, daytime: None) -> None:
    install_shop(rt)
    order_id, _ = damaged_parcel(client, rt, financial_status="pending")
    run_jobs(rt.redis)
    assert len(inbox.messages) == 1
    with rt.uow() as uow:
        shop_id = uow.repo.shop("shopify", SHOP).id
        now = datetime(2026, 11, 25, 15, 5, tzinfo=timezone.utc)
        uow.repo.add(Message(shop_id=shop_id, order_id=order_id, kind="late", channel="sms", idempotency_key="t:late:sms",
                             created_at=now, updated_at=now, status="failed", recipient="+4915123456789",
                             error="<script>alert(1)</script>"))
        uow.commit()
    page = client.get("/admin/messages", query_string={"shop": SHOP, "id_token": session_token()}).get_data(as_text=True)
    summary = page.split('id="message-summary"')[1].split("</section>")[0]
    assert "1 customer told" in summary
    assert 'data-message-count="sent"' in summary and "failed: 1" in summary
    section = page.split('<section class="card" id="messages"')[1].split("</section>")[0]
    assert "Customer messages" in section
    assert section.index('data-message="late"') < section.index('data-message="damaged"')  # newest first
    assert "j***@example.com" in section and "jon@example.com" not in section
    assert "+49*********89" in section and "+4915123456789" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section and "<script>alert" not in section
    assert "#9999" in section
