"""Wix request verification (pure).

Webhooks (https://dev.wix.com/docs/rest/articles/get-started/webhook-structure): the whole raw body is a JWT
that Wix signs RS256 with the app's key pair; it is verified with the app's public key (app dashboard,
Webhooks › Get Public Key), as Wix's own sample does (wix-incubator/sample-wix-rest-app `src/index.js`:
`jwt.verify(req.body, PUBLIC_KEY)`, then `JSON.parse(data.data)` and `JSON.parse(parsedData.data)`). Only RS256
is accepted, with an RSA key object, so neither `alg: none` nor an HS256 token "signed" with the public key
as a shared secret can pass. The claims carry `data`, a JSON string of the envelope
`{eventType, instanceId, data, identity}`, whose `data` and `identity` are JSON strings again.
Not confirmed in Wix's own documentation: that the webhook JWT carries `exp` (Wix documents `exp` for the
JWTs it sends to payment providers; third-party guides show `{data, iat, exp}` for webhooks). `exp` and `nbf`
are therefore checked when present, never required.

Dashboard pages receive a signed `instance` query parameter, "<signature>.<payload>", both base64url without
padding, signature = HMAC-SHA256(app secret, payload segment as sent). This legacy format is confirmed by
Wix's own sample (wix-incubator/wix-gae-sample-app `AuthenticationResolver.java`, `AppInstance.java`) and
Wix's page "Parse the App Instance Query Parameter", which Wix now marks legacy in favour of calling Token
Info (https://dev.wix.com/docs/build-apps/develop-your-app/access/app-instances/parse-encoded-app-instance-data).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

ALGORITHM = "RS256"
#: Clock difference tolerated between Wix and us on `exp`/`nbf`.
LEEWAY = timedelta(seconds=60)
#: A signed instance older than this is refused. Wix's own App Market review asks apps to reject signed
#: instances older than one day (wix/skills `skills/wix-app/references/APP_MARKET_REVIEW.md`, requirement #76,
#: after Wix's "Security and Privacy Best Practice"): a page URL leaked from history, a log or a Referer
#: header stops opening a session after that, while a dashboard tab Wix keeps open for a working day still
#: works. Callers that only sign a user in at page load may pass a shorter `max_age`.
MAX_INSTANCE_AGE = timedelta(days=1)
#: A signDate this far in the future is clock skew; beyond it, not something Wix signed now.
INSTANCE_CLOCK_SKEW = timedelta(minutes=5)

_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
#: Wix instance ids are GUIDs; this is the shape every Forewarn key and Wix URL path built from one can take.
INSTANCE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


class InvalidWebhook(ValueError):
    """A Wix webhook body that must not be trusted. `reason` is one of: malformed, unsupported_algorithm,
    bad_signature (also what a wrong key gives), expired, not_yet_valid, unusable_key, missing_fields, bad_json."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class InvalidInstance(ValueError):
    """A dashboard `instance` parameter that must not be trusted. `reason` is one of: no_secret, malformed,
    bad_signature, bad_json, missing_fields, expired, not_yet_valid."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class WixEnvelope:
    event_type: str  # wix.ecom.v1.order_approved, FulfillmentCreated, AppRemoved, …
    instance_id: str  # the app instance: which site this is about
    #: The domain event's `id` (Wix: "allows clients to ignore duplicate events"); for events without one
    #: (legacy Stores and app events), "sha256:" + a digest of the event type, instance and inner data.
    event_id: str
    entity_fqdn: str | None
    slug: str | None
    event: dict[str, Any]  # the domain event (the envelope's `data`, decoded)
    identity: dict[str, Any] | None
    event_time: datetime | None
    #: When Wix signed this delivery (the JWT's `iat`), if it says.
    issued_at: datetime | None = None


@dataclass(frozen=True)
class InstanceInfo:
    instance_id: str
    sign_date: datetime
    uid: str | None  # the Wix user looking at the page
    permissions: str | None  # "OWNER" for the site owner
    site_owner_id: str | None
    vendor_product_id: str | None  # the app plan, when paid
    claims: dict[str, Any]


# -- webhooks ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _public_key(pem: str) -> RSAPublicKey:
    try:
        key = load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise InvalidWebhook("unusable_key", f"the configured Wix public key is not a PEM public key ({exc})") from None
    if not isinstance(key, RSAPublicKey):
        raise InvalidWebhook("unusable_key", "the configured Wix public key is not an RSA key")
    return key


def _token(body: bytes) -> str:
    try:
        token = body.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InvalidWebhook("malformed", "body is not a JWT (not ASCII)") from None
    if token.count(".") != 2:
        raise InvalidWebhook("malformed", "body is not a JWT (expected three dot-separated parts)")
    return token


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidWebhook("malformed", f"the JWT's {name} is not a number")
    return float(value)


def _check_times(claims: Mapping[str, Any], now: datetime, leeway: timedelta) -> None:
    at, slack = now.timestamp(), leeway.total_seconds()
    exp, nbf = _numeric_date(claims, "exp"), _numeric_date(claims, "nbf")
    if exp is not None and at > exp + slack:
        raise InvalidWebhook("expired", f"the JWT expired at {datetime.fromtimestamp(exp, timezone.utc).isoformat()}")
    if nbf is not None and at < nbf - slack:
        raise InvalidWebhook("not_yet_valid", "the JWT is not valid yet (nbf)")


def _json_object(value: Any, where: str) -> dict[str, Any]:
    """Wix nests JSON as strings; an already-decoded object is taken as it is (it is inside the signature)."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise InvalidWebhook("bad_json", f"{where} is not a JSON string")
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError:
        raise InvalidWebhook("bad_json", f"{where} is not valid JSON") from None
    if not isinstance(decoded, dict):
        raise InvalidWebhook("bad_json", f"{where} is JSON but not an object")
    return decoded


