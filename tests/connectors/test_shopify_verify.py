"""Webhook HMAC and headers, against Shopify's own known-good vector."""
from __future__ import annotations

from connectors.shopify.verify import valid_shop_domain, valid_webhook, webhook_headers, webhook_signature
from tests.support import fixture_json


def test_known_good_vector_from_shopify_api_js_verifies() -> None:
    example = fixture_json("shopify/hmac_webhook_example.json")
    body = example["raw_body"].encode()
    assert webhook_signature(example["secret"], body) == example["expected_x_shopify_hmac_sha256"]
    assert valid_webhook(body, example["expected_x_shopify_hmac_sha256"], [example["secret"]])


def test_a_changed_body_a_wrong_secret_or_no_signature_fails() -> None:
    example = fixture_json("shopify/hmac_webhook_example.json")
    good = example["expected_x_shopify_hmac_sha256"]
    assert not valid_webhook(b'{"foo": "baz"}', good, [example["secret"]])
    assert not valid_webhook(example["raw_body"].encode(), good, ["another-secret"])
    assert not valid_webhook(example["raw_body"].encode(), None, [example["secret"]])
    assert not valid_webhook(example["raw_body"].encode(), good, [])


def test_the_previous_secret_still_verifies_during_a_rotation() -> None:
    example = fixture_json("shopify/hmac_webhook_example.json")
    assert valid_webhook(
        example["raw_body"].encode(), example["expected_x_shopify_hmac_sha256"], ["new-secret", example["secret"]]
    )


def test_headers_are_read_with_or_without_the_x_prefix_in_any_case() -> None:
    documented = fixture_json("shopify/webhook_reference_example.headers.json")
    h = webhook_headers(documented)
    assert (h.topic, h.shop_domain, h.webhook_id) == (
        "products/update", "snowdevil.myshopify.com", "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9"
    )
    assert h.event_id == "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f"
    lowered = webhook_headers({k.lower(): v for k, v in documented.items()})
    unprefixed = webhook_headers({k.replace("X-Shopify-", "Shopify-"): v for k, v in documented.items()})
    assert lowered == h == unprefixed


def test_only_myshopify_domains_are_shop_keys() -> None:
    assert valid_shop_domain("snowdevil.myshopify.com")
    for bad in (None, "", "evil.com", "snowdevil.myshopify.com.evil.com", "-x.myshopify.com", "a b.myshopify.com"):
        assert not valid_shop_domain(bad)
