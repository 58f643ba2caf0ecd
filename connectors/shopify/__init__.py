"""Shopify: webhook verification, payload schemas and mapping to core events."""
