"""Carrier tracking: per-carrier normalizers of raw responses (pure), the karrio-backed client, the
aggregator, push receivers' parsing, and the carrier simulator used by the demo and the tests."""
