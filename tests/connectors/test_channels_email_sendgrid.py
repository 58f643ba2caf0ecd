"""The SendGrid customer-email channel through SendGrid's own SDK (python_http_client on urllib), pointed at a
local HTTP server on 127.0.0.1 that answers with recorded SendGrid responses (tests/fixtures/channels/): what the
SDK sends is checked field by field, and every answer is typed — 202 sent with X-Message-Id, 401/403
Unauthorized, 429 RateLimited, 400 Permanent with SendGrid's message, 5xx, timeouts and refusals Transient."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connectors.channels import OutgoingMessage, SendResult, build
from connectors.channels.email_sendgrid import HOSTS, EmailSendgridChannel
from core.errors import MaybeSent, Permanent, RateLimited, Transient, Unauthorized

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"
API_KEY = "SG.test-key.forewarn"
UNSUBSCRIBE = "https://forewarn.example/u/shop-7/token?l=ar"


def recorded(name: str, **replace: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in replace.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)


class SendGridDouble:
    """A local HTTP server that records each request and answers with the next recorded response."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.delay = 0.0
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                double.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                        "json": json.loads(self.rfile.read(length) or b"null")})
                if double.delay:
                    time.sleep(double.delay)
                answer = double.responses.pop(0)
                body = answer.get("body") or ""
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(answer["status"])
                    for name, value in answer.get("headers", {}).items():
                        if name.lower() not in ("content-length", "connection", "server", "date"):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, response: dict[str, Any]) -> None:
        self.responses.append(response)


