"""The SMTP customer-email channel against a real SMTP server on 127.0.0.1 (tests/smtp.py): the message that
arrives is parsed and every header checked — From with the shop's name, Reply-To, a UTF-8 subject in Arabic or
Bengali, Content-Language, RFC 8058's List-Unsubscribe pair left unencoded, a Message-ID made from the idempotency
key, the text part and the HTML alternative with its direction — and failures come back typed."""
from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.headerregistry import Address
from email.message import EmailMessage

import pytest

from connectors.channels import OutgoingMessage, SendResult, build
from connectors.channels.email_content import directed_html, message_id
from connectors.channels.email_smtp import EmailSmtpChannel, compose
from connectors.mail import Mailer, SmtpConfig
from core.errors import Permanent, Transient, Unauthorized
from tests.smtp import Inbox, running_smtpd

ARABIC_SUBJECT = "طردك متأخر — الطلب ‎#1001 في الطريق إليك"
ARABIC_BODY = "مرحبًا ليلى،\nتأخر طردك يومين. سنخبرك عندما يتحرك.\nمتجر الشاي"
ARABIC_HTML = "<p>مرحبًا ليلى،</p><p>تأخر طردك يومين.</p>"
BENGALI_SUBJECT = "আপনার পার্সেল দেরিতে আসছে — অর্ডার #1001"
BENGALI_BODY = "নমস্কার রিনা,\nআপনার পার্সেল দুই দিন দেরিতে আসছে।"
UNSUBSCRIBE = "https://forewarn.example/u/shop-7/Zm9yZXdhcm4tdW5zdWJzY3JpYmUtdG9rZW4tZm9yLWEtY3VzdG9tZXI?l=ar"
KEY = "incident:12:late:email"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def port(inbox: Inbox) -> Iterator[int]:
    with running_smtpd(inbox) as port:
        yield port


def channel(port: int) -> EmailSmtpChannel:
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", sender="notices@forewarn.example",
                        sender_name="Forewarn")
    return EmailSmtpChannel(Mailer(config))


def arabic(**changes: object) -> OutgoingMessage:
    values: dict[str, object] = dict(
        to="layla@customer.example", subject=ARABIC_SUBJECT, body=ARABIC_BODY, html=ARABIC_HTML,
        sender_name="متجر الشاي", reply_to="help@teashop.example", idempotency_key=KEY,
        list_unsubscribe_url=UNSUBSCRIBE, list_unsubscribe_post=True, language="ar", direction="rtl")
    values.update(changes)
    return OutgoingMessage(**values)  # type: ignore[arg-type]


def raw_headers(inbox: Inbox, index: int = 0) -> bytes:
    return inbox.envelopes[index].original_content.split(b"\r\n\r\n", 1)[0]


def test_an_arabic_message_arrives_with_every_header_and_both_parts(port: int, inbox: Inbox) -> None:
    result = channel(port).send(arabic())

    expected_id = message_id(KEY, "forewarn.example")
    assert result == SendResult(provider="smtp", provider_id=expected_id, status="sent")
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "notices@forewarn.example" and envelope.rcpt_tos == ["layla@customer.example"]
    [received] = inbox.messages
    assert received["From"].addresses == (Address("متجر الشاي", addr_spec="notices@forewarn.example"),)
    assert received["To"] == "layla@customer.example"
    assert received["Reply-To"] == "help@teashop.example"
    assert received["Subject"] == ARABIC_SUBJECT
    assert received["Message-ID"] == expected_id
    assert received["Content-Language"] == "ar"
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Date"] and received["MIME-Version"] == "1.0"
    assert received.get_content_type() == "multipart/alternative"
    text, html = received.iter_parts()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == ARABIC_BODY
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert html.get_content().strip() == f'<div dir="rtl" lang="ar">{ARABIC_HTML}</div>'


