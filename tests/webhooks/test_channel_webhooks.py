"""Message providers' webhooks through the Flask app: Twilio status callbacks signed with the SDK's RequestValidator
at the very URL sms_twilio.py gives Twilio (key percent-encoded), inbound STOP replies honoured on email too
(through the real message flow and SMTP server of test_messages.py), inbound START replies that let new texts go
(through the same flow, Twilio's Message resource answered by `responses`) but never lift an email's unsubscribe, and SendGrid's Signed Event Webhook —
SendGrid's own signed sample, and its documented events signed with a test P-256 key as SendGrid signs them
(ECDSA SHA-256 over the timestamp followed by the body, base64 DER). A refusal changes nothing."""
from __future__ import annotations

import base64
import dataclasses
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from connectors.channels.sms_twilio import with_key
from core.adapters import links
from core.domain.events import IncidentOpened
from core.domain.model import Message, MessageAttempt, OptOut, Order
from jobs.runtime import Runtime
from tests.smtp import Inbox
from tests.support import damaged_parcel, install_shop, run_jobs
from tests.webhooks.conftest import Clock
from tests.webhooks.test_messages import all_messages
from webhooks.channels import EVENT_PUBLIC_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"
TOKEN = "test-auth-token"
ACCOUNT = "AC" + "0" * 32
SID = "SM1342fe1b2c904d1ab04f0fc7a58abca9"  # the SID in Twilio's sample callback
SMS_KEY = "incident:12:damaged:sms"
EMAIL_KEY = "incident:12:damaged:email"
X_MESSAGE_ID = "14c5d75ce93.dfd.64b469"  # the X-Message-Id part of the documented events' sg_message_id
STATUS_URL = "https://forewarn.example/webhooks/twilio/status"  # what jobs/messages.py gives the channel
CUSTOMER = "+15558675310"  # the sender of Twilio's sample STOP
SG_TIMESTAMP = "1700000000"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# -- a shop with providers, an order and its messages -----------------------------------------------------------


def connect(rt: Runtime, shop_id: int, *, twilio_token: str | None = TOKEN,
            event_public_key: str | None = None) -> None:
    """The shop's providers as the admin stores them: kind and encrypted credentials per channel."""
    providers = {}
    if twilio_token is not None:
        providers["sms"] = {"kind": "sms_twilio", "ciphertext": rt.cipher.encrypt(json.dumps(
            {"account_sid": ACCOUNT, "auth_token": twilio_token, "from": "+15017250604"}))}
    if event_public_key is not None:
        providers["email"] = {"kind": "email_sendgrid", "ciphertext": rt.cipher.encrypt(json.dumps(
            {"api_key": "SG.test", "sender_address": "news@teashop.example", EVENT_PUBLIC_KEY: event_public_key}))}
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(shop_id)
        shop.messaging = {**(shop.messaging or {}), "providers": providers}
        uow.commit()



@dataclasses.dataclass
class Sent:
    shop_id: int
    order_id: int
    sms_id: int
    email_id: int


@pytest.fixture
def sent(rt: Runtime, signing_key: ec.EllipticCurvePrivateKey) -> Sent:
    """One order's damaged-parcel notice, sent by SMS through Twilio and by email through SendGrid."""
    shop_id = install_shop(rt)
    connect(rt, shop_id, event_public_key=public(signing_key))
    now = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
    with rt.uow() as uow:
        order = Order(shop_id=shop_id, platform_order_id="450789469", name="#1001", placeholder=False,
                      email="jon@example.com", phone=CUSTOMER, created_at=now, updated_at=now)
        uow.repo.add(order)
        uow.repo.flush()
        sms = Message(shop_id=shop_id, order_id=order.id, kind="damaged", channel="sms", idempotency_key=SMS_KEY,
                      created_at=now, recipient=CUSTOMER, status="sent", provider="twilio", provider_id=SID,
                      sent_at=now)
        email = Message(shop_id=shop_id, order_id=order.id, kind="damaged", channel="email", idempotency_key=EMAIL_KEY,
                        created_at=now, recipient="jon@example.com", status="sent", provider="sendgrid",
                        provider_id=X_MESSAGE_ID, sent_at=now)
        uow.repo.add(sms)
        uow.repo.add(email)
        uow.commit()
        return Sent(shop_id, order.id, sms.id, email.id)


