"""Merchants' helpdesks: one adapter per product, each implementing core.ports.Helpdesk."""
from __future__ import annotations

import requests

from connectors.helpdesks.zendesk import ZendeskHelpdesk
from core.errors import Unauthorized
from core.ports import Helpdesk

#: The helpdesks a shop can connect today, with the credentials each one needs.
KINDS = {"zendesk": ("subdomain", "email", "api_token")}


def build(kind: str, credentials: dict[str, str], http: requests.Session | None = None,
          simulator_url: str | None = None) -> Helpdesk:
    """The adapter for a shop's helpdesk. `simulated` (the demo's Zendesk look-alike, see simulator.py) exists
    only where the demo or a test set `simulator_url`."""
    if kind == "zendesk":
        return ZendeskHelpdesk(credentials.get("subdomain", ""), credentials.get("email", ""),
                               credentials.get("api_token", ""), http)
    if kind == "simulated" and simulator_url:
        return ZendeskHelpdesk("", credentials.get("email", ""), credentials.get("api_token", ""), http,
                               base_url=simulator_url)
    raise Unauthorized(f"no helpdesk adapter for {kind!r} (available: {', '.join(KINDS)})")
