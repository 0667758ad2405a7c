"""Redis: the configured server, or an in-process stand-in (fakeredis) when embedded."""

from __future__ import annotations

from fakeredis import FakeServer
from fakeredis.aioredis import FakeRedis
from redis.asyncio import BlockingConnectionPool, Redis

from ..settings import Settings

# One in-process Redis stand-in per process, for the embedded default only.
_EMBEDDED_REDIS = FakeServer()


def redis_client(settings: Settings) -> Redis:
    """The configured Redis, or an in-process stand-in when none is configured."""
    if settings.redis_url:
        # Blocking: a burst over the pool's size waits for a connection (redis-py's default
        # pool raises "Too many connections" past 100 instead).
        pool = BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=settings.redis_max_connections,
            timeout=settings.redis_pool_timeout,
        )
        return Redis(connection_pool=pool)
    if settings.environment == "production":
        raise RuntimeError("SKILL_CIRCLE_REDIS_URL is required in production")
    return FakeRedis(server=_EMBEDDED_REDIS)


def broadcast_url(settings: Settings) -> str:
    """Where live subscription messages travel: Redis pub/sub, or memory."""
    return settings.redis_url or "memory://"