def message(rt: Runtime, message_id: int) -> Message:
    with rt.uow() as uow:
        found = uow.session.get(Message, message_id)
        uow.session.expunge(found)
        return found


def attempts(rt: Runtime, message_id: int) -> list[tuple[str, str | None]]:
    with rt.uow() as uow:
        rows = uow.session.scalars(select(MessageAttempt).where(MessageAttempt.message_id == message_id)
                                   .order_by(MessageAttempt.id))
        return [(a.outcome, a.error) for a in rows]


def opt_outs(rt: Runtime) -> list[tuple[str, str]]:
    with rt.uow() as uow:
        return [(o.address, o.source) for o in uow.session.scalars(select(OptOut).order_by(OptOut.id))]


# -- Twilio status callbacks -------------------------------------------------------------------------------------


def twilio_callback(client, url: str, token: str = TOKEN, signature: str | None = None,  # type: ignore[no-untyped-def]
                    **changes: str):
    """Twilio's sample callback with `changes`, posted to `url` (full, as Twilio requests it) and signed."""
    params = {**fixture("twilio_status_sent.json"), **changes}
    signature = RequestValidator(token).compute_signature(url, params) if signature is None else signature
    scheme_host, path = url.split("/webhooks/", 1)
    return client.post("/webhooks/" + path, data=params, base_url=scheme_host,
                       headers={"X-Twilio-Signature": signature})


def callback_url(key: str = SMS_KEY) -> str:
    """The status callback sms_twilio.py gives Twilio: forewarn_key percent-encoded (incident%3A12…)."""
    return with_key(STATUS_URL, key)


def test_a_signed_delivered_callback_marks_the_sms_delivered(client, rt: Runtime, sent: Sent) -> None:
    assert "%3A" in callback_url()
    answer = twilio_callback(client, callback_url(), MessageStatus="delivered", SmsStatus="delivered", To=CUSTOMER)
    assert answer.status_code == 204
    assert message(rt, sent.sms_id).status == "delivered"
    assert attempts(rt, sent.sms_id) == [("delivered", None)]


def test_a_callback_without_the_key_is_matched_by_its_message_sid(client, rt: Runtime, sent: Sent) -> None:
    assert twilio_callback(client, STATUS_URL, MessageStatus="delivered").status_code == 204
    assert message(rt, sent.sms_id).status == "delivered"


@pytest.mark.parametrize(("status", "code", "expected", "outcome"), [
    ("undelivered", "30003", "failed", "failed"),   # handset unreachable: not the number's fault
    ("failed", "30007", "failed", "failed"),        # carrier filtering
    ("undelivered", "30005", "bounced", "bounced"),  # unknown handset: the number is no good
])
def test_a_failed_callback_records_why(client, rt: Runtime, sent: Sent, status: str, code: str, expected: str,
                                       outcome: str) -> None:
    answer = twilio_callback(client, callback_url(), MessageStatus=status, SmsStatus=status, ErrorCode=code)
    assert answer.status_code == 204
    stored = message(rt, sent.sms_id)
    assert stored.status == expected and stored.error == f"{status} Twilio error {code}"
    assert attempts(rt, sent.sms_id) == [(outcome, f"{status} Twilio error {code}")]


def test_twilios_21610_fails_the_message_and_opts_the_customer_out(client, rt: Runtime, sent: Sent) -> None:
    twilio_callback(client, callback_url(), MessageStatus="failed", SmsStatus="failed", ErrorCode="21610")
    assert message(rt, sent.sms_id).status == "failed"
    assert opt_outs(rt) == [(CUSTOMER, "provider")]


