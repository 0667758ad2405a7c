"""SQL stores (SQLAlchemy async): engine, sessions, UTC column type, migrations, ping.

Without SKILL_CIRCLE_DATABASE_URL a development process uses an embedded SQLite
file in `data_dir`; production refuses to start without a URL.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import DateTime, MetaData, event, pool, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator

from ..observability.tracing import trace_sql_engine
from ..settings import Settings


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded SQLite file of this service."""
    if settings.database_url:
        return settings.database_url
    if settings.environment == "production":
        raise RuntimeError("SKILL_CIRCLE_DATABASE_URL is required in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{settings.data_dir / (settings.service + '.db')}"


def sql_engine(url: str, settings: Settings) -> AsyncEngine:
    """An engine for `url`, registered for tracing (when tracing is configured)."""
    engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url, settings)
    trace_sql_engine(engine)
    return engine


def _server_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        url, pool_size=settings.sql_pool_size, max_overflow=settings.sql_pool_overflow
    )
    _ping_after_idle(engine, settings.sql_ping_after_idle_seconds)
    return engine


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Pings a pooled connection on checkout only when it sat idle `idle_seconds` or more.

    `pool_pre_ping` pings on every checkout: a round trip per query batch, measured as
    12% of learning's CPU under the dashboard load. A connection in steady use is known
    to be alive; one that sat idle may have been dropped (a database restart, a
    firewall's idle timeout) and is replaced before use. A connection that breaks while
    in use still fails its query once; SQLAlchemy then invalidates the pool's older
    connections.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("pooled connection dropped while idle") from exc


def _sqlite_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


async def ping_sql(engine: AsyncEngine) -> None:
    """Readiness: raises when the database does not answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for writes and multi-statement reads: each runs in a transaction."""
    return async_sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for single-statement reads: autocommit, so no BEGIN and ROLLBACK round
    trips around the one SELECT (each statement sees one consistent snapshot anyway).
    Never write through these: without a transaction nothing is atomic."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def migrate(url: str, migrations: Path) -> None:
    """Upgrade the database at `url` to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Alembic's env.py drives its own event loop; keep it off ours.
    await asyncio.to_thread(command.upgrade, config, "head")


def run_migrations(metadata: MetaData) -> None:
    """The body of every subgraph's Alembic env.py: run migrations on an async engine."""
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def upgrade(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(str(url), poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(upgrade)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())
