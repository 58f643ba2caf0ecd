"""Inbound HTTP endpoints for platforms (and, later, carrier push): verify, store a receipt, enqueue, answer."""
