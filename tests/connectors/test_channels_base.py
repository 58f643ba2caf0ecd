"""The channel port's message: what a caller cannot get wrong without being told at once, and the registry's
table of kinds (what the admin's connect form is drawn from)."""
from __future__ import annotations

from typing import Any

import pytest

from connectors.channels import KINDS, OptedOut, OutgoingMessage
from core.errors import Permanent


def message(**changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = {"to": "layla@customer.example", "body": "Hello", "idempotency_key": "incident:1:late:email"}
    values.update(changes)
    return OutgoingMessage(**values)


def test_a_message_is_frozen_with_ltr_defaults() -> None:
    made = message()
    assert (made.direction, made.language, made.html, made.list_unsubscribe_post) == ("ltr", None, None, False)
    with pytest.raises(AttributeError):
        made.to = "someone@else.example"  # type: ignore[misc]


@pytest.mark.parametrize(("changes", "reason"), [
    ({"to": " "}, "recipient"),
    ({"body": ""}, "body"),
    ({"idempotency_key": ""}, "idempotency key"),
    ({"direction": "up"}, "ltr or rtl"),
    ({"language": "arabic language"}, "language tag"),
    ({"language": 'ar" onload="x'}, "language tag"),
    ({"list_unsubscribe_url": "mailto:unsubscribe@forewarn.example"}, "http"),
    ({"list_unsubscribe_url": "https://forewarn.example/u?a=<b>"}, "http"),
    ({"list_unsubscribe_url": "https://forewarn.example/u\r\nBcc: x@evil.example"}, "http"),
    ({"list_unsubscribe_url": "https://forewarn.example/" + "u" * 1000}, "http"),
    ({"list_unsubscribe_post": True}, "needs an https:// unsubscribe URL"),
    ({"list_unsubscribe_url": "http://127.0.0.1:8000/u/1", "list_unsubscribe_post": True}, "needs an https://"),
])
def test_a_message_that_cannot_be_sent_right_is_refused_when_made(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        message(**changes)


def test_language_tags_and_unsubscribe_urls_that_are_fine() -> None:
    for tag in ("ar", "bn", "pt-BR", "zh-Hant-TW"):
        assert message(language=tag).language == tag
    url = "https://forewarn.example/u/7/abc-DEF_123?l=ar&t=1%2F2"
    assert message(list_unsubscribe_url=url, list_unsubscribe_post=True).list_unsubscribe_url == url
    local = "http://127.0.0.1:8000/u/7/abc"  # the demo's: listed, but without one-click
    assert message(list_unsubscribe_url=local).list_unsubscribe_url == local


def test_opted_out_is_a_permanent_error_that_says_so() -> None:
    error = OptedOut("texted STOP")
    assert isinstance(error, Permanent) and error.opted_out is True


def test_every_kind_has_a_label_fields_and_secrets_marked() -> None:
    assert set(KINDS) == {"email_smtp", "email_sendgrid", "sms_twilio", "whatsapp_twilio"}
    for kind in KINDS.values():
        assert kind.label and kind.help
    secrets = {kind: {f.name for f in spec.fields if f.secret} for kind, spec in KINDS.items()}
    assert secrets == {"email_smtp": {"smtp_url"}, "email_sendgrid": {"api_key"}, "sms_twilio": {"auth_token"},
                       "whatsapp_twilio": {"auth_token"}}
