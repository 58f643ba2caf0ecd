"""`POST /webhooks/woocommerce/<installation>`: one store's webhooks. Each store signs with a secret of its own,
so the address names the installation; the body is verified against that secret before anything is stored.

WooCommerce's delivery id changes on every delivery of the same change, so the receipt is keyed on what does
not: the topic, the order and its `date_modified_gmt` (connectors/woocommerce/mapping.py `dedupe_key`). The
unsigned ping WooCommerce sends when a webhook is created (`webhook_id=N`) is answered 200 and nothing more.
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from connectors import STORE_CONNECTORS
from connectors.woocommerce import mapping, verify
from core.domain.model import WooStatus
from webhooks.intake import Delivery, accept, reject

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_woocommerce", __name__)


@bp.post("/webhooks/woocommerce/<public_id>")
def receive(public_id: str) -> ResponseReturnValue:
    body = request.get_data(cache=False)
    headers = verify.webhook_headers(request.headers)
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        installation = uow.repo.woo_installation(public_id[:40])
        if installation is None or installation.status not in (WooStatus.ACTIVE, WooStatus.NEEDS_REAUTH) \
                or not installation.webhook_secret_ciphertext:
            return jsonify(error="unknown webhook address"), 404
        secret = rt.cipher.decrypt(installation.webhook_secret_ciphertext)
        domain = installation.store_url.split("://", 1)[1]
    if verify.ping_webhook_id(body, request.headers) is not None:
        return "", 200  # the creation ping: WooCommerce wants exactly 200
    if not verify.valid_webhook(body, headers.signature, secret):
        return jsonify(error="invalid signature"), 401
    delivery = Delivery(platform="woocommerce", topic=headers.topic, delivery_id=_key(domain, headers, body),
                        shop_domain=domain, body=body, event_id=headers.delivery_id)
    outcome = accept(rt, STORE_CONNECTORS["woocommerce"], delivery) if delivery.delivery_id \
        else reject(rt, delivery, "missing topic or delivery id header")
    return jsonify(outcome.json()), outcome.http_status


def receipt_key(domain: str, change: str) -> str:
    """Receipt keys are unique per platform: the store's address keeps two stores' order 727 apart."""
    return f"{domain}|{change}"


def _key(domain: str, headers: verify.WebhookHeaders, body: bytes) -> str | None:
    """The stable key of this change; for a body that is not an order, the delivery's own id, so that it is
    still recorded (and rejected with a reason) once."""
    try:
        payload = json.loads(body)
        if isinstance(payload, dict) and headers.topic:
            return receipt_key(domain, mapping.dedupe_key(headers.topic, payload, headers.delivery_id))
    except (ValueError, KeyError, TypeError):
        pass
    return receipt_key(domain, f"delivery:{headers.delivery_id}") if headers.delivery_id else None
