"""What the settings page says, as pure functions: carrier credentials checked against one table, the store
connection in words, which account tracks which carrier, and the languages by name."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from connectors.carriers import accounts
from connectors.carriers.karrio_client import GATEWAYS
from core.domain import templates
from core.domain.model import Shop
from web.admin import settings_view as view


@dataclass
class Account:
    carrier: str
    provider: str


def test_every_carrier_karrio_tracks_has_a_form_and_no_other() -> None:
    assert set(accounts.KARRIO) == set(GATEWAYS)


def test_an_account_keeps_only_its_own_fields_and_names_each_missing_one() -> None:
    credentials, problems = accounts.complete("karrio", "fedex", {"track_api_key": " k ", "other": "x"})
    assert credentials == {"track_api_key": "k"}
    assert problems == {"credentials": {"track_secret_key": ["Track API secret key is required"]}}
    credentials, problems = accounts.complete("karrio", "fedex", {"track_api_key": "k2", "track_secret_key": ""},
                                              stored={"track_api_key": "k", "track_secret_key": "s"})
    assert (credentials, problems) == ({"track_api_key": "k2", "track_secret_key": "s"}, {})  # blank keeps


def test_karrio_is_per_carrier_and_easypost_takes_any_carrier_or_all() -> None:
    assert "use EasyPost" in accounts.complete("karrio", "*", {})[1]["carrier"][0]
    assert "use EasyPost for gls" in accounts.complete("karrio", "gls", {})[1]["carrier"][0]
    assert accounts.complete("easypost", "*", {"api_key": "EZAK"}) == ({"api_key": "EZAK"}, {})
    assert accounts.complete("easypost", "gls", {"api_key": "EZAK"})[1] == {}
    assert "carrier" in accounts.complete("easypost", "GLS <b>", {"api_key": "EZAK"})[1]
    assert accounts.complete("easypost", "*", {"api_key": 5})[1] == {"credentials": {"api_key": ["must be text"]}}


def test_a_store_that_refused_access_says_what_to_do_on_its_platform() -> None:
    shop = Shop(platform="wix", domain="site")
    assert view.connection_status(shop).tone == "success"
    shop.needs_reauth("token revoked")
    status = view.connection_status(shop)
    assert status.tone == "critical" and "token revoked" in status.explain
    assert status.todo.startswith("Open Forewarn again from your admin.") and "Wix dashboard" in status.todo
    shop.status, shop.uninstalled_at = "uninstalled", datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert "removed from this store on 2026-03-01" in view.connection_status(shop).explain


def test_each_carrier_in_the_orders_is_tracked_by_its_own_account_else_the_one_for_all() -> None:
    rows = view.carrier_coverage({"ups": 3, "dhl_express": 7, "": 1}, [Account("ups", "karrio")])
    assert [(r.carrier, r.parcels, r.account) for r in rows] == [
        ("dhl_express", 7, None), ("ups", 3, "the carrier's own API (karrio)"), ("", 1, None)]
    rows = view.carrier_coverage({"gls": 2}, [Account("*", "easypost")])
    assert rows[0].label == "GLS" and rows[0].account == "EasyPost (the account for every carrier)"


def test_write_back_says_what_each_platform_gets() -> None:
    assert "forewarn:late" in " ".join(view.write_back("shopify").writes)
    assert "private order notes" in view.write_back("woocommerce").label
    assert "activity" in view.write_back("wix").label


def test_languages_are_named_in_english_and_in_themselves() -> None:
    found = {lang.code: lang for lang in view.languages()}
    assert list(found) == list(templates.LANGUAGES)
    assert (found["de"].name, found["de"].native, found["de"].rtl) == ("German", "Deutsch", False)
    assert found["ar"].rtl and found["es"].native == "Español"


def test_a_provider_is_named_briefly() -> None:
    assert view.provider_name("email_sendgrid", "Email through SendGrid") == "SendGrid"
    assert view.provider_name("email_smtp", "Email through a mail server") == "your mail server"
    assert view.provider_name("x", None) == "x"
