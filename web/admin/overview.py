"""`/admin/overview`: being built (issue 10)."""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render


@bp.get("/admin", strict_slashes=False)
@admin_page
def overview_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    return render(ctx, "admin/overview.html", "overview", shop)
