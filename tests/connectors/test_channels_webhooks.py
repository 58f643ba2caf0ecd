"""Delivery webhooks, verified and mapped (pure): Twilio status callbacks signed with X-Twilio-Signature (computed
with the SDK's RequestValidator and a test Auth Token, the validator itself checked against Twilio's published
example), inbound STOP replies, and SendGrid's signed event batches (ECDSA P-256: SendGrid's own signed sample,
and SendGrid's documented events signed with a test key)."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from twilio.request_validator import RequestValidator

from connectors.channels import DeliveryUpdate
from connectors.channels.webhooks import (InboundKeyword, InvalidWebhook, sendgrid_events, twilio_inbound_keyword,
                                          twilio_inbound_stop, twilio_status)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"
TOKEN = "test-auth-token"
CALLBACK = "https://forewarn.example/webhooks/twilio/status?shop=7&forewarn_key=incident%3A12%3Alate%3Asms"
SID = "SM1342fe1b2c904d1ab04f0fc7a58abca9"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def signed(params: dict[str, str], url: str = CALLBACK, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def callback(**changes: str) -> dict[str, str]:
    params = dict(fixture("twilio_status_sent.json"))
    params.update(changes)
    return params


# -- Twilio status callbacks --------------------------------------------------------------------------------


def test_the_sdk_validator_reproduces_twilios_published_signature() -> None:
    params = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "From": "+14158675309", "To": "+18005551212",
              "Caller": "+14158675309"}
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert RequestValidator("12345").compute_signature(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_sent_callback_is_not_final_news() -> None:
    params = callback()
    assert twilio_status(params, CALLBACK, signed(params), TOKEN) is None


def test_a_delivered_callback_names_the_message_by_sid_and_key() -> None:
    params = callback(MessageStatus="delivered", SmsStatus="delivered", To="+4915123456789",
                      RawDlrDoneDate="2608121530")
    assert twilio_status(params, CALLBACK, signed(params), TOKEN) == DeliveryUpdate(
        provider="twilio", status="delivered", provider_id=SID, forewarn_key="incident:12:late:sms",
        reason=None, event_id=f"{SID}:delivered", recipient="+4915123456789")


@pytest.mark.parametrize(("status", "code", "expected"), [
    ("undelivered", "30005", "bounced"),    # unknown destination handset
    ("undelivered", "30006", "bounced"),    # landline or unreachable carrier
    ("undelivered", "30003", "failed"),     # unreachable handset (switched off): not the number's fault
    ("failed", "30007", "failed"),          # carrier filtering
    ("failed", "21610", "unsubscribed"),    # the customer texted STOP
])
def test_a_failed_callback_says_why(status: str, code: str, expected: str) -> None:
    params = callback(MessageStatus=status, SmsStatus=status, ErrorCode=code)
    update = twilio_status(params, CALLBACK, signed(params), TOKEN)
    assert update is not None and update.status == expected
    assert update.reason == f"{status} Twilio error {code}" and update.event_id == f"{SID}:{status}"


def test_a_whatsapp_read_receipt_counts_as_delivered() -> None:
    params = callback(MessageStatus="read", SmsStatus="read", EventType="READ", ChannelPrefix="whatsapp",
                      To="whatsapp:+4915123456789")
    update = twilio_status(params, CALLBACK, signed(params), TOKEN)
    assert update is not None and update.status == "delivered" and update.recipient == "whatsapp:+4915123456789"


def test_a_whatsapp_failure_keeps_the_channels_words() -> None:
    params = callback(MessageStatus="failed", SmsStatus="failed", ErrorCode="63016",
                      ChannelStatusMessage="Failed to send freeform message because you are outside the window")
    update = twilio_status(params, CALLBACK, signed(params), TOKEN)
    assert update is not None and update.status == "failed"
    assert update.reason == ("failed Twilio error 63016 Failed to send freeform message because you are outside "
                             "the window")


def test_a_callback_to_a_url_without_the_key_is_named_by_sid_alone() -> None:
    url = "https://forewarn.example/webhooks/twilio/status"
    params = callback(MessageStatus="delivered")
    update = twilio_status(params, url, signed(params, url), TOKEN)
    assert update is not None and update.provider_id == SID and update.forewarn_key is None


def test_twilio_signs_with_or_without_the_default_port() -> None:
    params = callback(MessageStatus="delivered")
    with_port = CALLBACK.replace("forewarn.example/", "forewarn.example:443/")
    assert twilio_status(params, CALLBACK, signed(params, with_port), TOKEN) is not None


@pytest.mark.parametrize("tamper", ["status", "url", "token", "missing"])
def test_a_callback_that_twilio_did_not_sign_is_refused(tamper: str) -> None:
    params = callback(MessageStatus="undelivered", ErrorCode="30005")
    signature = signed(params)
    url, token = CALLBACK, TOKEN
    if tamper == "status":
        params["MessageStatus"] = "delivered"
    elif tamper == "url":
        url = CALLBACK.replace("incident%3A12", "incident%3A13")  # someone else's message
    elif tamper == "token":
        signature = signed(params, token="another-accounts-token")
    else:
        signature = ""
    with pytest.raises(InvalidWebhook) as raised:
        twilio_status(params, url, signature, token)
    assert raised.value.reason == "bad_signature"


def test_without_the_shops_auth_token_nothing_is_trusted() -> None:
    params = callback()
    with pytest.raises(InvalidWebhook) as raised:
        twilio_status(params, CALLBACK, signed(params), "")
    assert raised.value.reason == "no_secret"


def test_a_signed_callback_without_a_message_is_malformed() -> None:
    params = {"AccountSid": "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "MessageStatus": "delivered"}
    with pytest.raises(InvalidWebhook) as raised:
        twilio_status(params, CALLBACK, signed(params), TOKEN)
    assert raised.value.reason == "malformed"


# -- inbound STOP -------------------------------------------------------------------------------------------


def test_a_stop_reply_gives_the_customers_number() -> None:
    assert twilio_inbound_stop(fixture("twilio_inbound_stop.json")) == "+15558675310"


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel", "END", "quit!",
                                  "REVOKE", "optout"])
def test_every_twilio_opt_out_keyword_counts_in_any_case(body: str) -> None:
    params = {**fixture("twilio_inbound_stop.json"), "Body": body}
    assert twilio_inbound_stop(params) == "+15558675310"


@pytest.mark.parametrize("body", ["stop sending me these", "Please STOP", "START", "UNSTOP", "HELP", "Where is my parcel?",
                                  "", "stopp"])
def test_other_replies_are_not_an_opt_out(body: str) -> None:
    assert twilio_inbound_stop({**fixture("twilio_inbound_stop.json"), "Body": body}) is None


def test_twilios_advanced_opt_out_marks_the_shops_own_keywords() -> None:
    params = {**fixture("twilio_inbound_stop.json"), "Body": "ARRET", "OptOutType": "STOP"}
    assert twilio_inbound_stop(params) == "+15558675310"
    assert twilio_inbound_stop({**params, "OptOutType": "START", "Body": "START"}) is None


def test_a_whatsapp_stop_keeps_the_whatsapp_address() -> None:
    params = {**fixture("twilio_inbound_stop.json"), "From": "whatsapp:+15558675310", "Body": "stop"}
    assert twilio_inbound_stop(params) == "whatsapp:+15558675310"
    assert twilio_inbound_stop({"Body": "STOP"}) is None


# -- inbound START ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["START", "start", " Start ", "UNSTOP", "unstop", "YES", "yes", "\tYes\n"])
def test_every_twilio_opt_in_keyword_is_a_start_in_any_case(body: str) -> None:
    params = {**fixture("twilio_inbound_stop.json"), "Body": body}
    assert twilio_inbound_keyword(params) == InboundKeyword("start", "+15558675310")
    assert twilio_inbound_stop(params) is None


@pytest.mark.parametrize("body", ["Start!", "start.", "yes please", "Yes, thanks", "START ME", "restart", "y", ""])
def test_a_start_is_read_exactly_as_twilio_reads_it(body: str) -> None:
    assert twilio_inbound_keyword({**fixture("twilio_inbound_stop.json"), "Body": body}) is None


def test_twilios_advanced_opt_out_marks_the_shops_own_opt_in_keywords() -> None:
    params = {**fixture("twilio_inbound_stop.json"), "Body": "REPRENDRE", "OptOutType": "START"}
    assert twilio_inbound_keyword(params) == InboundKeyword("start", "+15558675310")
    assert twilio_inbound_keyword({**params, "OptOutType": "HELP", "Body": "HELP"}) is None


def test_stop_and_start_come_from_one_reading_of_the_message() -> None:
    params = {**fixture("twilio_inbound_stop.json"), "From": "whatsapp:+15558675310"}
    assert twilio_inbound_keyword({**params, "Body": "Stop!"}) == InboundKeyword("stop", "whatsapp:+15558675310")
    assert twilio_inbound_keyword({**params, "Body": "unstop"}) == InboundKeyword("start", "whatsapp:+15558675310")
    assert twilio_inbound_keyword({"Body": "START"}) is None  # no sender: nobody to opt back in


# -- SendGrid signed event webhook --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public(key: ec.EllipticCurvePrivateKey) -> str:
    """The verification key as SendGrid's Mail Settings show it: base64 DER, no PEM lines."""
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sign(key: ec.EllipticCurvePrivateKey, body: bytes, timestamp: str = "1700000000") -> str:
    return base64.b64encode(key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()


def documented_events(**custom_args: str) -> bytes:
    events = fixture("sendgrid_events.json")
    for event in events:
        event.update(custom_args)  # SendGrid copies a message's custom_args into each of its events
    return json.dumps(events).encode()


def test_sendgrids_own_signed_sample_verifies_and_maps() -> None:
    sample = fixture("sendgrid_signed_event.json")
    [update] = sendgrid_events(sample["body"].encode(), sample["signature"], sample["timestamp"], sample["public_key"])
    assert update == DeliveryUpdate(
        provider="sendgrid", status="bounced", provider_id="LRzXl_NHStOGhQ4kofSm_A", forewarn_key=None,
        reason="dropped: Bounced Address", event_id="ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
        occurred_at=datetime(2020, 9, 14, 19, 41, 32, tzinfo=timezone.utc), recipient="hello@world.com")


def test_the_documented_events_map_to_final_news_in_order(key: ec.EllipticCurvePrivateKey) -> None:
    body = documented_events(forewarn_key="incident:12:late:email")
    updates = sendgrid_events(body, sign(key, body), "1700000000", public(key))
    assert [(u.status, u.reason) for u in updates] == [
        ("bounced", "dropped: Bounced Address"),
        ("delivered", None),
        ("bounced", "bounce 500 unknown recipient (5.0.0)"),
        ("failed", "blocked 500 unknown recipient (5.0.0)"),
        ("complained", "marked as spam"),
        ("unsubscribed", "unsubscribed from all email"),
        ("unsubscribed", "unsubscribed from group 10"),
    ]  # processed, deferred, open, click and group_resubscribe say nothing final
    assert {u.provider_id for u in updates} == {"14c5d75ce93.dfd.64b469"}  # the X-Message-Id part
    assert {u.forewarn_key for u in updates} == {"incident:12:late:email"}
    assert {u.recipient for u in updates} == {"example@test.com"}
    assert updates[1].event_id == "rWVYmVk90MjZJ9iohOBa3w=="
    assert updates[1].occurred_at == datetime(2017, 12, 15, 0, 59, 29, tzinfo=timezone.utc)


def test_dropped_reasons_say_what_the_address_is(key: ec.EllipticCurvePrivateKey) -> None:
    events = [{"event": "dropped", "reason": reason, "email": "a@customer.example", "forewarn_key": "k",
               "sg_event_id": str(i), "timestamp": 1700000000}
              for i, reason in enumerate(["Unsubscribed Address", "Spam Reporting Address", "Invalid", "Bounced Address"])]
    body = json.dumps(events).encode()
    assert [u.status for u in sendgrid_events(body, sign(key, body), "1700000000", public(key))] == [
        "unsubscribed", "complained", "failed", "bounced"]


def test_an_event_that_names_no_message_is_left_out(key: ec.EllipticCurvePrivateKey) -> None:
    body = json.dumps([{"event": "delivered", "email": "a@customer.example", "timestamp": 1700000000}]).encode()
    assert sendgrid_events(body, sign(key, body), "1700000000", public(key)) == []


def test_a_pem_verification_key_is_accepted(key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    body = documented_events()
    assert len(sendgrid_events(body, sign(key, body), "1700000000", pem)) == 7


@pytest.mark.parametrize("tamper", ["body", "timestamp", "other key", "not base64", "empty", "no timestamp"])
def test_a_batch_sendgrid_did_not_sign_is_refused(key: ec.EllipticCurvePrivateKey, tamper: str) -> None:
    body = documented_events()
    signature, timestamp, verification_key = sign(key, body), "1700000000", public(key)
    if tamper == "body":
        body = body.replace(b'"bounce"', b'"delivered"')
    elif tamper == "timestamp":
        timestamp = "1700000001"
    elif tamper == "other key":
        verification_key = public(ec.generate_private_key(ec.SECP256R1()))
    elif tamper == "not base64":
        signature = "%%% not a signature %%%"
    elif tamper == "empty":
        signature = ""
    else:
        timestamp = ""
    with pytest.raises(InvalidWebhook) as raised:
        sendgrid_events(body, signature, timestamp, verification_key)
    assert raised.value.reason == "bad_signature"


def test_the_sdk_sample_fails_under_another_key() -> None:
    sample = fixture("sendgrid_signed_event.json")
    other = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7G"
             "jUuFDb/R1NGe1OPzpA==")  # the SDK test's "bad key"
    with pytest.raises(InvalidWebhook, match="bad_signature"):
        sendgrid_events(sample["body"].encode(), sample["signature"], sample["timestamp"], other)


@pytest.mark.parametrize(("verification_key", "reason"), [("", "no_secret"), ("not a key", "unusable_key"),
                                                         ("QUJDRA==", "unusable_key")])
def test_a_missing_or_unreadable_verification_key_trusts_nothing(key: ec.EllipticCurvePrivateKey,
                                                                 verification_key: str, reason: str) -> None:
    body = documented_events()
    with pytest.raises(InvalidWebhook) as raised:
        sendgrid_events(body, sign(key, body), "1700000000", verification_key)
    assert raised.value.reason == reason


@pytest.mark.parametrize("body", [b"not json", b'{"event": "delivered"}', b"\xff\xfe"])
def test_a_signed_body_that_is_not_an_event_list_is_malformed(key: ec.EllipticCurvePrivateKey, body: bytes) -> None:
    with pytest.raises(InvalidWebhook) as raised:
        sendgrid_events(body, sign(key, body), "1700000000", public(key))
    assert raised.value.reason == "malformed"
