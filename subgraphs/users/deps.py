"""What the users resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ..common.platform import Platform
from ..common.stores.sql import database_url, read_session_factory, session_factory, sql_engine
from .admin import AdminService
from .deletion import AccountDeletions
from .deletion_store import DeletionStore
from .personal_data import UsersPersonalData
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
    deletions: AccountDeletions
    personal_data: UsersPersonalData


def build(settings: UserSettings, platform: Platform, *, keys: KeyRing | None = None) -> Deps:
    """The subgraph's parts; `keys` are the signing keys (default: from the settings)."""
    keys = keys or KeyRing.from_settings(settings)
    engine = sql_engine(database_url(settings), settings)
    sessions, reads = session_factory(engine), read_session_factory(engine)
    store = UserStore(sessions, settings.service, reads)
    platform.relay(store.outbox)
    refresh = RefreshTokens(platform.redis, settings.refresh_token_ttl_seconds)
    service = UserService(
        settings,
        store,
        AccessTokens(keys, settings),
        refresh,
        LoginRateLimiter(platform.limits, settings),
        platform.sessions,
    )
    deletions = AccountDeletions(
        DeletionStore(sessions, store.outbox, reads), service, settings.deletion_retry_seconds
    )
    personal_data = UsersPersonalData(store, service.refresh)
    return Deps(
        settings,
        engine,
        store,
        keys,
        service,
        AdminService(store, service),
        deletions,
        personal_data,
    )
