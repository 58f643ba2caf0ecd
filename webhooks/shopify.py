"""`POST /webhooks/shopify`: every Shopify topic; the topic comes from the header."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from connectors import STORE_CONNECTORS
from connectors.shopify.verify import valid_shop_domain, valid_webhook, webhook_headers
from jobs.runtime import utcnow
from webhooks.intake import Delivery, accept, reject

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_shopify", __name__)
#: Shopify retries a failed delivery for hours, not days; an older one is a replay.
MAX_DELIVERY_AGE = timedelta(hours=48)


def stale(triggered_at: str | None, now: datetime) -> bool:
    if not triggered_at:
        return False
    try:
        triggered = datetime.fromisoformat(triggered_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if triggered.tzinfo is None:
        triggered = triggered.replace(tzinfo=timezone.utc)
    return now - triggered > MAX_DELIVERY_AGE


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
    elif stale(headers.triggered_at, utcnow()):
        outcome = reject(rt, delivery, f"delivery triggered at {headers.triggered_at}, longer ago than Shopify retries")
    else:
        outcome = accept(rt, STORE_CONNECTORS["shopify"], delivery)
    return jsonify(outcome.json()), outcome.http_status
