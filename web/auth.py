"""Who is asking: every admin and API request is bound to exactly one shop.

In Shopify's admin the embedded page and its API calls carry an App Bridge session token (verified in
connectors/shopify/session_token.py). A WooCommerce store has no embedded admin: its merchant signs in with
a short-lived link (at install, or emailed on request; web/woocommerce.py), which opens a cookie session for
that one store, and the admin page hands its API calls a signed token for that store (`woo.` prefix, 12 h).
`forewarn demo` has no platform around it, so it issues a signed demo session for each demo shop instead;
that path exists only when the app runs as the demo.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from connectors.shopify.session_token import InvalidSessionToken, decode
from jobs.runtime import Runtime

DEMO_PREFIX = "demo."
DEMO_MAX_AGE = 12 * 3600
WOO_PREFIX = "woo."
WOO_MAX_AGE = 12 * 3600


class Unauthenticated(Exception):
    pass


@dataclass(frozen=True)
class ShopSession:
    platform: str
    shop: str
    session_token: str | None  # the raw Shopify session token (for token exchange), None in the demo


def _runtime() -> Runtime:
    return current_app.extensions["forewarn"]


def _demo_serializer(rt: Runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="forewarn-demo-session")


def demo_token(shop: str, platform: str = "shopify") -> str:
    rt = _runtime()
    if not rt.settings.demo:
        raise RuntimeError("demo sessions exist only in forewarn demo")
    return DEMO_PREFIX + _demo_serializer(rt).dumps({"shop": shop, "platform": platform})


#: Platforms whose admin page is opened outside Shopify: the page hands its API calls a signed token for its
#: one store (WooCommerce after a sign-in link, Wix from its dashboard's signed `instance`).
STORE_PREFIXES = {"woocommerce": WOO_PREFIX, "wix": "wix."}


def _store_serializer(platform: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"forewarn-{platform}-session")


def store_token(platform: str, shop: str) -> str:
    """The admin page's API token for one store of a platform without Shopify's session tokens (12 h)."""
    return STORE_PREFIXES[platform] + _store_serializer(platform).dumps({"shop": shop})


def session_from_token(token: str | None) -> ShopSession:
    rt = _runtime()
    if not token:
        raise Unauthenticated("missing session token")
    if token.startswith(DEMO_PREFIX):
        if not rt.settings.demo:
            raise Unauthenticated("demo sessions are not accepted here")
        try:
            data = _demo_serializer(rt).loads(token[len(DEMO_PREFIX):], max_age=DEMO_MAX_AGE)
        except BadSignature:
            raise Unauthenticated("invalid demo session") from None
        return ShopSession(data.get("platform", "shopify"), data["shop"], None)
    for platform, prefix in STORE_PREFIXES.items():
        if token.startswith(prefix):
            try:
                data = _store_serializer(platform).loads(token[len(prefix):], max_age=WOO_MAX_AGE)
            except BadSignature:
                raise Unauthenticated("invalid or expired store session; open Forewarn again") from None
            return ShopSession(platform, data["shop"], None)
    if not rt.settings.shopify_api_key:
        raise Unauthenticated("SHOPIFY_API_KEY is not set")
    try:
        verified = decode(token, rt.settings.shopify_api_key, rt.settings.shopify_secrets)
    except InvalidSessionToken as exc:
        raise Unauthenticated(str(exc)) from None
    return ShopSession("shopify", verified.shop, token)


def session_from_header(authorization: str | None) -> ShopSession:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("missing 'Authorization: Bearer <session token>'")
    return session_from_token(authorization[len("Bearer "):].strip())


def frame_ancestors(shop: str) -> str:
    """Only the merchant's own store admin may frame the app (https://shopify.dev/docs/apps/build/security/set-up-iframe-protection)."""
    return f"frame-ancestors https://{shop} https://admin.shopify.com;"
