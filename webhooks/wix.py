"""`POST /webhooks/wix`: every Wix event. The body is a JWT signed RS256 with the app's key pair: verified
(signature and expiry) before anything is stored, unwrapped, and its inner domain event stored as the
receipt, keyed on the event's own id — Wix resends for about two days and out of order, and gives up on a
delivery after 1.25 s, so the answer comes right after the receipt is stored; the work runs in a job.

The app's removal from a site is handled here at once: nothing more is called or processed for that site.
Events for a site Forewarn does not know (never installed, or removed) are answered 404 and not processed.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from connectors import STORE_CONNECTORS
from connectors.wix import mapping, verify
from jobs.runtime import utcnow
from webhooks.intake import Delivery, accept

log = logging.getLogger(__name__)
bp = Blueprint("webhooks_wix", __name__)
#: The app-instance event saying the app was installed (Wix's legacy app event name, like AppRemoved's;
#: not confirmed against a live site).
INSTALL_EVENTS = frozenset({"AppInstalled"})


@bp.post("/webhooks/wix")
def receive() -> ResponseReturnValue:
    body = request.get_data(cache=False)
    rt = current_app.extensions["forewarn"]
    if not rt.settings.wix_public_key:
        log.error("WIX_PUBLIC_KEY is not set: every Wix webhook is refused")
        return jsonify(error="webhook verification is not configured"), 401
    try:
        # the JWT's expiry is the real world's: read on the wall clock, never the demo's fast one
        envelope = verify.verify_webhook(body, rt.settings.wix_public_key, now=datetime.now(timezone.utc))
    except verify.InvalidWebhook as exc:
        return jsonify(error=f"invalid webhook: {exc}"), 401
    from jobs import wix

    with rt.uow() as uow:
        installation = uow.repo.wix_installation(envelope.instance_id)
        status = installation.status if installation is not None else None
    if mapping.is_uninstall(envelope.event_type):
        return jsonify(result=wix.remove_site(envelope.instance_id, utcnow(), envelope.issued_at)), 200
    if envelope.event_type in INSTALL_EVENTS:  # Wix itself, signing, says the app is installed there
        if status != "installed":
            wix.install_site(envelope.instance_id, utcnow())
        return jsonify(result="installed"), 200
    if status == "removed":  # Wix resends for days: answered, not processed, not retried
        return jsonify(result="ignored", error="the app was removed from this site"), 200
    if status is None:
        return jsonify(error="this site has not installed Forewarn"), 404
    delivery = Delivery(platform="wix", topic=envelope.event_type, delivery_id=f"{envelope.instance_id}|{envelope.event_id}",
                        shop_domain=envelope.instance_id, body=json.dumps(envelope.event).encode(),
                        event_id=envelope.event_id, triggered_at=_iso(envelope.event_time))
    outcome = accept(rt, STORE_CONNECTORS["wix"], delivery)
    return jsonify(outcome.json()), outcome.http_status


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else (str(value) if value else None)