@pytest.mark.parametrize("tamper", ["signature", "other account", "other message", "unsigned"])
def test_a_callback_twilio_did_not_sign_changes_nothing(client, rt: Runtime, sent: Sent, tamper: str) -> None:
    params = {"MessageStatus": "delivered", "SmsStatus": "delivered"}
    if tamper == "signature":
        answer = twilio_callback(client, callback_url(), signature="RSOYDt4T1cUTdK1PDd93/VVr8B8=", **params)
    elif tamper == "other account":
        answer = twilio_callback(client, callback_url(), token="another-accounts-token", **params)
    elif tamper == "other message":  # signed for one URL, replayed at another message's
        signature = RequestValidator(TOKEN).compute_signature(callback_url("incident:13:damaged:sms"),
                                                              {**fixture("twilio_status_sent.json"), **params})
        answer = twilio_callback(client, callback_url(), signature=signature, **params)
    else:
        answer = twilio_callback(client, callback_url(), signature="", **params)
    assert answer.status_code == 401
    assert message(rt, sent.sms_id).status == "sent" and attempts(rt, sent.sms_id) == []


def test_a_callback_for_no_known_message_is_refused(client, rt: Runtime, sent: Sent) -> None:
    answer = twilio_callback(client, callback_url("incident:99:late:sms"), MessageStatus="delivered",
                             MessageSid="SM" + "f" * 32, SmsSid="SM" + "f" * 32)
    assert answer.status_code == 401
    assert message(rt, sent.sms_id).status == "sent" and attempts(rt, sent.sms_id) == []


def test_a_shop_without_twilio_credentials_is_refused(client, rt: Runtime, sent: Sent) -> None:
    connect(rt, sent.shop_id, twilio_token=None)
    assert twilio_callback(client, callback_url(), MessageStatus="delivered").status_code == 401
    assert message(rt, sent.sms_id).status == "sent"


def test_late_news_never_downgrades_a_delivered_message(client, rt: Runtime, sent: Sent) -> None:
    twilio_callback(client, callback_url(), MessageStatus="delivered", SmsStatus="delivered")
    for late in ("sent", "queued", "failed", "delivered"):  # out of order, or the same callback again
        assert twilio_callback(client, callback_url(), MessageStatus=late, SmsStatus=late).status_code == 204
    assert message(rt, sent.sms_id).status == "delivered"
    assert attempts(rt, sent.sms_id) == [("delivered", None)]


def test_behind_a_proxy_the_public_url_is_the_one_verified(rt: Runtime, sent: Sent) -> None:
    from web import create_app

    rt.settings = dataclasses.replace(rt.settings, proxy_hops=1)
    client = create_app({"TESTING": True}, runtime=rt).test_client()
    params = {**fixture("twilio_status_sent.json"), "MessageStatus": "delivered"}
    query = callback_url().split("?", 1)[1]
    answer = client.post(f"/webhooks/twilio/status?{query}", data=params, base_url="http://10.0.0.5:8000",
                         headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(callback_url(),
                                                                                                  params),
                                  "X-Forwarded-Proto": "https", "X-Forwarded-Host": "forewarn.example"})
    assert answer.status_code == 204 and message(rt, sent.sms_id).status == "delivered"


# -- inbound STOP ---------------------------------------------------------------------------------------------