def valid_instance_id(value: str | None) -> bool:
    return isinstance(value, str) and INSTANCE_ID.fullmatch(value) is not None


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as Wix writes them ("2023-01-25T13:45:21.129908Z"), aware and in UTC; None otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # not a time, or one past the calendar's ends once in UTC
        return None


def event_digest(event_type: str, instance_id: str, event: Mapping[str, Any]) -> str:
    """A stable id for an event that carries none: the same content gives the same id however it was
    serialized. (A legacy event that repeats an earlier one exactly is therefore taken once.)"""
    canonical = json.dumps([event_type, instance_id, event], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def unwrap(claims: Mapping[str, Any]) -> WixEnvelope:
    """The envelope inside verified JWT claims."""
    if claims.get("data") is None:
        raise InvalidWebhook("missing_fields", "the JWT has no data claim")
    envelope = _json_object(claims["data"], "data")
    event_type, instance_id = _text(envelope.get("eventType")), _text(envelope.get("instanceId"))
    missing = [n for n, v in (("eventType", event_type), ("instanceId", instance_id)) if v is None]
    if envelope.get("data") is None:
        missing.append("data")
    if missing:
        raise InvalidWebhook("missing_fields", f"the envelope lacks {', '.join(missing)}")
    assert event_type is not None and instance_id is not None
    if not valid_instance_id(instance_id):
        raise InvalidWebhook("missing_fields", "the envelope's instanceId is not an instance id")
    event = _json_object(envelope["data"], "data.data")
    raw_identity = envelope.get("identity")
    identity = None if raw_identity in (None, "") else _json_object(raw_identity, "data.identity")
    return WixEnvelope(
        event_type=event_type,
        instance_id=instance_id,
        event_id=_text(event.get("id")) or event_digest(event_type, instance_id, event),
        entity_fqdn=_text(event.get("entityFqdn")),
        slug=_text(event.get("slug")),
        event=event,
        identity=identity,
        event_time=parse_time(event.get("eventTime")),
        issued_at=_issued(claims.get("iat")),
    )


def _issued(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc) if value is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def verify_webhook(
    body: bytes, public_key_pem: str, *, now: datetime | None = None, leeway: timedelta = LEEWAY
) -> WixEnvelope:
    """Verify a webhook body (the raw JWT) with the app's public key and unwrap it; InvalidWebhook otherwise."""
    token = _token(body)
    key = _public_key(public_key_pem)
    try:
        alg = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError as exc:
        raise InvalidWebhook("malformed", f"the JWT header cannot be read ({exc})") from None
    if alg != ALGORITHM:
        raise InvalidWebhook("unsupported_algorithm", f"alg {alg!r} is refused; Wix signs webhooks {ALGORITHM}")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            # times are checked below against `now`; Wix sets no audience or issuer we could check
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                     "verify_iss": False},
        )
    except jwt.InvalidSignatureError:
        raise InvalidWebhook("bad_signature", "the JWT's signature does not match the app's public key") from None
    except jwt.InvalidAlgorithmError:
        raise InvalidWebhook("unsupported_algorithm", f"only {ALGORITHM} is accepted") from None
    except jwt.PyJWTError as exc:
        raise InvalidWebhook("malformed", f"the JWT cannot be decoded ({exc})") from None
    _check_times(claims, now or datetime.now(timezone.utc), leeway)
    return unwrap(claims)


