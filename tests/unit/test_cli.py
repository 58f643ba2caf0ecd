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
