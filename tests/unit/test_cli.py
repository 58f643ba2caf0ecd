"""`forewarn replay` on each Shopify sample prints the right order, customer, tracking numbers and carrier."""
from __future__ import annotations

import json

import pytest

from tests.support import FIXTURES
from web.cli import main


def test_replay_orders_create_prints_order_and_customer(capsys) -> None:
    assert main(["replay", "shopify", str(FIXTURES / "shopify/orders_create.json"), "--topic", "orders/create"]) == 0
    out = capsys.readouterr().out
    assert "Order #9999" in out and "John Smith <jon@example.com>" in out and "Aviator sunglasses" in out


def test_replay_fulfillment_prints_tracking_number_and_carrier_as_json(capsys) -> None:
    path = str(FIXTURES / "shopify/fulfillments_create.json")
    assert main(["replay", "shopify", path, "--topic", "fulfillments/create", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    [order] = result["orders"]
    assert order["name"] == "#9999"
    [shipment] = order["shipments"]
    assert (shipment["tracking_number"], shipment["carrier"], shipment["carrier_raw"]) == ("1z827wk74630", "ups", "UPS")


def test_replay_guesses_the_topic(capsys) -> None:
    assert main(["replay", "shopify", str(FIXTURES / "shopify/fulfillments_create.json")]) == 0
    assert "fulfillments/create" in capsys.readouterr().out


def test_replay_of_an_unusable_body_says_why(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": 1, "line_items": []}')
    assert main(["replay", "shopify", str(bad), "--topic", "orders/create"]) == 2
    assert "missing required fields: name" in capsys.readouterr().err


def test_replay_of_an_unknown_platform_fails_clearly() -> None:
    with pytest.raises(SystemExit, match="unknown platform"):
        main(["replay", "magento", str(FIXTURES / "shopify/orders_create.json")])


def test_track_reads_a_saved_raw_response_and_shows_the_codes_behind_it(capsys) -> None:
    path = str(FIXTURES / "carriers/canadapost_docsample_delivered.xml")
    assert main(["track", "canadapost", "7023210039414604", "--raw", path]) == 0
    out = capsys.readouterr().out
    assert "canadapost 7023210039414604: delivered" in out
    assert "0174 → out_for_delivery" in out and "0173 → exception/address_issue" in out


def test_track_json_and_a_not_found_body(capsys) -> None:
    assert main(["track", "usps", "--raw", str(FIXTURES / "carriers/usps_delivered_parcel_locker.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "delivered"
    assert main(["track", "dhl", "8264715546", "--raw", str(FIXTURES / "carriers/dhl_universal_not_found_404.json")]) == 1
    assert "NotFound" in capsys.readouterr().err


def test_track_without_credentials_says_what_is_needed(monkeypatch) -> None:
    monkeypatch.delenv("FOREWARN_CARRIER_CREDENTIALS", raising=False)
    with pytest.raises(SystemExit, match="carrier credentials are needed"):
        main(["track", "dhl", "1234567890"])


def test_backtest_command_reports_for_a_shop(rt, sqlite_url, monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.test_backtest import seed

    seed(rt)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["backtest", "--shop", "bt.myshopify.com", "--days", "60", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == 1 and report["incidents"]["stuck"] == 1
    draft = tmp_path / "policy.json"
    draft.write_text(json.dumps({"thresholds": {"stuck.domestic_ground": 0.5}}))
    assert main(["backtest", "--shop", "bt.myshopify.com", "--days", "60", "--policy", str(draft)]) == 0
    assert "cases" in capsys.readouterr().out
    assert main(["backtest", "--shop", "nobody.myshopify.com"]) == 2