def twilio_inbound(client, shop_id: int, token: str = TOKEN, **changes: str):  # type: ignore[no-untyped-def]
    url = f"https://forewarn.example/webhooks/twilio/inbound/{shop_id}"
    params = {**fixture("twilio_inbound_stop.json"), **changes}
    return client.post(f"/webhooks/twilio/inbound/{shop_id}", data=params, base_url="https://forewarn.example",
                       headers={"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)})




def test_a_stop_reply_stops_the_customers_email_too(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    answers = []

    def customer_texts_stop() -> None:
        with rt.uow() as uow:
            shop_id = uow.repo.orders()[0].shop_id
        connect(rt, shop_id)
        answers.append(twilio_inbound(client, shop_id))

    damaged_parcel(client, rt, before_report=customer_texts_stop, financial_status="pending", phone=CUSTOMER)
    [answer] = answers
    assert answer.status_code == 200 and answer.mimetype == "text/xml" and answer.text.endswith("<Response/>")
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]
    run_jobs(rt.redis)  # the damaged parcel's notice goes by email, to jon@example.com
    [notice] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert notice.channel == "email" and notice.status == "suppressed" and notice.suppression_reason == "opted_out"
    assert inbox.messages == []


def test_a_whatsapp_stop_is_recorded_as_the_bare_number(client, rt: Runtime, sent: Sent) -> None:
    assert twilio_inbound(client, sent.shop_id, From=f"whatsapp:{CUSTOMER}", Body="stop").status_code == 200
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]


def test_other_replies_are_answered_and_not_recorded(client, rt: Runtime, sent: Sent) -> None:
    answer = twilio_inbound(client, sent.shop_id, Body="Where is my parcel?")
    assert answer.status_code == 200 and answer.text.endswith("<Response/>") and opt_outs(rt) == []


def test_a_stop_not_signed_with_the_shops_token_is_refused(client, rt: Runtime, sent: Sent) -> None:
    assert twilio_inbound(client, sent.shop_id, token="another-accounts-token").status_code == 401
    assert twilio_inbound(client, 999_999).status_code == 404
    assert opt_outs(rt) == []


# -- inbound START ---------------------------------------------------------------------------------------------

TWILIO_MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
STRANGER = "+15558675399"  # a number no opt-out names


@pytest.fixture
def twilio_api() -> Iterator[responses.RequestsMock]:
    """Twilio's Message resource as the SDK meets it: every message created is answered as Twilio's sample."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TWILIO_MESSAGES, json=fixture("twilio_message_created.json"), status=201)
        yield mock


def texted(mock: responses.RequestsMock) -> list[str]:
    """To whom the shop sent an SMS through Twilio, in order."""
    return [parse_qs(call.request.body if isinstance(call.request.body, str) else call.request.body.decode())["To"][0]
            for call in mock.calls]


def sms_notice(client, rt: Runtime, *texts: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    """Shopify's sample order (phoned as CUSTOMER, email jon@example.com) at a shop that tells customers by SMS
    through Twilio; `texts` are the customer's replies to the shop's number before its parcel is reported damaged
    and the notice is sent. Returns the shop's id."""
    shop_ids = []

    def customer_replies() -> None:
        with rt.uow() as uow:
            shop = uow.repo.shop_by_id(uow.repo.orders()[0].shop_id)
            shop.messaging = {**(shop.messaging or {}), "channels": ["sms"]}
            uow.commit()
            shop_ids.append(shop.id)
        connect(rt, shop_ids[0])
        for text in texts:
            assert twilio_inbound(client, shop_ids[0], **text).status_code == 200

    damaged_parcel(client, rt, before_report=customer_replies, financial_status="pending", phone=CUSTOMER)
    run_jobs(rt.redis)
    return shop_ids[0]


def another_problem(rt: Runtime, kind: str = "stuck") -> None:
    """A second incident on the same order, planned after whatever the customer texted."""
    with rt.uow() as uow:
        [shipment] = uow.repo.shipments()
        order_id, shipment_id = shipment.order_id, shipment.id
        shop_id = uow.repo.order_by_id(order_id).shop_id
    rt.bus.handle([IncidentOpened(2, shop_id, order_id, shipment_id, kind, "no scan for 3 business days")])
    run_jobs(rt.redis)


def notices(rt: Runtime) -> list[tuple[str, str, str, str | None]]:
    return [(m.kind, m.channel, m.status, m.suppression_reason) for m in all_messages(rt)
            if m.kind in ("damaged", "stuck")]


def test_stop_then_start_lets_new_texts_go_and_leaves_the_suppressed_one_suppressed(
        client, rt: Runtime, clock: Clock, twilio_api: responses.RequestsMock,
        caplog: pytest.LogCaptureFixture) -> None:
    shop_id = sms_notice(client, rt, {"Body": "STOP"})
    assert notices(rt) == [("damaged", "sms", "suppressed", "opted_out")] and texted(twilio_api) == []
    caplog.set_level(logging.INFO, logger="webhooks.channels")

    answer = twilio_inbound(client, shop_id, Body="START")

    assert answer.status_code == 200 and answer.mimetype == "text/xml" and answer.text.endswith("<Response/>")
    assert opt_outs(rt) == []
    [logged] = [r.getMessage() for r in caplog.records if "START" in r.getMessage()]
    assert f"shop {shop_id}: a customer texted START; lifted opt-out" in logged and "(sms_stop, recorded" in logged
    assert CUSTOMER not in caplog.text  # the admin's log says what happened, not to whom
    run_jobs(rt.redis)
    assert texted(twilio_api) == []  # the START sends nothing by itself, and the suppressed notice is not resent
    another_problem(rt)
    assert notices(rt) == [("damaged", "sms", "suppressed", "opted_out"), ("stuck", "sms", "sent", None)]
    assert texted(twilio_api) == [CUSTOMER]


@pytest.mark.parametrize("text", [{"Body": "UNSTOP"}, {"Body": "yes"}, {"Body": " Start "}, {"Body": "start"},
                                  {"Body": "REPRENDRE", "OptOutType": "START"},
                                  {"Body": "Start", "From": f"whatsapp:{CUSTOMER}"}])
def test_every_opt_in_keyword_lifts_the_stop(client, rt: Runtime, sent: Sent, text: dict[str, str]) -> None:
    assert twilio_inbound(client, sent.shop_id, Body="STOP").status_code == 200
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]
    answer = twilio_inbound(client, sent.shop_id, **text)
    assert answer.status_code == 200 and answer.text.endswith("<Response/>") and opt_outs(rt) == []


