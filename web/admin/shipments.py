"""`/admin/shipments`: the shop's parcels, filtered with a plain GET form (status, open problem, carrier, platform,
shipped dates, search), 50 a page; and `/admin/shipments/<id>`: one parcel's timeline — scans, problems, messages
to the customer, its case and what was written back to the store, in time order.

A filter value the page cannot use (a hand-edited link, a date that is no date) is named in a banner and next to its
field, kept in the form for the merchant to correct, and left out of the search: the page never fails over it.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

from flask import request
from flask.typing import ResponseReturnValue

from core.domain.model import Shop
from core.domain.rules import CARRIER_NAMES
from core.services import shipment_search as search
from core.services import timeline
from core.services.messaging import settings_of
from web.admin import messages as message_words
from web.admin import admin_page, bp
from web.admin.context import AdminContext, render, runtime

#: The filter form's fields, in its order, with the labels its messages use.
FIELDS: dict[str, str] = {
    "q": "Search", "status": "Status", "problem": "Problem", "carrier": "Carrier", "platform": "Platform",
    "shipped_from": "Shipped from", "shipped_to": "Shipped to",
}
MAX_SEARCH = 200


def carrier_label(code: str | None) -> str:
    if code is None:
        return "Carrier not recognised"
    return CARRIER_NAMES.get(code, code.replace("_", " ").title())


def words(code: str | None) -> str:
    """in_transit → In transit: the vocabulary's codes as a merchant reads them."""
    text = (code or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def safe_link(url: str | None) -> str | None:
    """A carrier tracking page we may link to: http(s) only (the platform hands us whatever the merchant typed)."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def _date(raw: str, label: str, errors: dict[str, str], name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label}: “{raw}” is not a date. Use the form YYYY-MM-DD, e.g. 2025-05-01."
        return None


def parse_filters(args: Mapping[str, str], carriers: list[str | None]) -> tuple[search.ShipmentFilters, int, dict[str, str]]:
    """The filters and page the query string asks for, and a message for each value that cannot be used (left out)."""
    raw = {name: (args.get(name) or "").strip() for name in (*FIELDS, "page")}
    errors: dict[str, str] = {}

    def pick(name: str, allowed: set[str], message: str) -> str | None:
        value = raw[name]
        if value and value not in allowed:
            errors[name] = message.format(value=value)
            return None
        return value or None

    status = pick("status", set(search.STATUSES), "Status: “{value}” is not a shipment status.")
    problem = pick("problem", {search.ANY_PROBLEM, *search.INCIDENT_KINDS}, "Problem: “{value}” is not a kind of problem.")
    known = {c for c in carriers if c} | ({search.NO_CARRIER} if None in carriers else set())
    carrier = pick("carrier", known, "Carrier: no parcel of this shop went with “{value}”.")
    platform = pick("platform", set(search.PLATFORMS), "Platform: “{value}” is not a platform Forewarn works with "
                                                        "(Shopify, WooCommerce, Wix).")
    shipped_from = _date(raw["shipped_from"], FIELDS["shipped_from"], errors, "shipped_from")
    shipped_to = _date(raw["shipped_to"], FIELDS["shipped_to"], errors, "shipped_to")
    if shipped_from and shipped_to and shipped_to < shipped_from:
        errors["shipped_to"] = "Shipped to: the end date is before the start date."
        shipped_to = None
    q = raw["q"] or None
    if q and len(q) > MAX_SEARCH:
        errors["q"] = f"Search: at most {MAX_SEARCH} characters."
        q = None
    page = 1
    if raw["page"]:
        if raw["page"].isdigit() and int(raw["page"]) >= 1:
            page = int(raw["page"])
        else:
            errors["page"] = f"Page: “{raw['page']}” is not a page number; showing the first page."
    filters = search.ShipmentFilters(status=status, problem=problem, carrier=carrier, platform=platform,
                                     shipped_from=shipped_from, shipped_to=shipped_to, q=q)
    return filters, page, errors


def _raw_values() -> dict[str, str]:
    return {name: (request.args.get(name) or "").strip() for name in FIELDS}


@bp.get("/admin/shipments")
@admin_page
def shipments_page(ctx: AdminContext, shop: Shop | None) -> ResponseReturnValue:
    rt = runtime()
    values = _raw_values()
    with rt.uow() as uow:
        carriers = search.carriers(uow.session, shop.id) if shop else []
        filters, page, errors = parse_filters(request.args, carriers)
        listing = search.search(uow.session, shop.id, shop.platform, filters, page) if shop else \
            search.Listing([], 0, 0, 1, 1)
        has_any = listing.total > 0 or (bool(shop) and search.has_any(uow.session, shop.id))
        response = render(
            ctx, "admin/shipments.html", "shipments", shop,
            listing=listing, filters=filters, values=values, errors=errors, filtering=filters.active or bool(errors),
            has_any=has_any, carriers=[(c or search.NO_CARRIER, carrier_label(c)) for c in carriers],
            statuses=search.STATUSES, kinds=search.INCIDENT_KINDS, any_problem=search.ANY_PROBLEM,
            platforms=[ctx.platform], page_size=search.PAGE_SIZE, words=words, carrier_label=carrier_label,
            safe_link=safe_link, platform_names=timeline.PLATFORM_NAMES,
            page_params={k: v for k, v in values.items() if v and k not in errors},
        )
    if errors:
        response.status_code = 400
    return response


@bp.get("/admin/shipments/<int:shipment_id>")
@admin_page
def shipment_page(ctx: AdminContext, shop: Shop | None, shipment_id: int) -> ResponseReturnValue:
    rt = runtime()
    with rt.uow() as uow:
        story = timeline.load(uow, shop.id, shipment_id, shop.platform) if shop else None
        settings = settings_of(shop)
        response = render(ctx, "admin/shipment.html", "shipments", shop, story=story, words=words,
                          carrier_label=carrier_label, safe_link=safe_link, kind_label=message_words.kind_label,
                          reason_words=lambda reason, channel: message_words.reason_words(reason, channel, settings),
                          channel_labels=message_words.CHANNEL_LABELS, language_names=message_words.LANGUAGE_NAMES)
    if story is None:
        response.status_code = 404
    return response
