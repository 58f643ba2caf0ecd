"""Shopify's query HMAC (install, callback, app load) and session tokens."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import shopify

from connectors.shopify.oauth import InvalidRequest, check_signed_request, query_hmac, valid_query_hmac
from connectors.shopify.session_token import InvalidSessionToken, decode
from tests.support import API_KEY, SECRET, SHOP, fixture_json, session_token, signed_query

NOW = datetime.now(timezone.utc)


def test_query_hmac_matches_shopifys_documented_vectors() -> None:
    example = fixture_json("shopify/hmac_oauth_query_example.json")
    assert query_hmac(example["query_params"], example["secret"]) == example["expected_hmac_hex"]
    assert valid_query_hmac(example["query_params"], [example["secret"]])
    arrays = example["array_param_example"]
    assert query_hmac(arrays["query_params"], example["secret"]) == arrays["expected_hmac_hex"]


def test_query_hmac_agrees_with_shopifys_python_library() -> None:
    params = {"shop": "some-shop.myshopify.com", "code": "a%b=c&d", "timestamp": "1337178173", "host": "YWRtaW4"}
    shopify.Session.secret = "hush"
    try:
        assert query_hmac(params, "hush") == shopify.Session.calculate_hmac(params)
    finally:
        shopify.Session.secret = None


def test_a_fresh_signed_request_names_its_shop() -> None:
    params = signed_query({"shop": SHOP, "timestamp": str(int(NOW.timestamp()))})
    assert check_signed_request(params, [SECRET], NOW) == SHOP


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"shop": SHOP, "timestamp": "TS", "hmac": "0" * 64}, "hmac"),
        ({"shop": "evil.example.com", "timestamp": "TS"}, "shop"),
        ({"shop": SHOP, "timestamp": "1337178173"}, "timestamp"),
        ({"shop": SHOP}, "timestamp"),
    ],
)
def test_forged_foreign_or_stale_requests_are_refused(params: dict, reason: str) -> None:
    params = {k: v.replace("TS", str(int(NOW.timestamp()))) for k, v in params.items()}
    if "hmac" not in params:
        params = signed_query(params)
    with pytest.raises(InvalidRequest, match=reason):
        check_signed_request(params, [SECRET], NOW)


def test_a_valid_session_token_is_bound_to_its_shop() -> None:
    token = decode(session_token(), API_KEY, [SECRET])
    assert (token.shop, token.user_id) == (SHOP, "42")


def test_a_session_token_without_sid_is_accepted() -> None:
    assert decode(session_token(sid=None, sub=None), API_KEY, [SECRET]).shop == SHOP


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: session_token(lifetime=-60), "expired"),
        (lambda: session_token(nbf_offset=120), "not yet valid"),
        (lambda: session_token(audience="another-app"), "(?i)audience"),
        (lambda: session_token(secret="not-the-app-secret-but-as-long-as-one"), "Signature"),
        (lambda: session_token(dest="https://other.myshopify.com"), "different shops"),
        (lambda: session_token(dest="https://evil.example.com", iss="https://evil.example.com/admin"), "not a shop"),
        (lambda: session_token(exp=None), "exp"),
        (lambda: session_token()[:-4] + "AAAA", "Signature"),
    ],
)
def test_bad_session_tokens_are_refused(token, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidSessionToken, match=reason):
        decode(token(), API_KEY, [SECRET])


def test_a_session_token_signed_with_the_previous_secret_verifies_during_rotation() -> None:
    assert decode(session_token(secret="old-secret-with-32-bytes-or-more!"), API_KEY, ["new-secret-with-32-bytes-or-more!", "old-secret-with-32-bytes-or-more!"]).shop == SHOP
