"""Wix: webhook (JWT) and dashboard-instance verification, eCom payload schemas and mapping to core events."""
