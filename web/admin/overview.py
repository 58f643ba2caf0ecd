"""`/admin`: the overview a merchant reads in a minute — what is at risk now, how carriers keep their dates,
what Forewarn did (incidents, customers told, cases) and what it spared the team, and what needs attention.

The figures are core/services/insights.py's (SQL aggregates, so a large shop costs no more than a small one);
the median "problem detected → customer told" is the messages page's own (web/api_messaging.message_summary).
Charts are drawn by web/static/admin/overview.js from the page's JSON block; each chart has a data table
beside it for screen readers and for anyone who would rather read the numbers.
"""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from core.services import insights
from core.services.cases import SLA_HOURS
from jobs.runtime import utcnow
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.admin.messages import duration_words
from web.api_messaging import SUMMARY_OVER, message_summary


@bp.get("/admin", strict_slashes=False)
@admin_page
def overview_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    if shop is None or shop.id is None:
        return render(ctx, "admin/overview.html", "overview", shop, o=None, charts=None, speed=None)
    now = utcnow()
    with runtime().uow() as uow:
        figures = insights.overview(uow.session, shop.id, now)
        summary = message_summary(uow, shop.id)
    speed = {"median": summary["median_seconds_to_told"], "words": duration_words(summary["median_seconds_to_told"]),
             "told": summary["told"], "over": SUMMARY_OVER}
    return render(ctx, "admin/overview.html", "overview", shop, o=figures, charts=insights.chart_data(figures),
                  speed=speed, activity_days=insights.ACTIVITY_DAYS, on_time_days=insights.ON_TIME_DAYS, sla_hours=SLA_HOURS)
