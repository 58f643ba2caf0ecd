"""Wix webhook JWTs (RS256, signed here with a generated key pair) and the dashboard's signed `instance`."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from connectors.wix.verify import (
    InvalidInstance,
    InvalidWebhook,
    instance_param,
    valid_instance_id,
    verify_instance,
    verify_webhook,
)
from tests.support import fixture_json

NOW = datetime(2026, 7, 10, 12, 0, tzinfo=timezone.utc)
INSTANCE_ID = "8e9d6b70-6eb9-4ab4-a62d-e033063e2f05"
APP_SECRET = "wix-app-secret-of-forewarn"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


WIX_KEY = _rsa()
PUBLIC_PEM = _pem(WIX_KEY)
OTHER_KEY = _rsa()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def envelope(event_type: str, event: dict[str, Any] | str, *, identity: Any = "member", **extra: Any) -> dict[str, Any]:
    """The decoded `data` claim as Wix documents it: data and identity are JSON strings."""
    body: dict[str, Any] = {
        "eventType": event_type,
        "instanceId": INSTANCE_ID,
        "data": event if isinstance(event, str) else json.dumps(event),
    }
    if identity == "member":
        body["identity"] = json.dumps({"identityType": "MEMBER", "memberId": "9e7c2d1a-57d4-4f8e-a0a2-0c6d5c1d2e3f"})
    elif identity is not None:
        body["identity"] = identity
    body.update(extra)
    return body


def token(claims: dict[str, Any], key: Any = WIX_KEY, algorithm: str = "RS256", lifetime: int = 300) -> bytes:
    claims = {"iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + lifetime, **claims}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "wix-key-1"}).encode()


def webhook(event_type: str, event: dict[str, Any] | str, **kwargs: Any) -> bytes:
    return token({"data": json.dumps(envelope(event_type, event, **kwargs))})


def refused(body: bytes, reason: str, **kwargs: Any) -> InvalidWebhook:
    with pytest.raises(InvalidWebhook) as caught:
        verify_webhook(body, kwargs.pop("pem", PUBLIC_PEM), now=kwargs.pop("now", NOW), **kwargs)
    assert caught.value.reason == reason, str(caught.value)
    return caught.value


# -- webhooks: what verifies, and what it unwraps to ----------------------------------------------------------


def test_a_signed_ecom_event_is_verified_and_unwrapped_to_its_domain_event() -> None:
    event = fixture_json("wix/ecom_order_approved.data.json")
    env = verify_webhook(webhook("wix.ecom.v1.order_approved", event), PUBLIC_PEM, now=NOW)
    assert (env.event_type, env.instance_id) == ("wix.ecom.v1.order_approved", INSTANCE_ID)
    assert env.event_id == "520d5673-b7fb-4e7f-8e05-e6489a73d734"  # Wix's event id: the dedupe key
    assert (env.entity_fqdn, env.slug) == ("wix.ecom.v1.order", "approved")
    assert env.event == event
    assert env.identity == {"identityType": "MEMBER", "memberId": "9e7c2d1a-57d4-4f8e-a0a2-0c6d5c1d2e3f"}
    assert env.event_time == datetime(2022, 12, 21, 13, 30, 45, 872000, tzinfo=timezone.utc)


def test_the_body_may_end_with_a_newline_and_the_clock_defaults_to_now() -> None:
    body = token({"data": json.dumps(envelope("wix.ecom.v1.fulfillments_updated",
                                              fixture_json("wix/ecom_fulfillments_updated.data.json")))},
                 lifetime=10**9)
    env = verify_webhook(body + b"\n", PUBLIC_PEM)
    assert env.event_id == "6e03a96a-3870-4ad7-b814-1f8119310bf4"
    assert (env.entity_fqdn, env.slug) == ("wix.ecom.v1.fulfillments", "updated")


def test_wixs_documented_app_event_envelope_without_identity_unwraps() -> None:
    documented = fixture_json("wix/paid_plan_purchased.envelope.json")
    env = verify_webhook(token({"data": json.dumps(documented)}), PUBLIC_PEM, now=NOW)
    assert (env.event_type, env.instance_id, env.identity) == ("PaidPlanPurchased", documented["instanceId"], None)
    assert env.event["cycle"] == "MONTHLY"
    assert (env.entity_fqdn, env.slug, env.event_time) == (None, None, None)
    assert env.event_id.startswith("sha256:")


def test_a_legacy_event_without_id_gets_a_digest_stable_across_serializations() -> None:
    event = fixture_json("wix/stores_fulfillment_created.data.json")
    first = verify_webhook(webhook("FulfillmentCreated", event), PUBLIC_PEM, now=NOW)
    reserialized = json.dumps(dict(reversed(list(event.items()))), indent=4)
    again = verify_webhook(webhook("FulfillmentCreated", reserialized, identity=None), PUBLIC_PEM, now=NOW)
    assert first.event_id == again.event_id and first.event_id.startswith("sha256:")
    assert first.event == event
    changed = {**event, "trackingInfo": {**event["trackingInfo"], "trackingNumber": "9400111899560000000000"}}
    assert verify_webhook(webhook("FulfillmentCreated", changed), PUBLIC_PEM, now=NOW).event_id != first.event_id
    updated = verify_webhook(webhook("FulfillmentUpdated", event), PUBLIC_PEM, now=NOW)
    assert updated.event_id != first.event_id  # another event type is another event


def test_an_envelope_whose_inner_data_is_already_an_object_is_taken_as_it_is() -> None:
    event = fixture_json("wix/app_instance_removed.data.json")
    body = token({"data": {"eventType": "AppRemoved", "instanceId": INSTANCE_ID, "data": event}})
    env = verify_webhook(body, PUBLIC_PEM, now=NOW)
    assert (env.event_type, env.event, env.identity) == ("AppRemoved", event, None)


# -- webhooks: what is refused --------------------------------------------------------------------------------


def test_a_tampered_body_is_refused() -> None:
    body = webhook("wix.ecom.v1.order_approved", fixture_json("wix/ecom_order_approved.data.json"))
    header, payload, signature = body.split(b".")
    forged = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    forged["data"] = json.dumps(envelope("wix.ecom.v1.order_canceled", fixture_json("wix/ecom_order_canceled.data.json")))
    forged_payload = b64url(json.dumps(forged).encode()).encode()
    refused(b".".join([header, forged_payload, signature]), "bad_signature")
    flipped = signature[:-4] + (b"AAAA" if signature[-4:] != b"AAAA" else b"BBBB")
    refused(b".".join([header, payload, flipped]), "bad_signature")


def test_a_token_signed_with_another_key_is_refused() -> None:
    body = token({"data": json.dumps(envelope("AppRemoved", {"appId": "x"}))}, key=OTHER_KEY)
    refused(body, "bad_signature")
    refused(webhook("AppRemoved", {"appId": "x"}), "bad_signature", pem=_pem(OTHER_KEY))


def test_an_expired_token_is_refused_beyond_the_leeway() -> None:
    body = webhook("wix.ecom.v1.order_approved", fixture_json("wix/ecom_order_approved.data.json"))
    expires = NOW + timedelta(seconds=300)
    assert verify_webhook(body, PUBLIC_PEM, now=expires + timedelta(seconds=59)).event_type
    error = refused(body, "expired", now=expires + timedelta(seconds=61))
    assert "2026-07-10T12:05:00" in str(error)
    refused(body, "expired", now=expires + timedelta(seconds=1), leeway=timedelta(0))


def test_a_token_not_valid_yet_is_refused() -> None:
    body = token({"data": json.dumps(envelope("AppRemoved", {"appId": "x"})), "nbf": int(NOW.timestamp()) + 600})
    refused(body, "not_yet_valid")


def test_a_token_without_exp_is_accepted_because_wix_does_not_document_one() -> None:
    body = token({"data": json.dumps(envelope("AppRemoved", {"appId": "x"})), "exp": None, "iat": None})
    assert verify_webhook(body, PUBLIC_PEM, now=NOW + timedelta(days=365)).event_type == "AppRemoved"
    refused(token({"data": json.dumps(envelope("AppRemoved", {})), "exp": "tomorrow"}), "malformed")


def test_alg_none_is_refused() -> None:
    claims = {"data": json.dumps(envelope("AppRemoved", {"appId": "x"}))}
    refused(jwt.encode(claims, None, algorithm="none").encode(), "unsupported_algorithm")


def test_hs256_signed_with_the_public_key_as_secret_is_refused() -> None:
    """The classic key confusion: an attacker who knows the public key signs HS256 with it."""
    claims = json.dumps({"data": json.dumps(envelope("wix.ecom.v1.order_canceled", {"id": "x"}))}).encode()
    for header in ({"alg": "HS256", "typ": "JWT"}, {"alg": "RS256", "typ": "JWT"}):
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(claims)}"
        mac = hmac.new(PUBLIC_PEM.encode(), signing_input.encode(), hashlib.sha256).digest()
        forged = f"{signing_input}.{b64url(mac)}".encode()
        refused(forged, "unsupported_algorithm" if header["alg"] == "HS256" else "bad_signature")


@pytest.mark.parametrize(
    "body",
    [b"", b"not a jwt", b"a.b", b"a.b.c", b"\xff\xfe.\x00.\x01", b'{"data": "{}"}', b"eyJhbGciOiJSUzI1NiJ9..."],
)
def test_a_malformed_jwt_is_refused(body: bytes) -> None:
    refused(body, "malformed")


@pytest.mark.parametrize(
    ("claims", "missing"),
    [
        ({"other": 1}, "no data claim"),
        ({"data": json.dumps({"instanceId": INSTANCE_ID, "data": "{}"})}, "eventType"),
        ({"data": json.dumps({"eventType": "AppRemoved", "data": "{}"})}, "instanceId"),
        ({"data": json.dumps({"eventType": "AppRemoved", "instanceId": " ", "data": "{}"})}, "instanceId"),
        ({"data": json.dumps({"eventType": "AppRemoved", "instanceId": INSTANCE_ID})}, "lacks data"),
        ({"data": json.dumps({"eventType": "AppRemoved", "instanceId": "../admin", "data": "{}"})}, "not an instance id"),
    ],
)
def test_missing_envelope_fields_are_refused(claims: dict[str, Any], missing: str) -> None:
    assert missing in str(refused(token(claims), "missing_fields"))


@pytest.mark.parametrize(
    ("claims", "where"),
    [
        ({"data": "not json"}, "data is not valid JSON"),
        ({"data": "[1, 2]"}, "data is JSON but not an object"),
        ({"data": 42}, "data is not a JSON string"),
        ({"data": json.dumps(envelope("AppRemoved", "{not json"))}, "data.data is not valid JSON"),
        ({"data": json.dumps(envelope("AppRemoved", '"a string"'))}, "data.data is JSON but not an object"),
        ({"data": json.dumps(envelope("AppRemoved", {}, identity="{"))}, "data.identity is not valid JSON"),
    ],
)
def test_inner_data_that_is_not_json_is_refused(claims: dict[str, Any], where: str) -> None:
    assert where in str(refused(token(claims), "bad_json"))


def test_a_configured_key_that_is_not_an_rsa_public_key_is_unusable() -> None:
    body = webhook("AppRemoved", {"appId": "x"})
    assert isinstance(refused(body, "unusable_key", pem="not a pem"), ValueError)
    refused(body, "unusable_key", pem=_pem(ec.generate_private_key(ec.SECP256R1())))


# -- the dashboard's signed instance --------------------------------------------------------------------------


def claims(**changes: Any) -> dict[str, Any]:
    base = {
        "instanceId": INSTANCE_ID,
        "appDefId": "1380b703-ce81-ff05-f115-39571d94dfcd",
        "signDate": "2026-07-10T11:58:12.412Z",
        "uid": "2c3b4a5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        "permissions": "OWNER",
        "siteOwnerId": "2c3b4a5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        "vendorProductId": None,
        "aid": "4c7ce95c-9fb3-417d-9f02-b41e82b841f7",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def wix_instance(payload: dict[str, Any] | bytes, secret: str = APP_SECRET) -> str:
    """Built here the way Wix's legacy sample checks it (wix-incubator/wix-gae-sample-app
    AuthenticationResolver.java): HMAC-SHA256 over the payload segment as sent, both parts unpadded base64url."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    segment = b64url(raw)
    return f"{b64url(hmac.new(secret.encode(), segment.encode(), hashlib.sha256).digest())}.{segment}"


