"""`/admin/settings`: the store connection, write-back, the helpdesk, customer-message channels and sender
identity, carrier accounts, and languages — one card each. Secrets are write-only: the page says which
provider is connected, never a credential (the JSON the page's script reads carries none either)."""
from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from connectors import helpdesks
from connectors.carriers import accounts as carrier_accounts
from core.domain import templates
from core.domain.model import CarrierAccount, Shipment, Shop, WixInstallation
from core.domain.rules import CARRIER_NAMES
from core.services.messaging import DEFAULTS
from web.admin import admin_page, bp
from web.admin import settings_view as view
from web.admin.context import AdminContext, render, runtime
from web.api_messaging import CHANNELS, SETTINGS, provider_kinds, providers_view

CHANNEL_NAMES = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp"}


def _fields(kind: Any) -> list[dict[str, Any]]:
    return [{"name": f.name, "label": f.label, "secret": f.secret, "optional": f.optional, "placeholder": f.placeholder}
            for f in kind.fields]


def carrier_kinds() -> dict[str, Any]:
    """The carrier form's choices: each karrio carrier, and each aggregator (for every carrier or one)."""
    return {
        "karrio": {code: {"label": k.label, "help": k.help, "fields": _fields(k)} for code, k in carrier_accounts.KARRIO.items()},
        "aggregators": {name: {"label": k.label, "help": k.help, "fields": _fields(k)}
                        for name, k in carrier_accounts.AGGREGATORS.items()},
        "carriers": {code: carrier_accounts.carrier_label(code)
                     for code in dict.fromkeys([*carrier_accounts.KARRIO, *CARRIER_NAMES])},
    }


def _carriers(uow: Any, shop: Shop, base_url: str) -> dict[str, Any]:
    accounts = list(uow.session.scalars(select(CarrierAccount).where(CarrierAccount.shop_id == shop.id)
                                        .order_by(CarrierAccount.carrier)))
    parcels = dict(uow.session.execute(
        select(func.coalesce(Shipment.carrier, ""), func.count())
        .where(Shipment.shop_id == shop.id, Shipment.superseded.is_(False), Shipment.tracking_number != "")
        .group_by(func.coalesce(Shipment.carrier, ""))).all())
    return {
        "accounts": [{
            "id": a.id, "carrier": a.carrier, "carrier_label": carrier_accounts.carrier_label(a.carrier),
            "provider": a.provider, "provider_label": view.PROVIDER_NAMES.get(a.provider, a.provider),
            "has_credentials": bool(a.credentials_ciphertext), "created_at": a.created_at,
            "push_url": f"{base_url}/webhooks/carriers/easypost?account={a.id}" if a.provider == "easypost" else None,
        } for a in accounts],
        "coverage": view.carrier_coverage(parcels, accounts),
    }


def _messaging(shop: Shop) -> dict[str, Any]:
    merged = {**DEFAULTS, "default_language": None, **(shop.messaging or {})}
    kinds = provider_kinds()
    providers = providers_view(shop.messaging)
    for conf in providers.values():
        label = kinds.get(conf["kind"], {}).get("label")
        conf["name"] = view.provider_name(conf["kind"], label)
    return {"settings": {key: merged[key] for key in SETTINGS}, "providers": providers, "kinds": kinds}


@bp.get("/admin/settings")
@admin_page
def settings_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    rt = runtime()
    with rt.uow() as uow:
        values: dict[str, Any] = {}
        if shop is not None:
            values = {
                "connection": view.connection_status(shop),
                "webhooks": view.webhooks_line(shop, rt.settings.demo),
                "synced": view.when(shop.synced_until, "not yet"),
                "installed": view.when(shop.installed_at, "—"),
                "helpdesk": uow.repo.helpdesk_account(shop.id),
                "woo": uow.repo.woo_installation_of_shop(shop.id) if shop.platform == "woocommerce" else None,
                "wix": uow.session.scalars(select(WixInstallation).where(WixInstallation.shop_id == shop.id)
                                           .order_by(WixInstallation.id.desc())).first() if shop.platform == "wix" else None,
                "messaging": _messaging(shop),
                "carriers": _carriers(uow, shop, rt.settings.base_url),
            }
        return render(ctx, "admin/settings.html", "settings", shop,
                      platform_name=view.PLATFORM_NAMES.get(ctx.platform, ctx.platform),
                      write_back=view.write_back(ctx.platform), helpdesk_kinds=helpdesks.KINDS,
                      carrier_kinds=carrier_kinds(), channels=CHANNELS, channel_names=CHANNEL_NAMES,
                      languages=view.languages(), fallback_language=templates.FALLBACK_LANGUAGE, **values)
