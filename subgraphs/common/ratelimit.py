"""Fixed-window limits in Redis, shared by every replica: RATE_LIMITED with retryAfter.

A subgraph declares its limits as `Limit` values (name, count, window) and may
have them overridden per deployment: SKILL_CIRCLE_RATE_LIMITS='{"register:address":
[10, 3600]}' (count, window seconds; a count of 0 switches the limit off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from redis.asyncio import Redis

from .errors import RateLimited


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `window_seconds` per key (an address, an account...)."""

    name: str
    count: int
    window_seconds: int


class RateLimits:
    def __init__(self, redis: Redis, overrides: Mapping[str, Sequence[int]] | None = None) -> None:
        self.redis = redis
        self.overrides = dict(overrides or {})

    def configured(self, limit: Limit) -> Limit:
        """`limit` as this deployment configured it."""
        if limit.name not in self.overrides:
            return limit
        count, window = self.overrides[limit.name]
        return replace(limit, count=int(count), window_seconds=int(window))

    async def hit(self, limit: Limit, key: str) -> None:
        """Counts one event; RATE_LIMITED once the count is over the limit."""
        limit = self.configured(limit)
        if limit.count <= 0:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(_key(limit, key))
            pipe.expire(_key(limit, key), limit.window_seconds, nx=True)
            pipe.ttl(_key(limit, key))
            count, _, ttl = await pipe.execute()
        if count > limit.count:
            raise RateLimited(max(int(ttl), 1))

    async def check(self, limit: Limit, key: str) -> None:
        """RATE_LIMITED if the count already reached the limit; counts nothing."""
        limit = self.configured(limit)
        if limit.count <= 0:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(_key(limit, key))
            pipe.ttl(_key(limit, key))
            count, ttl = await pipe.execute()
        if count is not None and int(count) >= limit.count:
            raise RateLimited(max(int(ttl), 1))

    async def clear(self, limit: Limit, key: str) -> None:
        await self.redis.delete(_key(limit, key))


def _key(limit: Limit, key: str) -> str:
    return f"rate:{limit.name}:{key}"