def test_the_message_on_the_wire_is_seven_bit_with_encoded_words_and_a_plain_unsubscribe_url(
        port: int, inbox: Inbox) -> None:
    channel(port).send(arabic())
    raw = inbox.envelopes[0].original_content
    assert raw.isascii()  # UTF-8 travels as base64 / quoted-printable: no server needs 8BITMIME
    headers = raw_headers(inbox)
    assert b"Subject: =?utf-8?" in headers and b"From: =?utf-8?" in headers
    assert f"\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode() in headers  # never an encoded-word
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in headers


def test_a_bengali_text_only_message_has_one_utf8_part_and_no_unsubscribe_headers(port: int, inbox: Inbox) -> None:
    channel(port).send(OutgoingMessage(to="rina@customer.example", subject=BENGALI_SUBJECT, body=BENGALI_BODY,
                                       idempotency_key="incident:13:late:email", language="bn"))
    [received] = inbox.messages
    assert received["Subject"] == BENGALI_SUBJECT and received["Content-Language"] == "bn"
    assert received["From"].addresses == (Address("Forewarn", addr_spec="notices@forewarn.example"),)
    assert received["Reply-To"] is None
    assert received["List-Unsubscribe"] is None and received["List-Unsubscribe-Post"] is None
    assert received.get_content_type() == "text/plain" and received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n").rstrip("\n") == BENGALI_BODY
    assert inbox.envelopes[0].original_content.isascii()


def test_a_message_sent_again_after_a_crash_carries_the_same_message_id(port: int, inbox: Inbox) -> None:
    first, again = channel(port).send(arabic()), channel(port).send(arabic())
    other = channel(port).send(arabic(idempotency_key="incident:12:late:email:2"))
    assert first.provider_id == again.provider_id != other.provider_id
    assert [m["Message-ID"] for m in inbox.messages] == [first.provider_id, first.provider_id, other.provider_id]


def test_the_message_id_is_made_from_the_key_on_the_sender_domain() -> None:
    made = message_id("incident:12:late:email", "teashop.example")
    assert made == message_id("incident:12:late:email", "teashop.example")
    assert made.startswith("<forewarn.") and made.endswith("@teashop.example>") and ":" not in made


def test_unsubscribe_without_one_click_sends_only_list_unsubscribe(port: int, inbox: Inbox) -> None:
    channel(port).send(arabic(list_unsubscribe_post=False))
    [received] = inbox.messages
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>" and received["List-Unsubscribe-Post"] is None


def test_a_long_unsubscribe_url_stays_on_one_unencoded_line(port: int, inbox: Inbox) -> None:
    url = "https://forewarn.example/u/" + "x" * 600 + "?token=" + "y" * 200
    channel(port).send(arabic(list_unsubscribe_url=url))
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw_headers(inbox)
    assert inbox.messages[0]["List-Unsubscribe"] == f"<{url}>"


def test_the_shop_can_send_from_its_own_address_on_its_own_server(port: int, inbox: Inbox) -> None:
    channel(port).send(arabic(sender_address="hello@teashop.example", sender_name="Tea Shop"))
    [received] = inbox.messages
    assert received["From"].addresses == (Address("Tea Shop", addr_spec="hello@teashop.example"),)
    assert received["Message-ID"] == message_id(KEY, "teashop.example")
    assert inbox.envelopes[0].mail_from == "hello@teashop.example"


def test_nothing_from_an_order_can_add_a_header(port: int, inbox: Inbox) -> None:
    channel(port).send(arabic(subject="Order #1001\r\nBcc: thief@evil.example", sender_name="Shop\nBcc: x@evil.example"))
    [received] = inbox.messages
    assert received["Bcc"] is None and inbox.envelopes[0].rcpt_tos == ["layla@customer.example"]
    assert received["Subject"] == "Order #1001 Bcc: thief@evil.example"
    assert received["From"].addresses[0].display_name == "Shop Bcc: x@evil.example"


