"""`/admin/settings`: the store connection, write-back, and the helpdesk."""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from connectors import helpdesks
from core.domain.model import Shop
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime


@bp.get("/admin/settings")
@admin_page
def settings_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    with runtime().uow() as uow:
        return render(ctx, "admin/settings.html", "settings", shop,
                      helpdesk=uow.repo.helpdesk_account(shop.id) if shop else None,
                      helpdesk_kinds=helpdesks.KINDS,
                      woo=uow.repo.woo_installation_of_shop(shop.id) if shop and ctx.platform == "woocommerce" else None)
