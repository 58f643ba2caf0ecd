"""`POST /webhooks/shopify`: every Shopify topic; the topic comes from the header."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from connectors import STORE_CONNECTORS
from connectors.shopify.verify import valid_shop_domain, valid_webhook, webhook_headers
from webhooks.intake import Delivery, accept, reject

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_shopify", __name__)


@bp.post("/webhooks/shopify")
def receive() -> ResponseReturnValue:
    body = request.get_data(cache=False)  # the raw bytes: the HMAC is over them, before any parsing
    headers = webhook_headers(request.headers)
    rt = current_app.extensions["forewarn"]
    if not rt.settings.shopify_secrets:
        log.error("SHOPIFY_API_SECRET is not set: every Shopify webhook is refused")
        return jsonify(error="webhook verification is not configured"), 401
    if not valid_webhook(body, headers.hmac, rt.settings.shopify_secrets):
        return jsonify(error="invalid signature"), 401

    delivery = Delivery(
        platform="shopify",
        topic=headers.topic,
        delivery_id=headers.webhook_id,
        shop_domain=headers.shop_domain,
        body=body,
        event_id=headers.event_id,
        triggered_at=headers.triggered_at,
    )
    if not valid_shop_domain(headers.shop_domain):
        outcome = reject(rt, delivery, f"invalid shop domain header: {headers.shop_domain!r}")
    else:
        outcome = accept(rt, STORE_CONNECTORS["shopify"], delivery)
    return jsonify(outcome.json()), outcome.http_status
