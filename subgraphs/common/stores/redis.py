"""Redis: the configured server, or an in-process stand-in (fakeredis) when embedded."""

from __future__ import annotations

from fakeredis import FakeServer
from fakeredis.aioredis import FakeRedis
from redis.asyncio import Redis

from ..settings import Settings

# One in-process Redis stand-in per process, for the embedded default only.
_EMBEDDED_REDIS = FakeServer()


def redis_client(settings: Settings) -> Redis:
    """The configured Redis, or an in-process stand-in when none is configured."""
    if settings.redis_url:
        return Redis.from_url(settings.redis_url)
    if settings.environment == "production":
        raise RuntimeError("SKILL_CIRCLE_REDIS_URL is required in production")
    return FakeRedis(server=_EMBEDDED_REDIS)


def broadcast_url(settings: Settings) -> str:
    """Where live subscription messages travel: Redis pub/sub, or memory."""
    return settings.redis_url or "memory://"
