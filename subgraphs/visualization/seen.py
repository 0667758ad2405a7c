"""The percents a learner was last shown in an animated chart, so the next one moves from there.

One Redis hash per user (`viz:seen:{user_id}`: skill id -> percent), kept for
`ttl` after the last visit; personal data (exported and erased with the account).
"""

from __future__ import annotations

from redis.asyncio import Redis

from .cache import PREFIX, decoded

SEEN_TTL = 180 * 24 * 3600  # a visit half a year ago is no baseline any more


class SeenProgress:
    def __init__(self, redis: Redis, ttl_seconds: int = SEEN_TTL) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    @staticmethod
    def _key(user_id: str) -> str:
        return f"{PREFIX}:seen:{user_id}"

    async def of(self, user_id: str) -> dict[str, float]:
        """Skill id -> the percent last shown to the user (skills never shown are absent)."""
        found = await self.redis.hgetall(self._key(user_id))
        return {decoded(skill): float(decoded(percent)) for skill, percent in found.items()}

    async def record(self, user_id: str, percents: dict[str, float]) -> None:
        """`percents` were shown to the user now (other skills keep their last value)."""
        if not percents:
            return
        key = self._key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={skill: repr(p) for skill, p in percents.items()})
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def erase(self, user_id: str) -> int:
        """Forgets what the user was shown; how many skills."""
        key = self._key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hlen(key)
            pipe.delete(key)
            count, _ = await pipe.execute()
        return int(count)