def refused_instance(instance: str, reason: str, secret: str = APP_SECRET, **kwargs: Any) -> InvalidInstance:
    with pytest.raises(InvalidInstance) as caught:
        verify_instance(instance, secret, now=kwargs.pop("now", NOW), **kwargs)
    assert caught.value.reason == reason, str(caught.value)
    return caught.value


def test_a_valid_instance_is_read() -> None:
    info = verify_instance(wix_instance(claims()), APP_SECRET, now=NOW)
    assert info.instance_id == INSTANCE_ID
    assert info.sign_date == datetime(2026, 7, 10, 11, 58, 12, 412000, tzinfo=timezone.utc)
    assert (info.permissions, info.uid, info.site_owner_id, info.vendor_product_id) == (
        "OWNER", "2c3b4a5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", "2c3b4a5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", None
    )
    assert info.claims["aid"] == "4c7ce95c-9fb3-417d-9f02-b41e82b841f7"
    # the helper the demo uses builds exactly what Wix sends
    assert verify_instance(instance_param(claims(), APP_SECRET), APP_SECRET, now=NOW) == info
    assert verify_instance(f"  {wix_instance(claims())}\n", APP_SECRET, now=NOW).instance_id == INSTANCE_ID


def test_a_tampered_instance_is_refused() -> None:
    signature, _ = wix_instance(claims()).split(".")
    other = b64url(json.dumps(claims(instanceId="11111111-2222-4333-8444-555555555555")).encode())
    refused_instance(f"{signature}.{other}", "bad_signature")
    refused_instance(wix_instance(claims()), "bad_signature", secret="another-apps-secret")
    good = wix_instance(claims())
    flipped = ("B" if good[0] == "A" else "A") + good[1:]
    refused_instance(flipped, "bad_signature")


