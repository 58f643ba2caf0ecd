"""`/admin/cases`: the shop's support cases, most urgent first, with filters and their SLA in words;
`/admin/cases/<id>`: one case with its timeline, the suggested reply and what the team can do on it (through
`PATCH /api/v1/cases/<id>`); `/admin/cases/replies`: the suggested-reply library."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from core.domain.replies import FIELDS, library
from core.services.case_list import PRIORITIES, SLA_FILTERS, STATUSES, UNASSIGNED, cases_page, filter_choices, parse_filters, status_counts
from core.services.case_page import case_page
from jobs.runtime import utcnow
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.report import link_maker

#: The status tabs: (label, the `status` parameter).
TABS = (("Open and pending", ""), ("Open", "open"), ("Pending", "pending"), ("Resolved", "resolved"),
        ("Closed", "closed"), ("All", "all"))


def _report_page(ctx: AdminContext) -> str:
    return f"{runtime().settings.base_url}/report?" + urlencode({"shop": ctx.shop_domain})


@bp.get("/admin/cases")
@admin_page
def cases_page_view(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    filters, problems = parse_filters(request.args)
    now = utcnow()
    with runtime().uow() as uow:
        page = cases_page(uow.session, shop.id, filters, now) if shop else None
        counts, matching = status_counts(uow.session, shop.id, now, filters) if shop else ({}, {})
        choices = filter_choices(uow.session, shop.id) if shop else {"problems": [], "assignees": [], "labels": []}
    return render(
        ctx, "admin/cases.html", "cases", shop, page=page, filters=filters, problems=problems, counts=counts,
        matching=matching,
        choices=choices, tabs=TABS, statuses=STATUSES, priorities=PRIORITIES, sla_filters=SLA_FILTERS,
        unassigned=UNASSIGNED, status_param=request.args.get("status", "").strip(), report_page=_report_page(ctx),
    )


@bp.get("/admin/cases/replies")
@admin_page
def replies_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    return render(ctx, "admin/replies.html", "cases", shop, reply_library=library(shop.replies) if shop else {},
                  reply_fields=FIELDS)


@bp.get("/admin/cases/<int:case_id>")
@admin_page
def case_page_view(ctx: AdminContext, shop: Shop | None, case_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        if shop is None or case is None or case.shop_id != shop.id:  # another shop's case does not exist here
            response = render(ctx, "admin/case.html", "cases", shop, case=None, case_id=case_id)
            return response, 404  # type: ignore[return-value]
        view = case_page(uow, case, utcnow(), link_maker(rt))
        return render(ctx, "admin/case.html", "cases", shop, case=view, case_id=case_id)
