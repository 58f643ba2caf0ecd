"""`/admin/rules`: the shop's rules as a form generated from the schema that validates them
(web/rules_schema.py), with a preview of what a draft would have done over the last 90 days before it is saved.

The page is server-rendered from the schema's field descriptions; web/static/admin/rules.js collects the form
into the API's body, previews it (POST /api/v1/rules/backtest), saves it (PUT /api/v1/rules) and puts each
refused field's message next to its input.
"""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from core.domain.policy_schema import KIND_LABELS
from core.domain.rules import CARRIER_NAMES
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.api_rules import BACKTEST_DAYS, carrier_choices
from web.rules_schema import RulesSchema, default_values, form_sections, values_of


@bp.get("/admin/rules")
@admin_page
def rules_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    defaults = default_values()
    if shop is None:
        values, carriers = defaults, [(c, n) for c, n in CARRIER_NAMES.items()]
    else:
        values = values_of(shop.policy, shop.messaging)
        with runtime().uow() as uow:
            carriers = carrier_choices(uow, shop.id)
    sections = form_sections(RulesSchema(), values, defaults, carriers)
    return render(ctx, "admin/rules.html", "rules", shop, sections=sections, defaults=defaults,
                  backtest_days=BACKTEST_DAYS, kind_labels=KIND_LABELS)
