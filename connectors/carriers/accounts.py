"""What a merchant enters to track parcels: per carrier through karrio (the carrier's own API, the shop's own
developer account), or through the EasyPost aggregator for every carrier (or one). The admin's carrier form
is drawn from this table, and `complete` checks an account before it is stored — the same table, so the form
and the check never disagree. Pure: no I/O.

The field names are karrio's settings for each gateway (connectors/carriers/karrio_client.py passes them
through), and EasyPost's API key and webhook secret (connectors/carriers/push.py reads `webhook_secret`).
See ../shared/reference/carriers.md §2 for which credentials each carrier's tracking needs.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.registry import Field
from core.domain.rules import CARRIER_NAMES

EVERY_CARRIER = "*"


@dataclass(frozen=True)
class Kind:
    label: str
    fields: tuple[Field, ...]
    help: str = ""


_DHL = (
    Field("consumer_key", "API key", secret=True),
    Field("consumer_secret", "API secret", secret=True),
)
_DHL_HELP = ("developer.dhl.com › My Apps: an app with the Shipment Tracking – Unified API; its API key and "
             "secret. One key tracks every DHL service: add it for each DHL service your shop ships with.")

#: Carriers tracked through karrio: our carrier code → what its tracking API asks for.
KARRIO: dict[str, Kind] = {
    "ups": Kind("UPS", (Field("client_id", "Client ID"), Field("client_secret", "Client secret", secret=True),
                        Field("account_number", "Shipper number", optional=True)),
                "developer.ups.com › Apps: an app with the Tracking API (add Track Alert for updates pushed by UPS); "
                "its Client ID and Client Secret."),
    "fedex": Kind("FedEx", (Field("track_api_key", "Track API key"),
                            Field("track_secret_key", "Track API secret key", secret=True)),
                  "developer.fedex.com › My Projects: a project with the Track API — its own key and secret, not "
                  "the Ship API's."),
    "usps": Kind("USPS", (Field("client_id", "Consumer key"), Field("client_secret", "Consumer secret", secret=True)),
                 "developers.usps.com › Apps: an app with the Tracking API; its Consumer Key and Consumer Secret."),
    "canadapost": Kind("Canada Post", (Field("username", "API username"), Field("password", "API password", secret=True),
                                       Field("customer_number", "Customer number", optional=True)),
                       "Canada Post Developer Program › API keys: the production key's username and password."),
    # karrio_client.GATEWAYS sends every DHL code to DHL's Unified tracking (not imported here: karrio is heavy)
    **{code: Kind(CARRIER_NAMES.get(code, "DHL eCommerce"), _DHL, _DHL_HELP)
       for code in ("dhl", "dhl_express", "dhl_paket", "dhl_ecommerce")},
}

#: Aggregators: one account for every carrier (or for one carrier).
AGGREGATORS: dict[str, Kind] = {
    "easypost": Kind("EasyPost", (Field("api_key", "Production API key", secret=True, placeholder="EZAK…"),
                                  Field("webhook_secret", "Webhook secret", secret=True, optional=True)),
                     "easypost.com › Account Settings › API Keys: the production key. For updates pushed by "
                     "EasyPost, add a webhook to the address shown once the account is saved, with a secret."),
}
PROVIDERS = ("karrio", "easypost")
_CODE = re.compile(r"[a-z0-9_]{1,40}\Z")


def carrier_label(carrier: str) -> str:
    if carrier == EVERY_CARRIER:
        return "Every carrier without its own account"
    return KARRIO[carrier].label if carrier in KARRIO else CARRIER_NAMES.get(carrier, carrier)


def kind_of(provider: str, carrier: str) -> Kind | None:
    if provider == "karrio":
        return KARRIO.get(carrier)
    return AGGREGATORS.get(provider)


def complete(provider: str, carrier: str, given: Mapping[str, object],
             stored: Mapping[str, object] | None = None) -> tuple[dict[str, str], dict[str, object]]:
    """The credentials to store, and the problems (marshmallow-style messages by field) that refuse them.

    Only the provider's own fields are kept, trimmed. A field left blank keeps what is `stored` for the same
    provider and carrier (the admin never shows a stored secret, so "leave blank to keep" is how a merchant
    changes one field)."""
    problems: dict[str, object] = {}
    if provider == "karrio" and carrier not in KARRIO:
        tracked = ", ".join(KARRIO)
        problems["carrier"] = [f"karrio tracks {tracked} here, one account per carrier; use EasyPost for "
                               f"{'every carrier' if carrier == EVERY_CARRIER else carrier}"]
    elif provider in AGGREGATORS and carrier != EVERY_CARRIER and not _CODE.match(carrier):
        problems["carrier"] = ["a carrier code (ups, dhl_express, …) or * for every carrier"]
    kind = kind_of(provider, carrier)
    if kind is None:
        return {}, problems or {"provider": [f"one of {', '.join(PROVIDERS)}"]}
    credentials: dict[str, str] = {}
    wrong: dict[str, list[str]] = {}
    for f in kind.fields:
        value = given.get(f.name)
        if value is not None and not isinstance(value, str):
            wrong[f.name] = ["must be text"]
            continue
        value = (value or "").strip() or str((stored or {}).get(f.name) or "").strip()
        if value:
            credentials[f.name] = value
        elif not f.optional:
            wrong[f.name] = [f"{f.label} is required"]
    if wrong:
        problems["credentials"] = wrong
    return credentials, problems
