"""Merchants' helpdesks: one adapter per product, each implementing core.ports.Helpdesk."""
