"""Carrier codes: the platforms' free-text carrier names (Shopify's `tracking_company`, WooCommerce's and
Wix's provider strings) normalized to one code per carrier, so tracking and rules can key on it.

An unknown name becomes its own slug ("Pathao Courier" → "pathao_courier") and keeps its raw string
beside it, so a long-tail carrier is still tracked through the aggregator instead of being dropped.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

_NAMES: dict[str, str] = {
    "ups": "ups",
    "united parcel service": "ups",
    "ups mail innovations": "ups_mi",
    "fedex": "fedex",
    "federal express": "fedex",
    "fedex smartpost": "fedex",
    "usps": "usps",
    "united states postal service": "usps",
    "us postal service": "usps",
    "dhl": "dhl",
    "dhl express": "dhl_express",
    "dhl ecommerce": "dhl_ecommerce",
    "dhl ecommerce asia": "dhl_ecommerce_asia",
    "dhl parcel": "dhl_parcel",
    "dhl paket": "dhl_paket",
    "deutsche post": "deutsche_post",
    "canada post": "canadapost",
    "postes canada": "canadapost",
    "royal mail": "royalmail",
    "parcelforce": "parcelforce",
    "parcelforce worldwide": "parcelforce",
    "australia post": "australiapost",
    "auspost": "australiapost",
    "new zealand post": "nzpost",
    "purolator": "purolator",
    "canpar": "canpar",
    "ontrac": "ontrac",
    "lasership": "lasership",
    "amazon logistics": "amazon",
    "amazon shipping": "amazon",
    "dpd": "dpd",
    "dpd uk": "dpd_uk",
    "gls": "gls",
    "hermes": "hermes",
    "evri": "evri",
    "postnl": "postnl",
    "post nl": "postnl",
    "la poste": "laposte",
    "colissimo": "colissimo",
    "chronopost": "chronopost",
    "correos": "correos",
    "correios": "correios",
    "poste italiane": "posteitaliane",
    "bpost": "bpost",
    "swiss post": "swisspost",
    "japan post": "japanpost",
    "china post": "chinapost",
    "china ems": "china_ems",
    "sf express": "sf_express",
    "4px": "4px",
    "yunexpress": "yunexpress",
    "india post": "indiapost",
    "delhivery": "delhivery",
    "blue dart": "bluedart",
    "bluedart": "bluedart",
    "ecom express": "ecom_express",
    "xpressbees": "xpressbees",
    "dtdc": "dtdc",
    "aramex": "aramex",
    "tnt": "tnt",
    "sendle": "sendle",
    "estafeta": "estafeta",
    "pathao": "pathao",
    "redx": "redx",
}

_HOSTS: dict[str, str] = {
    "ups.com": "ups",
    "fedex.com": "fedex",
    "usps.com": "usps",
    "dhl.com": "dhl",
    "canadapost.ca": "canadapost",
    "canadapost-postescanada.ca": "canadapost",
    "royalmail.com": "royalmail",
    "auspost.com.au": "australiapost",
    "purolator.com": "purolator",
}

#: Tracking-number shapes, most specific first (S10 international numbers end in the country code).
_NUMBER_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^1Z[0-9A-Z]{16}$"), "ups"),
    (re.compile(r"^[A-Z]{2}\d{9}GB$"), "royalmail"),
    (re.compile(r"^[A-Z]{2}\d{9}CA$"), "canadapost"),
    (re.compile(r"^[A-Z]{2}\d{9}US$"), "usps"),
    (re.compile(r"^[A-Z]{2}\d{9}IN$"), "indiapost"),
    (re.compile(r"^9[1-5]\d{18,20}$"), "usps"),  # IMpb: 20–22 digits starting 91–95
    (re.compile(r"^(JJD|JVGL)\d{10,20}$"), "dhl"),
    (re.compile(r"^\d{16}$"), "canadapost"),
    (re.compile(r"^(\d{12}|\d{15})$"), "fedex"),
    (re.compile(r"^\d{10}$"), "dhl_express"),
)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def from_number(tracking_number: str | None) -> str | None:
    """The carrier a tracking number's format points to, or None when it is not distinctive."""
    number = re.sub(r"\s+", "", (tracking_number or "").upper())
    return next((code for shape, code in _NUMBER_SHAPES if shape.match(number)), None)


def from_url(tracking_url: str | None) -> str | None:
    host = (urlsplit(tracking_url or "").hostname or "").lower()
    return next((code for suffix, code in _HOSTS.items() if host == suffix or host.endswith("." + suffix)), None)


def carrier_code(raw_name: str | None, tracking_url: str | None = None, tracking_number: str | None = None) -> str | None:
    """Our code for a carrier: from its name when we know the name; else from the tracking URL's host or the
    number's format; else a slug of the free-text name (kept, so the aggregator can still be asked)."""
    if raw_name and raw_name.strip():
        key = " ".join(re.sub(r"[^a-z0-9]+", " ", raw_name.lower()).split())
        known = _NAMES.get(key) or _NAMES.get(key.replace(" ", ""))
        if known:
            return known
    return from_url(tracking_url) or from_number(tracking_number) or (slug(raw_name) if raw_name and raw_name.strip() else None)
