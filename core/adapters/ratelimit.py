"""A fixed-window counter in Redis for the public pages (order lookups, problem reports): a plain INCR with
an expiry — it works on the demo's in-process Redis, which has no Lua for a sliding-window library."""
from __future__ import annotations

from typing import Any


def allow(redis: Any, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt under `key`; False once more than `limit` were made in the current window."""
    full = f"forewarn:rate:{key}"
    pipe = redis.pipeline()
    pipe.incr(full)
    pipe.ttl(full)
    count, ttl = pipe.execute()
    if ttl is None or ttl < 0:  # a new window (or a key that lost its expiry): start the clock
        redis.expire(full, window_seconds)
    return int(count) <= limit


def used(redis: Any, key: str) -> int:
    """How many attempts the current window of `key` holds (without counting one)."""
    return int(redis.get(f"forewarn:rate:{key}") or 0)
