"""`/api/v1/helpdesk/test`, `DELETE /api/v1/helpdesk`, `DELETE /api/v1/carrier-accounts/<id>`: the settings
page's checks and disconnections.

The routes are added to web.api's blueprint, so its session-token check, its CSRF guard and its 400 for a bad
body apply here too. Testing the helpdesk signs in with the credentials already stored, through the adapter's
own `check()` (the one connecting runs), and records the outcome on the account where the settings page shows
it: a refusal disables the integration as a failed ticket would (cases stay in Forewarn until it is
reconnected), an unreachable helpdesk is noted but left on (the ticket jobs retry), a success clears both and
sends the open cases that waited. Nothing secret is ever answered or logged.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from connectors import helpdesks
from core.domain.model import CarrierAccount, HelpdeskAccount
from core.errors import ConnectorError, RateLimited, Transient, Unauthorized
from jobs.dispatch import enqueue_ticket_sync
from jobs.runtime import utcnow
from web.api import _shop, bp, forget_tickets, helpdesk_view, not_installed

log = logging.getLogger(__name__)


def helpdesk_label(kind: str) -> str:
    return helpdesks.KINDS[kind].label if kind in helpdesks.KINDS else kind


def _check(rt: Any, kind: str, credentials: dict[str, str]) -> tuple[str, str | None]:
    """("ok" | "refused" | "unreachable", the reason): one sign-in with these credentials."""
    try:
        helpdesks.build(kind, credentials, rt.http, rt.settings.helpdesk_simulator_url, rt.settings.smtp_url,
                        rt.settings.allow_private_network).check()
    except Unauthorized as exc:
        return "refused", f"{helpdesk_label(kind)} refused the stored credentials: {exc}"
    except (RateLimited, Transient) as exc:
        return "unreachable", f"{helpdesk_label(kind)} could not be reached: {exc}"
    except ConnectorError as exc:  # Permanent: the helpdesk answered, but not as a working account does
        return "refused", f"{helpdesk_label(kind)} refused the check: {exc}"
    return "ok", None


@bp.post("/helpdesk/test")
def test_helpdesk() -> ResponseReturnValue:
    """Sign in to the connected helpdesk with the stored credentials: 200 {ok: true}, or 200 {ok: false,
    outcome, error} with the helpdesk's reason, recorded on the account."""
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        account = uow.repo.helpdesk_account(shop.id)
        if account is None:
            return jsonify(error="no helpdesk is connected: connect one first"), 404
        account_id, kind, ciphertext = account.id, account.kind, account.credentials_ciphertext
    outcome, reason = _check(rt, kind, json.loads(rt.cipher.decrypt(ciphertext)))
    now = utcnow()
    with rt.uow() as uow:
        account = uow.session.get(HelpdeskAccount, account_id)
        if account is None or account.credentials_ciphertext != ciphertext:  # disconnected or replaced meanwhile
            return jsonify(error="the helpdesk connection changed while it was tested; reload the page"), 409
        waiting: list[int] = []
        if outcome == "ok":
            if account.status != "active":  # it works again: the cases that waited reach it now
                waiting = list(uow.repo.active_case_ids(account.shop_id))
            account.status, account.error = "active", None
        elif outcome == "refused":
            account.status, account.error = "disabled", f"{reason} — reconnect the helpdesk; cases stay in Forewarn"
        else:
            account.error = f"test on {now:%Y-%m-%d %H:%M} UTC: {reason}"
        uow.after_commit(lambda: [enqueue_ticket_sync(rt.redis, case_id, now) for case_id in waiting])
        uow.commit()
        log.info("shop %s: helpdesk %s tested: %s", account.shop_id, kind, outcome)
        return jsonify(ok=outcome == "ok", outcome=outcome, error=reason, helpdesk=helpdesk_view(account))


@bp.delete("/helpdesk")
def disconnect_helpdesk() -> ResponseReturnValue:
    """Forget the helpdesk and its credentials. Cases stay, worked in Forewarn; their ticket links are
    forgotten, so a helpdesk connected later gets a ticket for each open case (an old ticket is found again by
    its external id if the same helpdesk comes back)."""
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        account = uow.repo.helpdesk_account(shop.id)
        if account is None:
            return jsonify(helpdesk_view(None))
        forget_tickets(uow, shop.id)
        uow.session.delete(account)
        uow.commit()
        log.info("shop %s: helpdesk %s disconnected", shop.id, account.kind)
        return jsonify(helpdesk_view(None))


@bp.delete("/carrier-accounts/<int:account_id>")
def delete_carrier_account(account_id: int) -> ResponseReturnValue:
    """Remove one of the shop's carrier accounts and its credentials; that carrier's parcels fall back to the
    account for every carrier, if there is one."""
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        account = uow.session.scalars(select(CarrierAccount).where(
            CarrierAccount.id == account_id, CarrierAccount.shop_id == shop.id)).one_or_none()
        if account is None:
            return jsonify(error="no such carrier account"), 404
        carrier = account.carrier
        uow.session.delete(account)
        uow.commit()
        log.info("shop %s: carrier account %s (%s) removed", shop.id, account_id, carrier)
        return jsonify(deleted=account_id, carrier=carrier)
