"""`/admin`: the page merchants open inside their Shopify admin, bound to one shop.

Shopify loads it with a session token in `id_token` (App Bridge then supplies fresh ones to the page's
API calls). A shop that has no offline token yet — a managed install, or one whose token was revoked —
gets one through the token exchange here. The answer carries `frame-ancestors` for that shop only.
`forewarn demo` has no Shopify around it: its page is for the demo shop, with a signed demo session.
The full admin (charts, cases, rules) is a later piece of work; this page shows the install state,
orders and parcels, and the logs an admin needs: webhooks, write-backs and privacy requests.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, current_app, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from connectors.errors import ConnectorError
from connectors.shopify.oauth import InvalidRequest, check_signed_request
from core.adapters.crypto import SecretKeyMissing
from connectors import helpdesks
from core.domain.replies import FIELDS, library
from core.services.views import case_views
from web.api_messaging import message_summary, send_log
from web.report import link_maker
from jobs.runtime import Runtime, utcnow
from web.auth import Unauthenticated, demo_token, frame_ancestors, session_from_token
from web.install import exchange_session_token, problem

log = logging.getLogger(__name__)
bp = Blueprint("admin", __name__)


def _demo_shop(rt: Runtime) -> tuple[str, str] | None:
    """(platform, domain) of the demo shop asked for, else the first."""
    with rt.uow() as uow:
        shops = uow.repo.shops()
        wanted = request.args.get("shop")
        chosen = next((s for s in shops if s.domain == wanted), shops[0] if shops else None)
        return (chosen.platform, chosen.domain) if chosen else None


@bp.get("/admin")
def page() -> ResponseReturnValue:
    rt: Runtime = current_app.extensions["forewarn"]
    if rt.settings.demo:
        chosen = _demo_shop(rt)
        if chosen is None:
            return problem(404, "No shop yet", "The demo shop appears as soon as the demo starts.")
        platform, shop = chosen
        return render_shop(rt, shop, api_token=demo_token(shop, platform), embedded=False, platform=platform)

    id_token = request.args.get("id_token")
    try:
        session = session_from_token(id_token)
    except Unauthenticated as exc:
        try:  # Shopify's signed app-load request without a session token: a shop that must install first
            shop = check_signed_request(
                {k: v[-1] for k, v in request.args.lists()}, rt.settings.shopify_secrets, utcnow()
            )
            return redirect(f"/install/shopify?{urlencode(request.args)}")
        except InvalidRequest:
            log.info("admin page refused: %s", exc)
            return problem(401, "Open Forewarn from your Shopify admin", "This page only works inside your store's admin.")
    with rt.uow() as uow:
        stored = uow.repo.shop(session.platform, session.shop)
        installed = stored is not None and stored.active and stored.token_ciphertext
    if not installed and session.session_token:
        try:
            exchange_session_token(rt, session.shop, session.session_token)
        except (ConnectorError, SecretKeyMissing) as exc:
            log.warning("token exchange for %s failed: %s", session.shop, exc)
            return problem(502, "Forewarn could not finish installing", "Please reload the app in a moment.")
    return render_shop(rt, session.shop, api_token=None, embedded=True)


def render_shop(rt: Runtime, shop_domain: str, api_token: str | None, embedded: bool,
                platform: str = "shopify") -> ResponseReturnValue:
    with rt.uow() as uow:
        shop = uow.repo.shop(platform, shop_domain)
        other_shops = [(s.platform, s.domain) for s in uow.repo.shops() if s.domain != shop_domain] if rt.settings.demo else []
        orders = uow.repo.orders(shop.id, limit=200) if shop else []
        shipments_by_order = {o.id: list(uow.repo.shipments_of_order(o.id)) for o in orders}
        open_by_shipment: dict[int | None, list] = {}
        for incident in (uow.repo.incidents(shop.id, limit=500) if shop else []):
            if incident.status == "open":
                open_by_shipment.setdefault(incident.shipment_id or -incident.order_id, []).append(incident)
        latest_scan = {
            s.id: (uow.repo.tracking_events(s.id) or [None])[-1] for ships in shipments_by_order.values() for s in ships
        }
        html = render_template(
            "admin.html",
            shop=shop,
            shop_domain=shop_domain,
            orders=orders,
            shipments_by_order=shipments_by_order,
            latest_scan=latest_scan,
            now=utcnow(),
            receipts=uow.repo.receipts(limit=100, shop_domain=shop_domain),
            write_backs=uow.repo.write_backs(shop.id, limit=50) if shop else [],
            compliance=uow.repo.compliance_requests(shop_domain, limit=20),
            incidents=uow.repo.incidents(shop.id, limit=100) if shop else [],
            clusters=uow.repo.open_clusters(shop.id) if shop else [],
            cases=case_views(uow, uow.repo.cases(shop.id, limit=50), link_maker(rt)) if shop else [],
            helpdesk=uow.repo.helpdesk_account(shop.id) if shop else None,
            helpdesk_kinds=helpdesks.KINDS,
            platform=platform,
            other_shops=other_shops,
            woo=uow.repo.woo_installation_of_shop(shop.id) if shop and platform == "woocommerce" else None,
            reply_library=library(shop.replies) if shop else {},
            reply_fields=FIELDS,
            messages=send_log(uow, shop.id) if shop else [],
            message_summary=message_summary(uow, shop.id) if shop else None,
            report_page=f"{rt.settings.base_url}/report?" + urlencode({"shop": shop_domain}),
            open_by_shipment=open_by_shipment,
            order_names={o.id: o.name for o in orders},
            demo=rt.settings.demo,
            embedded=embedded,
            api_key=rt.settings.shopify_api_key or "",
            api_token=api_token,
        )
    response = make_response(html)
    # only the merchant's own Shopify admin may frame the page; a WooCommerce store's page is never framed
    response.headers["Content-Security-Policy"] = frame_ancestors(shop_domain) if platform == "shopify" \
        else "frame-ancestors 'none';"
    return response
