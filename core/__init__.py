"""Forewarn's domain and services: no web framework, queue, HTTP client or platform SDK in here."""
