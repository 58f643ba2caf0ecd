"""Shopify session tokens (App Bridge ID tokens): HS256 JWTs signed with the app secret.

Checked as Shopify's libraries do (shopify.session_token, shopify-api-js decodeSessionToken):
`aud` is the API key, `exp`/`nbf` hold with 10 s leeway (App Bridge often sends an `nbf` a little in
the future), `iss` is `https://{shop}/admin` and `dest` is `https://{shop}` for the same valid shop.
`sub` and `sid` may be absent (the Ruby library treats them as nullable), so they are not required.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from connectors.shopify.verify import valid_shop_domain

LEEWAY_SECONDS = 10


class InvalidSessionToken(ValueError):
    pass


@dataclass(frozen=True)
class SessionToken:
    shop: str
    user_id: str | None
    session_id: str | None
    raw: str


def _host(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return parts.hostname if parts.scheme == "https" else None


def decode(token: str, api_key: str, secrets: Iterable[str]) -> SessionToken:
    """Verify a session token against the app's secret(s); the shop it is bound to, or InvalidSessionToken."""
    last: Exception | None = None
    for secret in [s for s in secrets if s]:
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                audience=api_key,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iss", "dest", "aud"]},
            )
            break
        except jwt.InvalidSignatureError as exc:
            last = exc
        except jwt.PyJWTError as exc:
            raise InvalidSessionToken(f"session token rejected: {exc}") from None
    else:
        raise InvalidSessionToken(f"session token rejected: {last or 'no app secret configured'}")

    shop = _host(claims.get("dest"))
    if shop is None or not valid_shop_domain(shop):
        raise InvalidSessionToken("session token's dest is not a shop")
    issuer = claims.get("iss")
    if _host(issuer) != shop or urlsplit(str(issuer)).path.rstrip("/") != "/admin":
        raise InvalidSessionToken("session token's iss and dest name different shops")
    return SessionToken(shop=shop, user_id=claims.get("sub"), session_id=claims.get("sid"), raw=token)


def from_header(authorization: str | None, api_key: str, secrets: Iterable[str]) -> SessionToken:
    if not authorization or not authorization.startswith("Bearer "):
        raise InvalidSessionToken("missing 'Authorization: Bearer <session token>'")
    return decode(authorization[len("Bearer "):].strip(), api_key, secrets)
