"""Configuration from environment variables (all documented in README). Pure: it reads the mapping it is given."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.adapters.db import DEFAULT_DATABASE_URL

#: `REDIS_URL=memory://` selects the in-process Redis substitute (the demo's; never for production).
MEMORY_REDIS = "memory://"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    shopify_api_key: str | None = None
    shopify_api_secret: str | None = None
    #: The previous secret while a rotation settles (Shopify may sign with it for up to an hour).
    shopify_api_secret_old: str | None = None
    #: Least privilege: read orders and fulfillments; write fulfillments (events) and orders (tags) for write-back.
    shopify_scopes: str = "read_orders,read_fulfillments,write_fulfillments,write_orders"
    demo: bool = False
    #: The Wix app's credentials (Wix Dev Center › OAuth) and the public key its webhooks are signed with.
    wix_app_id: str | None = None
    wix_app_secret: str | None = None
    wix_public_key: str | None = None
    #: Where Wix's APIs are: set only by the demo and the tests (its simulator), never from the environment.
    wix_api_url: str = "https://www.wixapis.com"
    #: Forewarn's own outgoing mail server (smtp://, smtps://; see connectors/mail.py), for shops whose
    #: helpdesk is their support inbox and did not give their own.
    smtp_url: str | None = None
    #: Let merchants point Forewarn at hosts on private networks (a self-hosted Chatwoot on the operator's
    #: LAN). Off: such addresses are refused (connectors/netguard.py).
    allow_private_network: bool = False
    #: How many proxies in front of `forewarn serve` set X-Forwarded-For/-Proto (0: none is trusted).
    proxy_hops: int = 0
    #: Where the carrier simulator listens. Set by `forewarn demo` and the tests only — never read from the
    #: environment, so production configuration cannot select it.
    carrier_simulator_url: str | None = None
    #: Where the helpdesk simulator (Zendesk's wire format) listens; the same rule: demo and tests only.
    helpdesk_simulator_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            "redis_url": env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            "secret_key": env.get("FOREWARN_SECRET_KEY") or None,
            "base_url": (env.get("FOREWARN_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            "shopify_api_key": env.get("SHOPIFY_API_KEY") or None,
            "shopify_api_secret": env.get("SHOPIFY_API_SECRET") or None,
            "shopify_api_secret_old": env.get("SHOPIFY_API_SECRET_OLD") or None,
            "shopify_scopes": env.get("SHOPIFY_SCOPES") or cls.shopify_scopes,
            "smtp_url": env.get("FOREWARN_SMTP_URL") or None,
            "wix_app_id": env.get("WIX_APP_ID") or None,
            "wix_app_secret": env.get("WIX_APP_SECRET") or None,
            # a PEM in one environment line usually arrives with its line breaks written as \n
            "wix_public_key": (env.get("WIX_PUBLIC_KEY") or "").replace("\\n", "\n") or None,
            "allow_private_network": (env.get("FOREWARN_ALLOW_PRIVATE_NETWORK") or "").lower() in ("1", "true", "yes"),
            "proxy_hops": int(env.get("FOREWARN_PROXY_HOPS") or 0),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def shopify_secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.shopify_api_secret, self.shopify_api_secret_old) if s)
