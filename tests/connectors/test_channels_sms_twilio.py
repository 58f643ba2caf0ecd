"""The Twilio SMS and WhatsApp channel through Twilio's own SDK (on requests), with `responses` answering as
Twilio's Message resource does (tests/fixtures/channels/): the form the SDK posts is checked, and Twilio's
errors are typed — 21211 Permanent, 21610 OptedOut, 20003 Unauthorized, 429 RateLimited, 5xx Transient."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses

from connectors.channels import OptedOut, OutgoingMessage, SendResult, build
from connectors.channels.sms_twilio import SmsTwilioChannel, with_key
from core.errors import MaybeSent, Permanent, RateLimited, Transient, Unauthorized

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "test-auth-token"
MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
SERVICE = "MG" + "fedcba9876543210" * 2
CALLBACK = "https://forewarn.example/webhooks/twilio/status?shop=7"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def twilio() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def sent_form(mock: responses.RequestsMock, index: int = 0) -> dict[str, list[str]]:
    body = mock.calls[index].request.body
    return parse_qs(body if isinstance(body, str) else body.decode("utf-8"))


def message(**changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = {"to": "+4915123456789", "body": "طردك متأخر يومين. متجر الشاي",
                              "idempotency_key": "incident:12:late:sms"}
    values.update(changes)
    return OutgoingMessage(**values)


def test_an_sms_is_created_from_the_shops_number_with_a_status_callback(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_message_created.json"), status=201)
    sms = SmsTwilioChannel(SID, TOKEN, "+15017122661", status_callback=CALLBACK)

    assert sms.send(message()) == SendResult("twilio", "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "queued")
    request = twilio.calls[0].request
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert sent_form(twilio) == {
        "To": ["+4915123456789"], "From": ["+15017122661"], "Body": ["طردك متأخر يومين. متجر الشاي"],
        "StatusCallback": [f"{CALLBACK}&forewarn_key=incident%3A12%3Alate%3Asms"],
    }


def test_a_messaging_service_sends_without_a_from(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_message_created_with_service.json"), status=201)
    result = SmsTwilioChannel(SID, TOKEN, messaging_service_sid=SERVICE).send(message())
    assert result == SendResult("twilio", "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sent")
    form = sent_form(twilio)
    assert form["MessagingServiceSid"] == [SERVICE] and "From" not in form and "StatusCallback" not in form


def test_a_message_may_name_its_own_sender_id(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_message_created.json"), status=201)
    SmsTwilioChannel(SID, TOKEN, messaging_service_sid=SERVICE).send(message(sender_address="TeaShop"))
    assert sent_form(twilio)["From"] == ["TeaShop"]


def test_whatsapp_writes_both_numbers_as_whatsapp_addresses(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_message_created.json"), status=201)
    whatsapp = SmsTwilioChannel(SID, TOKEN, "+14155238886", whatsapp=True)
    assert whatsapp.send(message(to="whatsapp:+4915123456789")).provider == "twilio_whatsapp"
    form = sent_form(twilio)
    assert form["To"] == ["whatsapp:+4915123456789"] and form["From"] == ["whatsapp:+14155238886"]


def test_an_invalid_number_answered_21211_is_permanent_with_twilios_words(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_error_21211.json"), status=400)
    with pytest.raises(Permanent, match=r"not a valid phone number.*Twilio error 21211") as raised:
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())
    assert not isinstance(raised.value, OptedOut)


def test_a_customer_who_texted_stop_is_opted_out(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_error_21610.json"), status=400)
    with pytest.raises(OptedOut, match="unsubscribed recipient") as raised:
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())
    assert isinstance(raised.value, Permanent) and raised.value.opted_out is True


def test_wrong_credentials_are_unauthorized(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_error_20003.json"), status=401)
    with pytest.raises(Unauthorized, match="20003"):
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())


def test_a_sender_that_is_not_the_accounts_is_the_shops_to_fix(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, status=400, json={"code": 21606, "status": 400,
                                            "message": "The From phone number +15017122661 is not a valid, "
                                                       "SMS-capable inbound phone number or short code for your account.",
                                            "more_info": "https://www.twilio.com/docs/errors/21606"})
    with pytest.raises(Unauthorized, match="21606"):
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())


def test_429_is_rate_limited_for_as_long_as_twilio_asks(twilio: responses.RequestsMock) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_error_20429.json"), status=429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as raised:
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())
    assert raised.value.retry_after == 7.0


@pytest.mark.parametrize("answer", [
    {"status": 500, "json": {"code": 20500, "message": "An internal server error has occurred", "status": 500}},
    {"status": 503, "body": "<html><body>Service Unavailable</body></html>"},
    {"body": requests.ConnectTimeout("connect timed out")},
])
def test_twilio_failing_or_unreachable_is_transient(twilio: responses.RequestsMock, answer: dict[str, Any]) -> None:
    twilio.post(MESSAGES, **answer)
    with pytest.raises(Transient):
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())


@pytest.mark.parametrize("answer", [
    {"body": requests.ConnectionError("connection reset by peer")},
    {"body": requests.ReadTimeout("read timed out")},
])
def test_twilio_silent_after_taking_the_request_may_have_sent_it(twilio: responses.RequestsMock, answer: dict[str, Any]) -> None:
    twilio.post(MESSAGES, **answer)
    with pytest.raises(MaybeSent):  # never retried: the customer never gets the text twice
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())


@pytest.mark.parametrize("number", ["015123456789", "+49 151 23456789", "+0151234567", "call me", "+1"])
def test_a_number_not_in_international_form_is_permanent_before_any_request(twilio: responses.RequestsMock,
                                                                            number: str) -> None:
    with pytest.raises(Permanent, match="international form"):
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message(to=number))
    assert len(twilio.calls) == 0


def test_settings_that_cannot_work_are_the_shops_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)  # Forewarn's own environment is never borrowed for a shop
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "forewarns-own-token")
    with pytest.raises(Unauthorized, match="Account SID"):
        SmsTwilioChannel("", TOKEN, "+15017122661")
    with pytest.raises(Unauthorized, match="Auth Token"):
        SmsTwilioChannel(SID, "", "+15017122661")
    with pytest.raises(Unauthorized, match="sender"):
        SmsTwilioChannel(SID, TOKEN)
    with pytest.raises(Unauthorized, match="Messaging Service SID"):
        SmsTwilioChannel(SID, TOKEN, messaging_service_sid="MG123")


def test_the_callback_url_carries_the_key_once() -> None:
    once = with_key("https://forewarn.example/t?shop=7&forewarn_key=old", "incident:1:late:sms")
    assert once == "https://forewarn.example/t?shop=7&forewarn_key=incident%3A1%3Alate%3Asms"


def test_the_registry_builds_sms_and_whatsapp(twilio: responses.RequestsMock) -> None:
    settings = {"account_sid": SID, "auth_token": TOKEN, "from": "+15017122661"}
    sms = build("sms_twilio", settings, status_callback=CALLBACK)
    assert isinstance(sms, SmsTwilioChannel) and not sms.whatsapp and sms.status_callback == CALLBACK
    whatsapp = build("whatsapp_twilio", {**settings, "messaging_service_sid": SERVICE})
    assert isinstance(whatsapp, SmsTwilioChannel) and whatsapp.whatsapp
    twilio.post(MESSAGES, json=fixture("twilio_message_created.json"), status=201)
    assert whatsapp.send(message()).provider_id == "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert sent_form(twilio)["MessagingServiceSid"] == [SERVICE]
    with pytest.raises(Unauthorized, match="no message channel"):
        build("carrier_pigeon", {})


def test_neither_the_token_nor_the_customer_reach_the_logs(twilio: responses.RequestsMock,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    twilio.post(MESSAGES, json=fixture("twilio_message_created.json"), status=201)
    with caplog.at_level("DEBUG"):
        SmsTwilioChannel(SID, TOKEN, "+15017122661").send(message())
    assert "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" in caplog.text  # the send itself is logged
    assert TOKEN not in caplog.text and "+4915123456789" not in caplog.text and "طردك" not in caplog.text
