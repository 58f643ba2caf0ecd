"""`/api/v1/rules`: the shop's rules (detection policy and the message settings the Rules page edits), and the
backtest of a draft against them.

The routes are added to web.api's blueprint, so its session-token check and its 400 for a bad body apply here
too; every body goes through web/rules_schema.RulesSchema, the schema the page's form is generated from. A
backtest replays stored history inside this request, twice (the draft and the current rules): it is bounded
to the latest MAX_BACKTEST_ORDERS orders, and says so (`sampled`) when a shop has more.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from core.adapters import ratelimit
from core.domain.model import Shipment, Shop
from core.domain.policy import Policy
from core.domain.policy_schema import to_stored
from core.domain.rules import CARRIER_NAMES
from core.services import backtest
from core.services.messaging import settings_of
from jobs.runtime import utcnow
from web.api import _shop, bp, load_body, not_installed
from web.rules_schema import RulesSchema, default_values, messaging_changes, values_of

log = logging.getLogger(__name__)

BACKTEST_DAYS = 90
#: The most orders one preview replays, each twice (about 5 ms an order and run on one core: ~2.5 s a preview);
#: a bigger shop's preview covers its latest orders only, and says so.
MAX_BACKTEST_ORDERS = 250


def carrier_choices(uow: Any, shop_id: int) -> list[tuple[str, str]]:
    """The carriers an override can name: the shop's own (from its parcels) first, then those Forewarn knows."""
    own = [c for c in uow.session.scalars(select(Shipment.carrier).where(
        Shipment.shop_id == shop_id, Shipment.carrier.is_not(None)).distinct()) if c]
    codes = sorted(own) + sorted(c for c in CARRIER_NAMES if c not in own)
    return [(c, CARRIER_NAMES.get(c, c.replace("_", " ").title())) for c in codes]


def rules_view(uow: Any, shop: Shop) -> dict[str, Any]:
    return {"values": values_of(shop.policy, shop.messaging), "defaults": default_values(),
            "carriers": [{"code": c, "name": n} for c, n in carrier_choices(uow, shop.id)]}


@bp.get("/rules")
def get_rules() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        return jsonify(rules_view(uow, shop)) if shop else not_installed()


@bp.put("/rules")
def put_rules() -> ResponseReturnValue:
    """Replace the sections the body has (each validated; a 400 names every wrong field and stores nothing)."""
    loaded = load_body(RulesSchema(), "invalid rules")
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        shop.policy = to_stored(loaded, shop.policy)  # new values, so the JSON columns are saved
        changes = messaging_changes(loaded)
        if changes:
            shop.messaging = {**(shop.messaging or {}), **changes}
        uow.commit()
        log.info("shop %s: rules saved (%s)", shop.id, ", ".join(sorted(loaded)) or "nothing")
        return jsonify({**rules_view(uow, shop), "saved": True})


def _channels(messaging: dict[str, Any]) -> list[str]:
    return list(messaging["channels"]) if messaging.get("enabled", True) else []


BACKTESTS_PER_MINUTE = 12


@bp.post("/rules/backtest")
def backtest_rules() -> ResponseReturnValue:
    """What the draft in the body would have done over the last 90 days, beside what the saved rules did."""
    loaded = load_body(RulesSchema(), "invalid draft")
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        # each preview replays up to MAX_BACKTEST_ORDERS orders twice in this web worker: bounded per shop
        if not ratelimit.allow(rt.redis, f"backtest:{shop.id}", BACKTESTS_PER_MINUTE, 60):
            return jsonify(error="too many previews in a minute: wait a moment, then preview again"), 429
        current_settings = settings_of(shop)
        draft_settings = {**current_settings, **messaging_changes(loaded)}
        draft = Policy.from_dict(to_stored(loaded, shop.policy))
        current = Policy.from_dict(shop.policy)
        now = utcnow()
        runs = [backtest.run(uow, shop.id, policy, now, days=BACKTEST_DAYS, sample_size=5, channels=_channels(settings),
                             max_orders=MAX_BACKTEST_ORDERS)
                for policy, settings in ((draft, draft_settings), (current, current_settings))]
    return jsonify({**backtest.compare(*runs), "max_orders": MAX_BACKTEST_ORDERS})
