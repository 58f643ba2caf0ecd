"""`/install/shopify…`: Shopify's authorization-code grant and the token exchange of embedded apps.

The code and session-token exchanges are the only outbound calls made inside a web request: the
merchant is waiting for them and Shopify's codes are short-lived. Everything after (webhook
registration) runs in a job.
https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from connectors.errors import ConnectorError, Transient, Unauthorized
from connectors.shopify.client import ShopifyClient
from connectors.shopify.oauth import InvalidRequest, authorize_url, check_signed_request, embedded_app_url
from core.adapters.crypto import SecretKeyMissing
from core.domain.events import ShopAuthorized
from core.domain.model import OAuthState
from jobs.runtime import Runtime, utcnow

log = logging.getLogger(__name__)
bp = Blueprint("install", __name__)
STATE_TTL = timedelta(minutes=10)


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def _params() -> dict[str, str | list[str]]:
    return {k: (v if k.endswith("[]") else v[-1]) for k, v in request.args.lists()}


def problem(status: int, title: str, detail: str) -> ResponseReturnValue:
    return render_template("problem.html", title=title, detail=detail), status


def _configured(rt: Runtime) -> bool:
    return bool(rt.settings.shopify_api_key and rt.settings.shopify_api_secret and rt.settings.secret_key)


def store_token(rt: Runtime, shop: str, access_token: str, scopes: str | None) -> None:
    rt.bus.handle([ShopAuthorized("shopify", shop, rt.cipher.encrypt(access_token), scopes)])


@bp.get("/install/shopify")
def begin() -> ResponseReturnValue:
    rt = _rt()
    if not _configured(rt):
        return problem(503, "Forewarn is not configured", "SHOPIFY_API_KEY, SHOPIFY_API_SECRET and FOREWARN_SECRET_KEY must be set.")
    try:
        shop = check_signed_request(_params(), rt.settings.shopify_secrets, utcnow())
    except InvalidRequest as exc:
        return problem(400, "This install link is not valid", str(exc))
    nonce = secrets.token_urlsafe(24)
    with rt.uow() as uow:
        uow.repo.add(OAuthState(nonce=nonce, shop_domain=shop, created_at=utcnow()))
        uow.commit()
    session["shopify_oauth_state"] = nonce  # binds the callback to this browser as well
    redirect_uri = f"{rt.settings.base_url}/install/shopify/callback"
    return redirect(authorize_url(shop, rt.settings.shopify_api_key or "", rt.settings.shopify_scopes, redirect_uri, nonce))


@bp.get("/install/shopify/callback")
def callback() -> ResponseReturnValue:
    rt = _rt()
    if not _configured(rt):
        return problem(503, "Forewarn is not configured", "SHOPIFY_API_KEY, SHOPIFY_API_SECRET and FOREWARN_SECRET_KEY must be set.")
    params = _params()
    try:
        shop = check_signed_request(params, rt.settings.shopify_secrets, utcnow())
    except InvalidRequest as exc:
        return problem(400, "This install callback is not valid", str(exc))
    nonce = params.get("state")
    code = params.get("code")
    if not isinstance(nonce, str) or not isinstance(code, str) or not code:
        return problem(400, "This install callback is not valid", "state or code is missing")
    cookie_nonce = session.pop("shopify_oauth_state", None)
    with rt.uow() as uow:
        state = uow.repo.oauth_state(nonce)
        now = utcnow()
        if (
            state is None
            or state.used_at is not None
            or state.shop_domain != shop
            or now - state.created_at > STATE_TTL
            or not secrets.compare_digest(str(cookie_nonce or ""), nonce)
        ):
            return problem(400, "This install callback is not valid", "the state is unknown, used, expired or for another shop")
        state.used_at = now  # single use, committed before anything else happens
        uow.commit()

    client = ShopifyClient(shop, http=rt.http)
    try:
        grant = client.exchange_code(rt.settings.shopify_api_key or "", rt.settings.shopify_api_secret or "", code)
    except Transient as exc:
        log.warning("Shopify token exchange for %s failed transiently: %s", shop, exc)
        return problem(502, "Shopify did not answer", "Please try installing again in a moment.")
    except (Unauthorized, ConnectorError) as exc:
        log.warning("Shopify refused the code for %s: %s", shop, exc)
        return problem(400, "Shopify refused the install", "Please start the install again from your Shopify admin.")
    try:
        store_token(rt, shop, grant.access_token, grant.scope)
    except SecretKeyMissing as exc:
        return problem(503, "Forewarn is not configured", str(exc))
    return redirect(embedded_app_url(shop, rt.settings.shopify_api_key or ""))


def exchange_session_token(rt: Runtime, shop: str, session_token: str) -> None:
    """Managed installs: the embedded app's session token becomes an offline token (no redirect)."""
    client = ShopifyClient(shop, http=rt.http)
    grant = client.exchange_session_token(rt.settings.shopify_api_key or "", rt.settings.shopify_api_secret or "", session_token)
    store_token(rt, shop, grant.access_token, grant.scope)
