"""`/admin/messages`: what customers were told, and why a message was not sent."""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime
from web.api_messaging import message_summary, send_log


@bp.get("/admin/messages")
@admin_page
def messages_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    with runtime().uow() as uow:
        return render(ctx, "admin/messages.html", "messages", shop,
                      messages=send_log(uow, shop.id) if shop else [],
                      message_summary=message_summary(uow, shop.id) if shop else None)
