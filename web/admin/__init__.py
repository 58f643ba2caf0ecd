"""`/admin…`: the pages merchants open from their store's admin — overview, shipments, cases, rules, messages,
settings, orders & logs — each bound to one shop (web/admin/context.py says how, per platform).

Each page is a module here that adds its routes to `bp`; `admin_page` resolves the page's shop before the
view runs and hands it the context and the shop row. Pages are server-rendered (templates/admin/), with
light progressive enhancement from web/static/admin/ (no inline script: the CSP forbids it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from flask import Blueprint, redirect, request
from flask.typing import ResponseReturnValue

from connectors.errors import ConnectorError
from connectors.shopify.oauth import InvalidRequest, check_signed_request
from core.adapters.crypto import SecretKeyMissing
from jobs.runtime import utcnow
from web.admin.context import AdminContext, PageRefused, load_shop, resolve, runtime
from web.install import exchange_session_token, problem

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)

View = Callable[[AdminContext, object], ResponseReturnValue]


def _install_redirect() -> ResponseReturnValue | None:
    """Shopify's signed app-load request without a session token: a shop that must install first."""
    if request.args.get("id_token") or not request.args.get("hmac"):
        return None
    try:
        check_signed_request({k: v[-1] for k, v in request.args.lists()}, runtime().settings.shopify_secrets, utcnow())
    except InvalidRequest:
        return None
    return redirect(f"/install/shopify?{urlencode(request.args)}")


def admin_page(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Resolve the page's shop (or answer for it), finish a Shopify install on first open, then run the view
    as `view(ctx, shop, **route_args)`."""

    @wraps(view)
    def wrapper(**kwargs: object) -> ResponseReturnValue:
        rt = runtime()
        if not rt.settings.demo and (install := _install_redirect()) is not None:
            return install
        try:
            ctx = resolve()
        except PageRefused as refused:
            return refused.response
        shop = load_shop(rt, ctx)
        installed = shop is not None and shop.active and (shop.token_ciphertext or ctx.platform != "shopify")
        if not installed and ctx.session.session_token:  # managed install, or a revoked token: exchange it
            try:
                exchange_session_token(rt, ctx.shop_domain, ctx.session.session_token)
            except (ConnectorError, SecretKeyMissing) as exc:
                log.warning("token exchange for %s failed: %s", ctx.shop_domain, exc)
                return problem(502, "Forewarn could not finish installing", "Please reload the app in a moment.")
            shop = load_shop(rt, ctx)
        return view(ctx, shop, **kwargs)

    return wrapper


from web.admin import cases, messages, orders, overview, rules, settings, shipments  # noqa: E402,F401  (routes)
