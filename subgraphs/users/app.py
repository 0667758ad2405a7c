"""Wiring of the users subgraph: stores, keys, service, schema, routes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from ..common.app import create_app as create_subgraph_app
from ..common.auth import KeySet, TokenVerifier
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.sql import database_url, migrate, ping_sql, session_factory, sql_engine
from .loaders import loaders_for
from .ratelimit import LoginRateLimiter
from .schema import build_schema
from .service import UserService
from .store import UserStore
from .tokens import AccessTokens, KeyRing, RefreshTokens

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Users:
    """Everything the users resolvers reach through `info.context.deps`."""

    settings: Settings
    engine: AsyncEngine
    store: UserStore
    keys: KeyRing
    service: UserService


def build(settings: Settings) -> tuple[Platform, Users]:
    keys = KeyRing.from_settings(settings)

    async def local_jwks() -> dict:
        return keys.jwks()

    # The users subgraph verifies with the same code as everyone else, from its own keys.
    verifier = TokenVerifier(settings, KeySet(local_jwks, refetch_interval=0))
    platform = Platform(settings, verifier=verifier)
    engine = sql_engine(database_url(settings))
    store = UserStore(session_factory(engine))
    service = UserService(
        settings,
        store,
        AccessTokens(keys, settings),
        RefreshTokens(platform.redis, settings.refresh_token_ttl_seconds),
        LoginRateLimiter(
            platform.redis,
            settings.login_attempts_per_account,
            settings.login_attempts_per_address,
            settings.login_window_seconds,
        ),
        platform.events,
    )
    return platform, Users(settings, engine, store, keys, service)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings("users")
    platform, users = build(settings)

    platform.readiness["database"] = partial(ping_sql, users.engine)

    async def start() -> None:
        if settings.auto_migrate:
            await migrate(database_url(settings), MIGRATIONS)
        await users.service.ensure_admin(settings.admin_email, settings.admin_password)

    async def stop() -> None:
        await users.engine.dispose()

    app = create_subgraph_app(
        platform,
        build_schema(settings),
        deps=users,
        make_loaders=loaders_for,
        on_startup=[start],
        on_shutdown=[stop],
    )

    @app.get("/.well-known/jwks.json")
    async def jwks() -> JSONResponse:
        return JSONResponse(users.keys.jwks(), headers={"Cache-Control": "public, max-age=300"})

    return app
