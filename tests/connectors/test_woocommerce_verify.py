"""Webhook signature, headers and the creation ping, against WooCommerce's own known-good vector."""
from __future__ import annotations

from werkzeug.datastructures import Headers

from connectors.woocommerce.verify import (
    ping_webhook_id,
    specialchars_decode,
    valid_webhook,
    webhook_headers,
    webhook_signature,
)
from tests.support import fixture_bytes, fixture_json

SECRET = "wc-webhook-secret-of-this-store"


def test_woocommerces_own_signature_vector_is_reproduced() -> None:
    vector = fixture_json("woocommerce/webhook_signature_vector.json")
    assert webhook_signature(vector["secret"], vector["raw_body"].encode()) == vector["expected_x_wc_webhook_signature"]


def test_a_signed_order_body_verifies_and_any_change_fails() -> None:
    body = fixture_bytes("woocommerce/order_create_response.json")
    signature = webhook_signature(SECRET, body)
    assert valid_webhook(body, signature, SECRET)
    assert valid_webhook(body, f" {signature}\n", SECRET)  # header whitespace is not part of it
    assert not valid_webhook(body.replace(b"29.35", b"0.01"), signature, SECRET)
    assert not valid_webhook(body, signature, "another-store-secret")
    assert not valid_webhook(body, signature[:-2] + "A=", SECRET)


def test_a_missing_or_empty_signature_or_secret_never_verifies() -> None:
    body = fixture_bytes("woocommerce/order_create_response.json")
    for signature in (None, "", "   "):
        assert not valid_webhook(body, signature, SECRET)
    assert not valid_webhook(body, webhook_signature("", body), "")  # an unset secret is not a secret
    assert not valid_webhook(body, webhook_signature("", body), None)


def test_the_secret_is_html_entity_decoded_as_woocommerce_does_before_signing() -> None:
    body = b'{"id":727}'
    assert webhook_signature("a&amp;b&#039;c&quot;d&lt;e&gt;", body) == webhook_signature("a&b'c\"d<e>", body)
    assert specialchars_decode("&#0039;&#X27;&#x0026;&#00060;") == "''&<"
    # one pass only, and only WordPress's entities: &amp;lt; stays &lt;, &eacute; stays as written
    assert specialchars_decode("&amp;lt; &eacute;") == "&lt; &eacute;"
    assert webhook_signature("plain-secret", body) != webhook_signature("plain&amp;secret", body)


def test_headers_are_read_in_any_case_as_real_deliveries_send_them_lowercase() -> None:
    body = fixture_bytes("woocommerce/order_create_response.json")
    sent = {
        "X-WC-Webhook-Source": "https://example.com/",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "created",
        "X-WC-Webhook-Signature": webhook_signature(SECRET, body),
        "X-WC-Webhook-ID": "3",
        "X-WC-Webhook-Delivery-ID": "4d3b7f6c0a9e8d2b1c5f4e3a2b1c0d9e",
    }
    h = webhook_headers(sent)
    assert (h.topic, h.resource, h.event, h.webhook_id, h.source) == (
        "order.created", "order", "created", "3", "https://example.com/"
    )
    assert h.delivery_id == "4d3b7f6c0a9e8d2b1c5f4e3a2b1c0d9e"
    assert valid_webhook(body, h.signature, SECRET)
    lowercase = webhook_headers({k.lower(): v for k, v in sent.items()})
    as_flask_gives_them = webhook_headers(Headers([(k.lower(), v) for k, v in sent.items()]))
    assert lowercase == h == as_flask_gives_them


def test_absent_headers_are_none() -> None:
    h = webhook_headers({"Content-Type": "application/json", "x-wc-webhook-topic": ""})
    assert (h.topic, h.signature, h.delivery_id) == (None, None, None)


def test_the_unsigned_creation_ping_is_recognised() -> None:
    ping = fixture_bytes("woocommerce/webhook_ping.body.txt")
    assert ping_webhook_id(ping, {"Content-Type": "application/x-www-form-urlencoded"}) == 3
    assert ping_webhook_id(ping, Headers({"User-Agent": "WooCommerce/9.0 Hookshot (WordPress/6.5)"})) == 3


def test_anything_else_is_not_a_ping() -> None:
    ping = fixture_bytes("woocommerce/webhook_ping.body.txt")
    assert ping_webhook_id(ping, {"x-wc-webhook-signature": "abc"}) is None  # signed: verify it like the rest
    assert ping_webhook_id(ping, Headers([("X-WC-Webhook-Signature", "abc")])) is None
    for body in (b'{"webhook_id": 3}', b"webhook_id=", b"webhook_id=3&x=1", b"webhook_id=-3", b"", b"webhook_id=3x"):
        assert ping_webhook_id(body, {}) is None
