"""Value objects shared by the domain model and the connectors' DTOs: frozen, compared by value,
stored as JSON beside the entity that holds them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    name: str | None = None
    city: str | None = None
    region: str | None = None  # province/state code where the platform gives one
    postal_code: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2

    def anonymous(self) -> Address:
        """What statistics need and no more: city, region and country, without name or postal code."""
        return Address(city=self.city, region=self.region, country_code=self.country_code)


@dataclass(frozen=True)
class LineItem:
    platform_line_item_id: str
    title: str
    quantity: int
    sku: str | None = None
    requires_shipping: bool = True


@dataclass(frozen=True)
class ShipmentItem:
    """The part of a line item that one fulfillment contains."""

    platform_line_item_id: str
    title: str
    quantity: int
