"""`/admin/orders`: orders with their parcels, and the logs an admin needs: webhooks, incidents, write-backs
and privacy requests."""
from __future__ import annotations

from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime


@bp.get("/admin/orders")
@admin_page
def orders_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    rt = runtime()
    with rt.uow() as uow:
        orders = uow.repo.orders(shop.id, limit=200) if shop else []
        shipments_by_order = {o.id: list(uow.repo.shipments_of_order(o.id)) for o in orders}
        open_by_shipment: dict[int | None, list] = {}
        incidents = uow.repo.incidents(shop.id, limit=100) if shop else []
        for incident in incidents:
            if incident.status == "open":
                open_by_shipment.setdefault(incident.shipment_id or -incident.order_id, []).append(incident)
        latest_scan = {
            s.id: (uow.repo.tracking_events(s.id) or [None])[-1] for ships in shipments_by_order.values() for s in ships
        }
        return render(
            ctx, "admin/orders.html", "orders", shop,
            orders=orders,
            shipments_by_order=shipments_by_order,
            latest_scan=latest_scan,
            receipts=uow.repo.receipts(limit=100, shop_domain=ctx.shop_domain),
            write_backs=uow.repo.write_backs(shop.id, limit=50) if shop else [],
            compliance=uow.repo.compliance_requests(ctx.shop_domain, limit=20),
            incidents=incidents,
            clusters=uow.repo.open_clusters(shop.id) if shop else [],
            open_by_shipment=open_by_shipment,
            order_names={o.id: o.name for o in orders},
        )