def test_an_html_document_gets_dir_and_lang_on_its_html_element() -> None:
    document = '<!doctype html><HTML class="mail"><body><p>مرحبًا</p></body></HTML>'
    assert directed_html(document, "rtl", "ar") == (
        '<!doctype html><HTML class="mail" dir="rtl" lang="ar"><body><p>مرحبًا</p></body></HTML>')
    assert directed_html('<html dir="rtl" lang="fa"><body>x</body></html>', "rtl", "ar") == (
        '<html dir="rtl" lang="fa"><body>x</body></html>')  # what the template says is kept
    assert directed_html("<p>Hello</p>", "ltr", "en") == "<p>Hello</p>"
    assert directed_html("<p>שלום</p>", "rtl", None) == '<div dir="rtl"><p>שלום</p></div>'


def test_compose_builds_the_same_message_without_a_server() -> None:
    built = compose(arabic(), Address("Forewarn", addr_spec="notices@forewarn.example"))
    parsed = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == ARABIC_SUBJECT and parsed["Message-ID"] == message_id(KEY, "forewarn.example")


# -- failures -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["not-an-address", "layla@customer.example, thief@evil.example",
                                     "layla@customer.example\r\nBcc: thief@evil.example"])
def test_a_bad_customer_address_is_permanent_and_nothing_is_sent(port: int, inbox: Inbox, address: str) -> None:
    with pytest.raises(Permanent, match="customer's email address"):
        channel(port).send(arabic(to=address))
    assert inbox.envelopes == []


def test_a_bad_reply_to_in_the_shop_settings_is_the_shops_to_fix(port: int, inbox: Inbox) -> None:
    with pytest.raises(Unauthorized, match="reply-to"):
        channel(port).send(arabic(reply_to="help at teashop"))
    assert inbox.envelopes == []


def test_an_email_without_a_subject_is_permanent(port: int) -> None:
    with pytest.raises(Permanent, match="subject"):
        channel(port).send(arabic(subject=" \n "))


def test_a_recipient_the_server_refuses_for_good_is_permanent_with_its_words() -> None:
    with running_smtpd(Inbox(rcpt_reply="550 5.1.1 No such user here")) as port:
        with pytest.raises(Permanent, match="No such user here"):
            channel(port).send(arabic())


def test_a_recipient_the_server_refuses_for_now_is_transient() -> None:
    with running_smtpd(Inbox(rcpt_reply="450 4.2.1 Mailbox busy, try again later")) as port:
        with pytest.raises(Transient, match="Mailbox busy"):
            channel(port).send(arabic())


# -- the registry --------------------------------------------------------------------------------------------


def test_the_registry_builds_the_channel_on_forewarns_own_server(port: int, inbox: Inbox) -> None:
    built = build("email_smtp", {}, smtp_url=f"smtp://127.0.0.1:{port}?from=notices%40forewarn.example")
    assert isinstance(built, EmailSmtpChannel)
    built.send(arabic())
    assert inbox.messages[0]["From"].addresses[0].addr_spec == "notices@forewarn.example"


def test_the_registry_keeps_a_merchants_own_server_off_private_networks(port: int, inbox: Inbox) -> None:
    settings = {"smtp_url": f"smtp://127.0.0.1:{port}"}
    with pytest.raises(Unauthorized, match="private or local network"):
        build("email_smtp", settings, smtp_url="smtp://127.0.0.1:1")
    build("email_smtp", settings, allow_private=True).send(arabic())
    assert len(inbox.envelopes) == 1


def test_the_registry_says_who_must_fix_a_missing_or_broken_server() -> None:
    with pytest.raises(Unauthorized, match="FOREWARN_SMTP_URL"):
        build("email_smtp", {})
    with pytest.raises(Unauthorized, match="your mail server"):
        build("email_smtp", {"smtp_url": "https://mail.teashop.example"})
    with pytest.raises(Permanent, match="operator"):
        build("email_smtp", {}, smtp_url="smtp://")
