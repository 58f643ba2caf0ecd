"""A customer's address written one way: a STOP from +1 502… finds the order that stored (502) …"""
from __future__ import annotations

from core.domain import contacts


def test_phone_numbers_are_read_in_their_country_and_written_in_e164() -> None:
    assert contacts.phone("(502) 555-0101", "US") == "+15025550101"
    assert contacts.phone("+1 502-555-0101") == "+15025550101"
    assert contacts.phone("whatsapp:+4915123456789") == "+4915123456789"
    assert contacts.phone("0151 23456789", "de") == "+4915123456789"
    assert contacts.phone("call me", "US") is None and contacts.phone("12", "US") is None and contacts.phone(None) is None


def test_every_way_an_order_names_its_customer() -> None:
    assert contacts.email("  Jon@Example.COM ") == "jon@example.com"
    assert contacts.addresses(" Jon@Example.com", "(502) 555-0101", "US") == ["jon@example.com", "+15025550101",
                                                                             "(502) 555-0101"]
