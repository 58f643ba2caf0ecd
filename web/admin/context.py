"""Who is looking at an admin page, and the page around what they see.

Every `/admin…` page is bound to one shop by that platform's own mechanism, checked on every request:

- Shopify: the App Bridge session token in `id_token` (Shopify adds it when it loads the app's frame). A page
  opened without one inside the admin (a link within the app) gets the *bounce page*: App Bridge hands it a
  fresh session token and the page reloads with it (https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens).
- Wix: the signed `instance` Wix adds to the dashboard frame (HMAC, at most a day old; connectors/wix/verify.py),
  carried on the app's own links.
- WooCommerce: the store's cookie session opened by a sign-in link (web/woocommerce.py); never framed.
- `forewarn demo`: the demo shop chosen by `?shop=`, only when the app runs as the demo.

A page's API calls carry a bearer token (App Bridge's session token, or a signed store token the page is given),
never a cookie, so another site cannot make them (CSRF): see web/api.py's guard. The answer carries a
Content-Security-Policy allowing only our own scripts and styles, plus App Bridge when Shopify frames the page,
and the platform's `frame-ancestors`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from flask import current_app, make_response, render_template, request
from flask.typing import ResponseReturnValue

from connectors.shopify.verify import valid_shop_domain
from connectors.wix import verify as wix_verify
from core.domain.model import Shop, ShopStatus
from jobs.runtime import Runtime, utcnow
from web.auth import ShopSession, Unauthenticated, demo_token, frame_ancestors, session_from_token, store_token
from web.woocommerce import signed_in_store

log = logging.getLogger(__name__)

#: The pages, in the order of the navigation: (endpoint, path, label).
NAV = (
    ("overview", "/admin", "Overview"),
    ("shipments", "/admin/shipments", "Shipments"),
    ("cases", "/admin/cases", "Cases"),
    ("rules", "/admin/rules", "Rules"),
    ("messages", "/admin/messages", "Messages"),
    ("settings", "/admin/settings", "Settings"),
    ("orders", "/admin/orders", "Orders & logs"),
)
WIX_FRAME_ANCESTORS = "https://manage.wix.com https://*.wix.com https://*.editorx.com"
SHOPIFY_APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js"


@dataclass
class AdminContext:
    """The shop a page is for, how its API calls authenticate, and what its links must carry."""

    session: ShopSession
    #: Query parameters every link inside the admin keeps (Wix's instance, Shopify's shop/host, the demo's shop).
    carry: dict[str, str] = field(default_factory=dict)
    api_token: str | None = None  # None inside Shopify: App Bridge supplies session tokens
    embedded: bool = False  # framed by Shopify's admin (App Bridge present)

    @property
    def platform(self) -> str:
        return self.session.platform

    @property
    def shop_domain(self) -> str:
        return self.session.shop

    def url(self, path: str, **params: Any) -> str:
        query = {**self.carry, **{k: v for k, v in params.items() if v not in (None, "")}}
        return f"{path}?{urlencode(query)}" if query else path


class PageRefused(Exception):
    def __init__(self, response: ResponseReturnValue) -> None:
        super().__init__("page refused")
        self.response = response


def runtime() -> Runtime:
    return current_app.extensions["forewarn"]


def _problem(status: int, title: str, detail: str) -> ResponseReturnValue:
    return render_template("problem.html", title=title, detail=detail), status


def _demo_context(rt: Runtime) -> AdminContext:
    with rt.uow() as uow:
        shops = uow.repo.shops()
        wanted = request.args.get("shop")
        chosen = next((s for s in shops if s.domain == wanted), shops[0] if shops else None)
        if chosen is None:
            raise PageRefused(_problem(404, "No shop yet", "The demo shop appears as soon as the demo starts."))
        platform, domain = chosen.platform, chosen.domain
    return AdminContext(ShopSession(platform, domain, None), carry={"shop": domain},
                        api_token=demo_token(domain, platform))


def _bounce() -> ResponseReturnValue:
    """Shopify's bounce page: App Bridge gives a fresh session token and the page reloads with it (once: a
    token that fails again after the bounce is refused, never a reload loop). Only for a real shop domain,
    which the bounce page's frame-ancestors names."""
    shop = request.args.get("shop")
    if request.args.get("bounced") or not valid_shop_domain(shop):
        raise PageRefused(_problem(401, "Open Forewarn from your Shopify admin",
                                   "This page only works inside your store's admin."))
    response = make_response(render_template("admin/bounce.html", api_key=runtime().settings.shopify_api_key or ""))
    response.headers["Content-Security-Policy"] = content_security_policy("shopify", request.args.get("shop"))
    return response


