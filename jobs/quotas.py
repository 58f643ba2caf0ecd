"""Carrier rate limits and daily quotas, enforced across every worker through Redis.

Fixed windows per account and carrier (a daily window resets at 00:00 GMT as DHL's and FedEx's do). A call
is taken only if every window still has room: the counters are raised together and lowered again if any
went past its limit, so two workers racing for the last call can both lose it but never both win it.
Defaults from ../shared/reference/carriers.md §8; DHL's starter plan is the binding one.
"""
from __future__ import annotations

from datetime import datetime

from redis import Redis

#: (window seconds, calls allowed) per carrier API (one DHL key serves every DHL carrier code).
LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    "dhl": ((86400, 250), (1, 1)),
    "usps": ((3600, 60),),
    "fedex": ((10, 1400),),
    "ups": ((1, 10),),
    "canadapost": ((1, 10),),
}
#: Carrier codes that share one API and so one quota.
API_OF = {"dhl_express": "dhl", "dhl_paket": "dhl", "dhl_ecommerce": "dhl"}


def api(carrier: str) -> str:
    return API_OF.get(carrier, carrier)


class Quota:
    def __init__(self, redis: Redis, limits: dict[str, tuple[tuple[int, int], ...]] | None = None) -> None:
        self.redis = redis
        self.limits = LIMITS if limits is None else limits

    def _keys(self, account: str, carrier: str, now: datetime) -> list[tuple[str, int, int, float]]:
        ts = now.timestamp()
        out = []
        carrier = api(carrier)
        for window, limit in self.limits.get(carrier, ()):
            bucket = int(ts // window)
            reset_in = (bucket + 1) * window - ts
            out.append((f"forewarn:quota:{account}:{carrier}:{window}:{bucket}", window, limit, reset_in))
        return out

    def acquire(self, account: str, carrier: str, now: datetime) -> float | None:
        """Take one call. None when allowed; else the seconds until the exhausted window resets."""
        keys = self._keys(account, carrier, now)
        if not keys:
            return None
        with self.redis.pipeline() as pipe:
            for key, window, _, _ in keys:
                pipe.incr(key)
                pipe.expire(key, window + 60)
            counts = pipe.execute()[::2]
        over = [reset for (_, _, limit, reset), count in zip(keys, counts) if count > limit]
        if not over:
            return None
        with self.redis.pipeline() as pipe:
            for key, *_ in keys:
                pipe.decr(key)
            pipe.execute()
        return max(over)

    def remaining(self, account: str, carrier: str, now: datetime) -> int | None:
        """Calls left in the tightest quota window (a minute or longer: per-second rates pace the calls, they
        do not ration them); None when the carrier has no such limit."""
        keys = [k for k in self._keys(account, carrier, now) if k[1] >= 60]
        if not keys:
            return None
        values = self.redis.mget([k for k, *_ in keys])
        return min(limit - int(v or 0) for (_, _, limit, _), v in zip(keys, values))

    def reset_in(self, account: str, carrier: str, now: datetime) -> float:
        """Seconds until the tightest quota window starts afresh."""
        keys = [k for k in self._keys(account, carrier, now) if k[1] >= 60]
        return max((reset for *_, reset in keys), default=60.0)
