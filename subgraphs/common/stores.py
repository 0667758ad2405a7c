"""Connections to the stores a subgraph owns: SQL (SQLAlchemy async) and Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from fakeredis import FakeServer
from fakeredis.aioredis import FakeRedis
from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from .settings import Settings

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


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    if settings.environment == "production":
        raise RuntimeError("SKILL_CIRCLE_DATABASE_URL is required in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.sqlite_url()


def sql_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


async def ping_sql(engine: AsyncEngine) -> None:
    """Readiness: raises when the database does not answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def migrate(url: str, migrations: Path) -> None:
    """Upgrade the database at `url` to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Alembic's env.py drives its own event loop; keep it off ours.
    await asyncio.to_thread(command.upgrade, config, "head")
