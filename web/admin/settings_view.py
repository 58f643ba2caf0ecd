"""What the settings page says, as pure functions of the shop's rows: the connection's state and what to do
about it, what write-back writes on each platform, which carriers are tracked by which account, and the
languages customers are written in. No I/O here (web/admin/settings.py reads the rows)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError

from connectors.carriers import accounts as carrier_accounts
from core.domain import templates
from core.domain.model import Shop, ShopStatus
from core.services.writeback import PROBLEM_TAGS

PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "wix": "Wix"}
PROVIDER_NAMES = {"karrio": "the carrier's own API (karrio)", "easypost": "EasyPost", "simulator": "the demo's carrier simulator"}

#: Where a merchant opens Forewarn again when the store refused its access.
REOPEN = {
    "shopify": "Open Forewarn again from your Shopify admin (Apps › Forewarn): Shopify asks you to approve its "
               "access again, and tracking resumes.",
    "woocommerce": "Reconnect the store: open /install/woocommerce, enter the store's address and approve "
                   "Forewarn's access in your WordPress admin; tracking resumes.",
    "wix": "Open Forewarn again from your Wix dashboard (Apps › Manage Apps › Forewarn), and tracking resumes.",
}


@dataclass(frozen=True)
class Status:
    label: str
    tone: str  # a .tone-* of admin.css
    explain: str
    todo: str | None = None


def connection_status(shop: Shop) -> Status:
    """The store connection in the merchant's words: whether it works, why not, and what to do."""
    platform = PLATFORM_NAMES.get(shop.platform, shop.platform)
    if shop.status == ShopStatus.INSTALLED:
        return Status("Connected", "success", f"Forewarn receives this store's orders from {platform} and watches "
                                              "their parcels.")
    if shop.status == ShopStatus.NEEDS_REAUTH:
        return Status("Needs reconnecting", "critical",
                      f"{platform} refused Forewarn's access{': ' + shop.status_reason if shop.status_reason else ''}. "
                      "Until it is reconnected, no new order or parcel change arrives.",
                      "Open Forewarn again from your admin. " + REOPEN.get(shop.platform, ""))
    if shop.status == ShopStatus.UNINSTALLED:
        when = f" on {shop.uninstalled_at:%Y-%m-%d}" if shop.uninstalled_at else ""
        return Status("Removed", "warning", f"Forewarn was removed from this store{when}: nothing new is tracked.",
                      f"Install Forewarn again from {platform} to resume.")
    if shop.status == ShopStatus.REDACTED:
        return Status("Data deleted", "warning", f"{platform} asked for this store's data to be deleted; it was.",
                      f"Install Forewarn again from {platform} to start afresh.")
    return Status(shop.status, "info", shop.status_reason or "")


def webhooks_line(shop: Shop, demo: bool) -> str:
    if shop.webhooks_registered_at:
        return f"registered {shop.webhooks_registered_at:%Y-%m-%d %H:%M} UTC"
    if shop.platform == "wix" or (demo and shop.platform == "shopify"):
        return "set in the app's configuration (the platform sends them to every store)"
    return "being registered"


def when(moment: datetime | None, otherwise: str) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else otherwise


@dataclass(frozen=True)
class WriteBack:
    label: str  # the toggle's label
    writes: tuple[str, ...]  # what gets written, one sentence each


def write_back(platform: str) -> WriteBack:
    """What turning write-back on writes into the store (core/services/writeback.py decides; this says it)."""
    if platform == "woocommerce":
        return WriteBack("Add Forewarn's findings to orders as private order notes", (
            "A private note on the order for each problem Forewarn finds, with its reason.",
            "A private note when a parcel goes in transit, out for delivery, fails a delivery attempt, waits at a "
            "pickup point, runs late or is delivered.",
            "Private notes are for your team: WooCommerce does not email them to the customer.",
        ))
    if platform == "wix":
        return WriteBack("Add Forewarn's findings to the order's activity in Wix", (
            "An activity on the order's timeline for each problem Forewarn finds, with its reason.",
            "An activity when a parcel goes in transit, out for delivery, fails a delivery attempt, waits at a "
            "pickup point, runs late or is delivered.",
        ))
    tags = ", ".join(dict.fromkeys(PROBLEM_TAGS.values()))
    return WriteBack("Post parcel updates to Shopify (fulfillment events, order tags)", (
        "A tracking event on the fulfillment when a parcel goes in transit, out for delivery, fails a delivery "
        "attempt, waits at a pickup point, runs late or is delivered — only what Shopify did not report itself.",
        f"An order tag for each problem, to filter problem orders in Shopify's order list: {tags}.",
    ))


@dataclass(frozen=True)
class Coverage:
    carrier: str
    label: str
    parcels: int
    account: str | None  # how it is tracked, or None: not tracked


def carrier_coverage(parcels_by_carrier: Mapping[str, int], accounts: Iterable[Any]) -> list[Coverage]:
    """For each carrier the shop's parcels use, the account that tracks them (its own, else the one for every
    carrier) — or none, and those parcels are not tracked (jobs/tracking.py records "no tracking account")."""
    by_carrier = {a.carrier: a for a in accounts}
    fallback = by_carrier.get(carrier_accounts.EVERY_CARRIER)
    rows = []
    for carrier, count in sorted(parcels_by_carrier.items(), key=lambda item: (-item[1], item[0])):
        account = by_carrier.get(carrier) or fallback
        how = None
        if account is not None:
            how = PROVIDER_NAMES.get(account.provider, account.provider)
            how += "" if account.carrier == carrier else " (the account for every carrier)"
        rows.append(Coverage(carrier, carrier_accounts.carrier_label(carrier) if carrier else "Unknown carrier",
                             count, how))
    return rows


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in English
    native: str  # in itself
    rtl: bool


@cache
def languages() -> tuple[Language, ...]:
    """The languages customer messages are written in (core/domain/templates.LANGUAGES), with their names."""
    found = []
    for code in templates.LANGUAGES:
        try:
            locale = Locale.parse(code.replace("-", "_"))
            name, native = locale.get_display_name("en") or code, locale.get_display_name(locale) or code
        except (UnknownLocaleError, ValueError):
            name = native = code
        found.append(Language(code, name, native[:1].upper() + native[1:], code in templates.RTL_LANGUAGES))
    return tuple(found)


def provider_name(kind: str | None, label: str | None) -> str:
    """"SendGrid" from "Email through SendGrid": the provider a channel is connected to, briefly."""
    if not label:
        return kind or ""
    name = label.split(" through ", 1)[-1]
    return "your mail server" if name == "a mail server" else name
