"""`POST /webhooks/carriers/<carrier>?account=<id>`: carrier push (UPS Track Alert, EasyPost trackers).

Verified against the carrier account named in the URL (401 and nothing stored otherwise), stored as a
receipt (a redelivery of the same body is found by its hash), handled in a job; answered at once.
"""
from __future__ import annotations

import hashlib
import json
import logging

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError

from connectors.carriers import push
from core.adapters.receipts import store_receipt
from core.domain.model import CarrierAccount, ReceiptStatus
from jobs import queues
from jobs.runtime import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_carriers", __name__)


@bp.post("/webhooks/carriers/<carrier>")
def receive(carrier: str) -> ResponseReturnValue:
    body = request.get_data(cache=False)
    rt = current_app.extensions["forewarn"]
    if carrier not in push.CARRIERS:
        return jsonify(error=f"no push receiver for {carrier}"), 404
    account_id = request.args.get("account", type=int)
    if account_id is not None and not 0 < account_id < 2**63:
        account_id = None
    with rt.uow() as uow:
        account = uow.session.get(CarrierAccount, account_id) if account_id else None
        shop = uow.repo.shop_by_id(account.shop_id) if account else None
        ciphertext = account.credentials_ciphertext if account else None
        shop_domain = shop.domain if shop else None
    if account is None or shop_domain is None or not rt.settings.secret_key:
        return jsonify(error="unknown carrier account"), 401
    credentials = json.loads(rt.cipher.decrypt(ciphertext)) if ciphertext else {}
    if not push.verify(carrier, body, request.headers, rt.settings.secret_key, account_id, credentials):
        return jsonify(error="invalid signature"), 401

    delivery_id = f"{account_id}:{hashlib.sha256(body).hexdigest()}"
    try:
        push.parse(carrier, body)
    except ValueError as exc:
        store_receipt(rt.engine, platform=f"carrier:{carrier}", topic="push", delivery_id=delivery_id,
                      shop_domain=shop_domain, body=body, status=ReceiptStatus.REJECTED, error=str(exc),
                      received_at=utcnow())
        return jsonify(result="rejected", error=str(exc)), 400
    receipt_id = store_receipt(rt.engine, platform=f"carrier:{carrier}", topic="push", delivery_id=delivery_id,
                               shop_domain=shop_domain, body=body, status=ReceiptStatus.RECEIVED, received_at=utcnow())
    if receipt_id is None:
        return jsonify(result="duplicate"), 200
    try:
        queues.enqueue(rt.redis, queues.TRACKING, "jobs.tracking.ingest_push", receipt_id, account_id,
                       job_id=queues.job_id("push", carrier, delivery_id), description=f"{carrier} push")
    except RedisError as exc:
        log.error("could not enqueue %s push %s: %s", carrier, receipt_id, exc)
    return jsonify(result="accepted", receipt_id=receipt_id), 200