@pytest.mark.parametrize("body", ["Start!", "yes please", "Where is my parcel?"])
def test_a_reply_that_is_not_exactly_an_opt_in_keyword_lifts_nothing(client, rt: Runtime, sent: Sent,
                                                                      body: str) -> None:
    twilio_inbound(client, sent.shop_id, Body="STOP")
    assert twilio_inbound(client, sent.shop_id, Body=body).status_code == 200
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]


def test_a_start_lifts_the_opt_out_twilio_recorded_with_21610(client, rt: Runtime, sent: Sent) -> None:
    twilio_callback(client, callback_url(), MessageStatus="failed", ErrorCode="21610")
    assert opt_outs(rt) == [(CUSTOMER, "provider")]
    assert twilio_inbound(client, sent.shop_id, Body="START").status_code == 200
    assert opt_outs(rt) == []
    assert message(rt, sent.sms_id).status == "failed"  # what already happened to a message stays


def test_a_start_from_a_number_no_opt_out_names_changes_nothing(client, rt: Runtime, sent: Sent,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    twilio_inbound(client, sent.shop_id, Body="STOP")
    caplog.set_level(logging.INFO, logger="webhooks.channels")
    for _ in range(2):
        answer = twilio_inbound(client, sent.shop_id, From=STRANGER, Body="START")
        # answered as a STOP from any number is: 200 and empty TwiML (Twilio sends its own confirmation)
        assert answer.status_code == 200 and answer.mimetype == "text/xml" and answer.text.endswith("<Response/>")
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]
    assert "a customer texted START; no opt-out was recorded under their number" in caplog.text
    assert STRANGER not in caplog.text


def test_a_start_from_the_same_number_at_another_shop_lifts_only_that_shops(client, rt: Runtime, sent: Sent) -> None:
    other = install_shop(rt, "other-tea.myshopify.com")
    connect(rt, other)
    twilio_inbound(client, sent.shop_id, Body="STOP")
    twilio_inbound(client, other, Body="STOP")
    assert twilio_inbound(client, other, Body="START").status_code == 200
    with rt.uow() as uow:
        assert [(o.shop_id, o.address) for o in uow.session.scalars(select(OptOut))] == [(sent.shop_id, CUSTOMER)]


