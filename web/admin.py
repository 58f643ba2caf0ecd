"""`/admin`: a plain page listing shops, orders, shipments and the webhook log.

Until the embedded admin (Shopify session tokens) lands, this page is open only in `forewarn demo`,
and elsewhere behind HTTP basic auth with `FOREWARN_ADMIN_PASSWORD`; with neither it answers 404,
so a production deployment never shows customer data to an anonymous visitor.
"""
from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

bp = Blueprint("admin", __name__)


@bp.before_request
def guard() -> ResponseReturnValue | None:
    rt = current_app.extensions["forewarn"]
    if rt.settings.demo or current_app.config.get("ADMIN_OPEN"):
        return None
    password = os.environ.get("FOREWARN_ADMIN_PASSWORD")
    if not password:
        abort(404)
    auth = request.authorization
    if auth is None or not hmac.compare_digest((auth.password or "").encode(), password.encode()):
        return Response("sign in", 401, {"WWW-Authenticate": 'Basic realm="Forewarn admin"'})
    return None


@bp.get("/admin")
def overview() -> ResponseReturnValue:
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shops = {s.id: s for s in uow.repo.shops()}
        orders = uow.repo.orders(limit=200)
        shipments_by_order: dict[int, list] = {}
        for shipment in uow.repo.shipments(limit=1000):
            shipments_by_order.setdefault(shipment.order_id, []).append(shipment)
        receipts = uow.repo.receipts(limit=100)
        return render_template(
            "admin.html",
            shops=shops,
            orders=orders,
            shipments_by_order=shipments_by_order,
            receipts=receipts,
            demo=rt.settings.demo,
        )
