"""Everything that talks to an outside system. Store connectors are registered here, explicitly."""
from __future__ import annotations

from connectors.shopify.connector import ShopifyConnector
from connectors.wix.connector import WixConnector
from connectors.woocommerce.connector import WooCommerceConnector
from core.ports import StoreConnector

STORE_CONNECTORS: dict[str, StoreConnector] = {
    "shopify": ShopifyConnector(),
    "woocommerce": WooCommerceConnector(),
    "wix": WixConnector(),
}
