"""What the users resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ..common.platform import Platform
from ..common.stores.sql import database_url, read_session_factory, session_factory, sql_engine
from .admin import AdminService
from .ratelimit import LoginRateLimiter
from .service import UserService
from .settings import UserSettings
from .store import UserStore
from .tokens import AccessTokens, KeyRing, RefreshTokens


@dataclass
class Deps:
    settings: UserSettings
    engine: AsyncEngine
    store: UserStore
    keys: KeyRing
    service: UserService
    admin: AdminService


def build(settings: UserSettings, platform: Platform, *, keys: KeyRing | None = None) -> Deps:
    """The subgraph's parts; `keys` are the signing keys (default: from the settings)."""
    keys = keys or KeyRing.from_settings(settings)
    engine = sql_engine(database_url(settings), settings)
    store = UserStore(session_factory(engine), settings.service, read_session_factory(engine))
    platform.relay(store.outbox)
    service = UserService(
        settings,
        store,
        AccessTokens(keys, settings),
        RefreshTokens(platform.redis, settings.refresh_token_ttl_seconds),
        LoginRateLimiter(platform.limits, settings),
        platform.sessions,
    )
    return Deps(settings, engine, store, keys, service, AdminService(store, service))
