"""The typed errors of outside systems; they live in core/errors.py so that the ports can name them."""
from core.errors import ConnectorError, NotFound, Permanent, RateLimited, Transient, Unauthorized

__all__ = ["ConnectorError", "NotFound", "Permanent", "RateLimited", "Transient", "Unauthorized"]