@pytest.fixture
def sendgrid() -> Iterator[SendGridDouble]:
    double = SendGridDouble()
    thread = threading.Thread(target=double.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        double.server.shutdown()
        double.server.server_close()


def channel(double: SendGridDouble, **options: Any) -> EmailSendgridChannel:
    values: dict[str, Any] = {"sender_address": "news@teashop.example", "sender_name": "Tea Shop",
                              "host": double.url}
    values.update(options)
    return EmailSendgridChannel(API_KEY, **values)


def arabic(**changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = dict(
        to="layla@customer.example", subject="طردك متأخر — الطلب #1001", body="مرحبًا ليلى،\nتأخر طردك يومين.",
        html="<p>مرحبًا ليلى،</p>", sender_name="متجر الشاي", reply_to="help@teashop.example",
        idempotency_key="incident:12:late:email", list_unsubscribe_url=UNSUBSCRIBE, list_unsubscribe_post=True,
        language="ar", direction="rtl")
    values.update(changes)
    return OutgoingMessage(**values)


def test_202_is_sent_with_sendgrids_message_id(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    assert channel(sendgrid).send(arabic()) == SendResult("sendgrid", "mEP4pfmxTSaIrIdEgxdAdw", "sent")


def test_the_sdk_posts_the_whole_message_to_mail_send(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    channel(sendgrid).send(arabic())
    [request] = sendgrid.requests
    assert request["path"] == "/v3/mail/send"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["headers"]["Content-Type"] == "application/json"
    sent = request["json"]
    assert sent["from"] == {"email": "news@teashop.example", "name": "متجر الشاي"}
    assert sent["personalizations"] == [{"to": [{"email": "layla@customer.example"}]}]
    assert sent["subject"] == "طردك متأخر — الطلب #1001"
    assert sent["reply_to"] == {"email": "help@teashop.example"}
    assert sent["content"] == [  # text/plain first, then text/html: SendGrid's required order
        {"type": "text/plain", "value": "مرحبًا ليلى،\nتأخر طردك يومين."},
        {"type": "text/html", "value": '<div dir="rtl" lang="ar"><p>مرحبًا ليلى،</p></div>'},
    ]
    assert sent["headers"] == {"List-Unsubscribe": f"<{UNSUBSCRIBE}>",
                               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Content-Language": "ar"}
    assert sent["custom_args"] == {"forewarn_key": "incident:12:late:email"}


def test_a_plain_text_message_uses_the_channels_sender_and_no_optional_fields(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    channel(sendgrid).send(OutgoingMessage(to="rina@customer.example", subject="আপনার পার্সেল", body="নমস্কার",
                                           idempotency_key="incident:13:late:email"))
    sent = sendgrid.requests[0]["json"]
    assert sent["from"] == {"email": "news@teashop.example", "name": "Tea Shop"}
    assert sent["subject"] == "আপনার পার্সেল"
    assert sent["content"] == [{"type": "text/plain", "value": "নমস্কার"}]
    assert "reply_to" not in sent and "headers" not in sent
    assert sent["custom_args"] == {"forewarn_key": "incident:13:late:email"}


def test_a_bad_address_answered_400_is_permanent_with_sendgrids_message(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_400_invalid_address.json"))
    with pytest.raises(Permanent, match=r"Does not contain a valid address\. \(personalizations\.0\.to\.0\.email\)"):
        channel(sendgrid).send(arabic(to="layla@customer.example"))


def test_a_revoked_key_is_unauthorized(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_401_bad_key.json"))
    with pytest.raises(Unauthorized, match="authorization grant is invalid"):
        channel(sendgrid).send(arabic())


def test_an_unverified_sender_is_the_shops_to_fix(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_403_unverified_sender.json"))
    with pytest.raises(Unauthorized, match="verified Sender Identity"):
        channel(sendgrid).send(arabic())


def test_429_is_rate_limited_until_sendgrids_reset_time(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_429_rate_limited.json", reset=str(int(time.time()) + 30)))
    with pytest.raises(RateLimited) as raised:
        channel(sendgrid).send(arabic())
    assert 25 <= raised.value.retry_after <= 31


def test_a_sendgrid_server_error_is_transient(sendgrid: SendGridDouble) -> None:
    sendgrid.answer(recorded("sendgrid_500.json"))
    with pytest.raises(Transient, match="500"):
        channel(sendgrid).send(arabic())


def test_a_sendgrid_that_took_the_request_and_went_silent_may_have_sent_it(sendgrid: SendGridDouble) -> None:
    sendgrid.delay = 1.0  # it may have the message: never retried, so the customer never gets it twice
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    started = time.monotonic()
    with pytest.raises(MaybeSent, match="did not answer"):
        channel(sendgrid, timeout=0.2).send(arabic())
    assert time.monotonic() - started < 1.0


def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(Transient, match="could not be reached"):
        EmailSendgridChannel(API_KEY, sender_address="news@teashop.example",
                             host=f"http://127.0.0.1:{port}").send(arabic())


def test_a_bad_customer_address_is_permanent_before_any_request(sendgrid: SendGridDouble) -> None:
    with pytest.raises(Permanent, match="customer's email address"):
        channel(sendgrid).send(arabic(to="layla at customer"))
    assert sendgrid.requests == []


def test_without_a_key_or_a_sender_the_shop_must_fix_its_settings(sendgrid: SendGridDouble,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.forewarns-own-key")  # never borrowed for a shop
    with pytest.raises(Unauthorized, match="API key"):
        EmailSendgridChannel("  ", sender_address="news@teashop.example", host=sendgrid.url)
    with pytest.raises(Unauthorized, match="sender address"):
        channel(sendgrid, sender_address=None).send(arabic())
    assert sendgrid.requests == []


def test_the_registry_builds_the_channel_for_a_region(sendgrid: SendGridDouble) -> None:
    settings = {"api_key": API_KEY, "sender_address": "news@teashop.example", "sender_name": "Tea Shop"}
    eu = build("email_sendgrid", {**settings, "region": "EU"})
    assert isinstance(eu, EmailSendgridChannel) and eu.client.host == HOSTS["eu"] == "https://api.eu.sendgrid.com"
    assert build("email_sendgrid", settings).client.host == "https://api.sendgrid.com"  # type: ignore[attr-defined]
    with pytest.raises(Unauthorized, match="region"):
        build("email_sendgrid", {**settings, "region": "mars"})
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    assert build("email_sendgrid", settings, sendgrid_host=sendgrid.url).send(arabic()).status == "sent"


def test_neither_the_key_nor_the_customer_reach_the_logs(sendgrid: SendGridDouble,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    sendgrid.answer(recorded("sendgrid_202_accepted.json"))
    with caplog.at_level("DEBUG"):
        channel(sendgrid).send(arabic())
    assert "mEP4pfmxTSaIrIdEgxdAdw" in caplog.text  # the send itself is logged
    assert API_KEY not in caplog.text and "layla@customer.example" not in caplog.text