# -- the dashboard's signed instance ------------------------------------------------------------------------


def _b64url_decode(segment: str) -> bytes:
    if not _B64URL.match(segment):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def instance_signature(payload_segment: str, app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), payload_segment.encode("ascii"), hashlib.sha256).digest()


def instance_param(claims: Mapping[str, Any], app_secret: str) -> str:
    """An `instance` parameter as Wix builds it, for tests and the demo store."""
    payload = _b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{_b64url_encode(instance_signature(payload, app_secret))}.{payload}"


def verify_instance(
    instance: str,
    app_secret: str,
    *,
    now: datetime,
    max_age: timedelta = MAX_INSTANCE_AGE,
    skew: timedelta = INSTANCE_CLOCK_SKEW,
) -> InstanceInfo:
    """Verify the dashboard's signed `instance` parameter (constant-time) and read it; InvalidInstance otherwise."""
    if not app_secret:
        raise InvalidInstance("no_secret", "no Wix app secret is configured")
    signature_segment, dot, payload_segment = (instance or "").strip().partition(".")
    if not dot or not signature_segment or not payload_segment or "." in payload_segment:
        raise InvalidInstance("malformed", "expected <signature>.<payload>")
    try:
        signature = _b64url_decode(signature_segment)
        payload = _b64url_decode(payload_segment)
    except (binascii.Error, ValueError):
        raise InvalidInstance("malformed", "the signature or payload is not base64url") from None
    if not hmac.compare_digest(instance_signature(payload_segment, app_secret), signature):
        raise InvalidInstance("bad_signature", "the signature does not match the app secret")
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInstance("bad_json", "the payload is not JSON") from None
    if not isinstance(claims, dict):
        raise InvalidInstance("bad_json", "the payload is not a JSON object")
    instance_id = _text(claims.get("instanceId"))
    if instance_id is None or not valid_instance_id(instance_id):
        raise InvalidInstance("missing_fields", "the payload has no instanceId")
    sign_date = parse_time(claims.get("signDate"))
    if sign_date is None:
        raise InvalidInstance("missing_fields", "the payload has no readable signDate")
    if now - sign_date > max_age:
        raise InvalidInstance("expired", f"signed at {sign_date.isoformat()}, more than {max_age} ago")
    if sign_date - now > skew:
        raise InvalidInstance("not_yet_valid", f"signed at {sign_date.isoformat()}, in the future")
    return InstanceInfo(
        instance_id=instance_id,
        sign_date=sign_date,
        uid=_text(claims.get("uid")),
        permissions=_text(claims.get("permissions")),
        site_owner_id=_text(claims.get("siteOwnerId")),
        vendor_product_id=_text(claims.get("vendorProductId")),
        claims=claims,
    )