def test_an_old_instance_is_refused_and_a_fresh_one_within_a_day_is_not() -> None:
    assert verify_instance(wix_instance(claims(signDate="2026-07-09T12:30:00Z")), APP_SECRET, now=NOW).instance_id
    error = refused_instance(wix_instance(claims(signDate="2026-07-09T11:00:00.000Z")), "expired")
    assert "2026-07-09T11:00:00" in str(error)
    refused_instance(wix_instance(claims()), "expired", max_age=timedelta(minutes=1))
    refused_instance(wix_instance(claims(signDate="2026-07-10T12:30:00Z")), "not_yet_valid")
    assert verify_instance(wix_instance(claims(signDate="2026-07-10T12:03:00Z")), APP_SECRET, now=NOW)  # clock skew


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(instanceId=None), "missing_fields"),
        (claims(instanceId=""), "missing_fields"),
        (claims(instanceId="a/b?c"), "missing_fields"),
        (claims(signDate=None), "missing_fields"),
        (claims(signDate="yesterday"), "missing_fields"),
        (b"not json", "bad_json"),
        (b"[1, 2]", "bad_json"),
    ],
)
def test_a_signed_instance_without_what_it_must_say_is_refused(payload: Any, reason: str) -> None:
    refused_instance(wix_instance(payload), reason)


@pytest.mark.parametrize("instance", ["", "abc", ".abc", "abc.", "a.b.c", "a+b/c=.eyJ9", "sig.pay load"])
def test_a_malformed_instance_is_refused(instance: str) -> None:
    refused_instance(instance, "malformed")


def test_no_app_secret_verifies_nothing() -> None:
    refused_instance(wix_instance(claims(), secret=""), "no_secret", secret="")


def test_instance_ids_are_guid_like_tokens() -> None:
    assert valid_instance_id(INSTANCE_ID) and valid_instance_id("demo-site_1")
    for bad in (None, "", " ", "a/b", "a.b", "x" * 101, "é"):
        assert not valid_instance_id(bad)
