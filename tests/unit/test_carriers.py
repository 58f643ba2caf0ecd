from __future__ import annotations

import pytest

from core.domain.carriers import carrier_code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("UPS", "ups"),
        ("FedEx", "fedex"),
        ("USPS", "usps"),
        ("DHL Express", "dhl_express"),
        ("DHL eCommerce", "dhl_ecommerce"),
        ("Canada Post", "canadapost"),
        ("Royal Mail", "royalmail"),
        ("  royal   mail ", "royalmail"),
        ("Blue Dart", "bluedart"),
        ("Pathao Courier", "pathao_courier"),  # unknown: its own slug, so the aggregator can still track it
    ],
)
def test_normalizes_platform_carrier_names(raw: str, code: str) -> None:
    assert carrier_code(raw) == code


def test_falls_back_to_the_tracking_url_host_then_the_number_shape() -> None:
    assert carrier_code(None, "https://www.fedex.com/fedextrack/?trknbr=1") == "fedex"
    assert carrier_code("", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400") == "usps"
    assert carrier_code(None, None, "1Z999AA10123456784") == "ups"
    assert carrier_code(None, "https://evil-ups.com.example/x", "123") is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("1Z999AA10123456784", "ups"),
        ("9400109104250532908587", "usps"),
        ("EC123456785US", "usps"),
        ("QF123456785GB", "royalmail"),
        ("7023210039414604", "canadapost"),
        ("794644790132", "fedex"),
        ("1234567890", "dhl_express"),
        ("JJD000390007882598", "dhl"),
        ("ABC", None),
    ],
)
def test_a_missing_or_unknown_carrier_is_inferred_from_the_number(number: str, code: str | None) -> None:
    assert carrier_code(None, None, number) == code
    assert carrier_code("Our courier", None, number) == (code or "our_courier")