def wix_context(rt: Runtime, instance: str) -> AdminContext:
    """A page of the Wix site whose signed `instance` (checked here, on every page) Wix framed it with."""
    if not rt.settings.wix_app_secret:
        raise PageRefused(_problem(503, "Forewarn is not configured", "WIX_APP_SECRET must be set."))
    try:
        info = wix_verify.verify_instance(instance, rt.settings.wix_app_secret, now=datetime.now(timezone.utc))
    except wix_verify.InvalidInstance as exc:
        log.info("Wix admin page refused: %s", exc)
        raise PageRefused(_problem(401, "Open Forewarn from your Wix dashboard",
                                   "This page only opens inside your site's dashboard.")) from None
    return AdminContext(ShopSession("wix", info.instance_id, None), carry={"instance": instance},
                        api_token=store_token("wix", info.instance_id))


def resolve() -> AdminContext:
    """The page's shop, by the platform's mechanism; raises PageRefused with the answer to give otherwise."""
    rt = runtime()
    args = request.args
    if args.get("instance"):  # Wix's dashboard frame, the demo's simulated site included
        return wix_context(rt, args["instance"])
    if rt.settings.demo:
        return _demo_context(rt)
    if args.get("id_token"):
        try:
            shop_session = session_from_token(args["id_token"])
        except Unauthenticated as exc:
            log.info("admin page refused: %s", exc)
            if args.get("embedded") == "1":
                raise PageRefused(_bounce()) from None  # an expired token: App Bridge has a fresh one
            raise PageRefused(_problem(401, "Open Forewarn from your Shopify admin",
                                       "This page only works inside your store's admin.")) from None
        if shop_session.platform != "shopify":
            raise PageRefused(_problem(401, "Open Forewarn from your store's admin", "This link is not for this page."))
        carry = {k: args[k] for k in ("shop", "host", "embedded") if args.get(k)}
        carry["shop"] = shop_session.shop
        return AdminContext(shop_session, carry=carry, embedded=True)
    domain = signed_in_store()
    if domain is not None:
        return AdminContext(ShopSession("woocommerce", domain, None), api_token=store_token("woocommerce", domain))
    if args.get("embedded") == "1" and args.get("shop"):
        raise PageRefused(_bounce())  # refuses itself for a domain that is no Shopify shop
    raise PageRefused(_problem(401, "Open Forewarn from your store's admin",
                               "Shopify and Wix open it inside your admin; a WooCommerce store signs in at "
                               "/login/woocommerce."))


def content_security_policy(platform: str, shop_domain: str | None, embedded: bool = True) -> str:
    """Only our own scripts, styles and images (App Bridge besides, inside Shopify), and only the platform's
    admin may frame the page."""
    scripts = "'self'" + (f" {SHOPIFY_APP_BRIDGE}" if platform == "shopify" and embedded else "")
    if platform == "shopify" and shop_domain:
        ancestors = frame_ancestors(shop_domain).removesuffix(";")
    elif platform == "wix":
        ancestors = f"frame-ancestors {WIX_FRAME_ANCESTORS}"
    else:
        ancestors = "frame-ancestors 'none'"
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", "style-src 'self'", "img-src 'self' data: blob:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        ancestors,
    ]) + ";"


def load_shop(rt: Runtime, ctx: AdminContext) -> Shop | None:
    with rt.uow() as uow:
        shop = uow.repo.shop(ctx.platform, ctx.shop_domain)
        if shop is not None:
            uow.session.expunge(shop)
        return shop


def render(ctx: AdminContext, template: str, active: str, shop: Shop | None, **values: Any) -> ResponseReturnValue:
    """A page of the admin: the layout (navigation, shop, demo clock) around the page's own template."""
    rt = runtime()
    other_shops: list[tuple[str, str]] = []
    if rt.settings.demo:
        with rt.uow() as uow:
            other_shops = [(s.platform, s.domain) for s in uow.repo.shops() if s.domain != ctx.shop_domain]
    html = render_template(
        template, ctx=ctx, active=active, nav=NAV, shop=shop, shop_domain=ctx.shop_domain, platform=ctx.platform,
        demo=rt.settings.demo, embedded=ctx.embedded, api_key=rt.settings.shopify_api_key or "",
        api_token=ctx.api_token, other_shops=other_shops, now=utcnow(), url=ctx.url,
        uninstalled=shop is not None and shop.status in (ShopStatus.UNINSTALLED, ShopStatus.REDACTED), **values,
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = content_security_policy(ctx.platform, ctx.shop_domain, ctx.embedded)
    response.headers["Referrer-Policy"] = "no-referrer"  # session tokens and Wix instances stay out of Referer
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