def test_a_start_not_signed_with_the_shops_token_is_refused_and_lifts_nothing(client, rt: Runtime, sent: Sent) -> None:
    twilio_inbound(client, sent.shop_id, Body="STOP")
    assert twilio_inbound(client, sent.shop_id, token="another-accounts-token", Body="START").status_code == 401
    params = {**fixture("twilio_inbound_stop.json"), "Body": "START"}
    unsigned = client.post(f"/webhooks/twilio/inbound/{sent.shop_id}", data=params,
                           base_url="https://forewarn.example")
    signed_for_stop = client.post(  # a signature Twilio made for the STOP, replayed on a START
        f"/webhooks/twilio/inbound/{sent.shop_id}", data=params, base_url="https://forewarn.example",
        headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(
            f"https://forewarn.example/webhooks/twilio/inbound/{sent.shop_id}", fixture("twilio_inbound_stop.json"))})
    assert unsigned.status_code == 401 and signed_for_stop.status_code == 401
    assert twilio_inbound(client, 999_999, Body="START").status_code == 404
    assert opt_outs(rt) == [(CUSTOMER, "sms_stop")]


def test_a_start_does_not_lift_an_unsubscribe_made_with_the_email_link(
        client, rt: Runtime, clock: Clock, twilio_api: responses.RequestsMock) -> None:
    def unsubscribe_by_email_link(shop_id: int) -> None:
        link = links.unsubscribe_url(rt.settings.base_url, rt.settings.secret_key or "", shop_id, "jon@example.com")
        assert client.post(urlsplit(link).path).status_code == 200

    shop_id = sms_notice(client, rt, {"Body": "STOP"}, {"Body": "START"})
    unsubscribe_by_email_link(shop_id)
    assert opt_outs(rt) == [("jon@example.com", "link")]
    assert twilio_inbound(client, shop_id, Body="STOP").status_code == 200
    assert twilio_inbound(client, shop_id, Body="START").status_code == 200
    assert opt_outs(rt) == [("jon@example.com", "link")]  # the phone's own opt-out went; the email's stays
    another_problem(rt)  # and it still silences this order's customer on every channel, SMS included
    assert [n for n in notices(rt) if n[0] == "stuck"] == [("stuck", "sms", "suppressed", "opted_out")]
    assert texted(twilio_api) == [CUSTOMER]  # only the damage notice, sent while nothing was recorded


# -- SendGrid signed event webhook -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public(key: ec.EllipticCurvePrivateKey) -> str:
    """The verification key as SendGrid's Mail Settings show it: base64 DER."""
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def documented(*kinds: str, **custom_args: str) -> list[dict[str, Any]]:
    """SendGrid's documented events of these kinds (a bounce is its `bounce` type), in this order."""
    events = {e["event"] if e.get("type") != "blocked" else "blocked": e for e in fixture("sendgrid_events.json")}
    return [{**events[kind], **custom_args} for kind in kinds]


