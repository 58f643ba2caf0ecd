"""Typed errors at the edge (every client and provider raises these, never a library's own). Jobs retry only
`Transient` and `RateLimited`; the others fail at once and are recorded where an admin can see them."""
from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error an outside system's client raises."""


class Unauthorized(ConnectorError):
    """The credentials were refused (revoked token, uninstalled app, wrong key)."""


class NotFound(ConnectorError):
    pass


class RateLimited(ConnectorError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Transient(ConnectorError):
    """Worth another try later: a timeout, a connection reset, a 5xx."""


class Permanent(ConnectorError):
    """Will fail the same way again: a 4xx, a validation error from the API."""


class MaybeSent(ConnectorError):
    """The request went out and no answer came back (a read timeout, a hang-up after the body): the provider
    may have taken it. Never retried where sending twice is worse than not knowing (customer messages);
    the provider's delivery report settles it."""
