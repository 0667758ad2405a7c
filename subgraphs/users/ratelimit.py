"""Fixed-window login limits per account and per client address, in Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from ..common.errors import RateLimited


class LoginRateLimiter:
    def __init__(
        self, redis: Redis, per_account: int, per_address: int, window_seconds: int
    ) -> None:
        self.redis = redis
        self.per_account = per_account
        self.per_address = per_address
        self.window = window_seconds

    async def hit(self, account: str, address: str) -> None:
        """Counts one attempt; RATE_LIMITED once either limit is exceeded."""
        for key, limit in (
            (f"login-attempts:account:{account}", self.per_account),
            (f"login-attempts:address:{address}", self.per_address),
        ):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self.window, nx=True)
                pipe.ttl(key)
                count, _, ttl = await pipe.execute()
            if count > limit:
                raise RateLimited(max(int(ttl), 1))

    async def succeeded(self, account: str) -> None:
        """A correct password clears the account's count (not the address's)."""
        await self.redis.delete(f"login-attempts:account:{account}")