def post_events(client, shop_id: int, events: list[dict[str, Any]] | bytes,  # type: ignore[no-untyped-def]
                key: ec.EllipticCurvePrivateKey, *, signature: str | None = None):
    body = events if isinstance(events, bytes) else json.dumps(events).encode()
    if signature is None:
        signature = base64.b64encode(key.sign(SG_TIMESTAMP.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    return client.post(f"/webhooks/sendgrid/events/{shop_id}", data=body, content_type="application/json",
                       headers={"X-Twilio-Email-Event-Webhook-Signature": signature,
                                "X-Twilio-Email-Event-Webhook-Timestamp": SG_TIMESTAMP})


def test_a_signed_bounce_marks_the_email_bounced(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey) -> None:
    answer = post_events(client, sent.shop_id, documented("processed", "bounce", forewarn_key=EMAIL_KEY), signing_key)
    assert answer.status_code == 200 and answer.json == {"events": 1, "applied": 1}
    stored = message(rt, sent.email_id)
    assert stored.status == "bounced" and stored.error == "bounce 500 unknown recipient (5.0.0)"
    assert attempts(rt, sent.email_id) == [("bounced", "bounce 500 unknown recipient (5.0.0)")]


def test_events_without_the_custom_arg_are_matched_by_x_message_id(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey) -> None:
    post_events(client, sent.shop_id, documented("delivered", "bounce"), signing_key)
    assert message(rt, sent.email_id).status == "delivered"  # a bounce after delivery does not undo it
    assert attempts(rt, sent.email_id) == [("delivered", None)]


def test_an_unsubscribe_is_an_opt_out_and_the_message_stays_as_it_was(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey) -> None:
    events = documented("delivered", "unsubscribe", "spamreport", forewarn_key=EMAIL_KEY)
    for event in events:
        event["email"] = "jon@example.com"
    assert post_events(client, sent.shop_id, events, signing_key).status_code == 200
    assert message(rt, sent.email_id).status == "delivered"
    assert opt_outs(rt) == [("jon@example.com", "provider")]


def test_a_drop_for_an_unsubscribed_address_fails_the_message(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey) -> None:
    [event] = documented("dropped", forewarn_key=EMAIL_KEY)
    post_events(client, sent.shop_id, [{**event, "reason": "Unsubscribed Address"}], signing_key)
    stored = message(rt, sent.email_id)
    assert stored.status == "failed" and stored.error == "dropped: Unsubscribed Address"
    assert opt_outs(rt) == [("jon@example.com", "provider")]


def test_sendgrids_own_signed_sample_is_taken(client, rt: Runtime, sent: Sent) -> None:
    sample = fixture("sendgrid_signed_event.json")
    connect(rt, sent.shop_id, event_public_key=sample["public_key"])
    with rt.uow() as uow:
        uow.session.get(Message, sent.email_id).provider_id = "LRzXl_NHStOGhQ4kofSm_A"
        uow.commit()
    answer = client.post(f"/webhooks/sendgrid/events/{sent.shop_id}", data=sample["body"].encode(),
                         content_type="application/json",
                         headers={"X-Twilio-Email-Event-Webhook-Signature": sample["signature"],
                                  "X-Twilio-Email-Event-Webhook-Timestamp": sample["timestamp"]})
    assert answer.status_code == 200
    stored = message(rt, sent.email_id)
    assert stored.status == "bounced" and stored.error == "dropped: Bounced Address"


@pytest.mark.parametrize("tamper", ["body", "other key", "not a signature", "no key stored"])
def test_a_batch_sendgrid_did_not_sign_changes_nothing(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey, tamper: str) -> None:
    events = documented("bounce", "unsubscribe", forewarn_key=EMAIL_KEY)
    body = json.dumps(events).encode()
    key, signature = signing_key, None
    if tamper == "body":
        signature = base64.b64encode(signing_key.sign(SG_TIMESTAMP.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
        body = body.replace(b'"bounce"', b'"delivered"')
    elif tamper == "other key":
        key = ec.generate_private_key(ec.SECP256R1())
    elif tamper == "not a signature":
        signature = "%%% not a signature %%%"
    else:
        connect(rt, sent.shop_id)  # Twilio only: no SendGrid verification key
    assert post_events(client, sent.shop_id, body, key, signature=signature).status_code == 401
    assert message(rt, sent.email_id).status == "sent" and attempts(rt, sent.email_id) == [] and opt_outs(rt) == []


def test_a_signed_body_that_is_not_an_event_batch_is_refused(
        client, rt: Runtime, sent: Sent, signing_key: ec.EllipticCurvePrivateKey) -> None:
    assert post_events(client, sent.shop_id, b'{"event": "bounce"}', signing_key).status_code == 400
    assert post_events(client, sent.shop_id, b"not json", signing_key).status_code == 400
    assert post_events(client, 999_999, [], signing_key).status_code == 404
    assert message(rt, sent.email_id).status == "sent"


def test_a_shops_key_cannot_speak_for_another_shops_messages(client, rt: Runtime, sent: Sent) -> None:
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_shop = install_shop(rt, "othershop.myshopify.com")
    connect(rt, other_shop, event_public_key=public(other_key))
    answer = post_events(client, other_shop, documented("bounce", "unsubscribe", forewarn_key=EMAIL_KEY), other_key)
    assert answer.status_code == 200 and answer.json == {"events": 2, "applied": 0}
    assert message(rt, sent.email_id).status == "sent" and opt_outs(rt) == []
