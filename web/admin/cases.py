"""`/admin/cases`: the shop's support cases with their SLA, and the suggested-reply library."""
from __future__ import annotations

from urllib.parse import urlencode

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from core.domain.replies import FIELDS, library
from core.services.views import case_views
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.report import link_maker


@bp.get("/admin/cases")
@admin_page
def cases_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    rt = runtime()
    with rt.uow() as uow:
        return render(
            ctx, "admin/cases.html", "cases", shop,
            cases=case_views(uow, uow.repo.cases(shop.id, limit=50), link_maker(rt)) if shop else [],
            reply_library=library(shop.replies) if shop else {},
            reply_fields=FIELDS,
            report_page=f"{rt.settings.base_url}/report?" + urlencode({"shop": ctx.shop_domain}),
        )
