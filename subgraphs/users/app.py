"""Wiring of the users subgraph: its own keys verify tokens, migrations, JWKS route."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ..common.app import create_app as create_subgraph_app
from ..common.auth import KeySet, TokenVerifier
from ..common.events import Handlers
from ..common.events.contracts import AccountDataErased
from ..common.platform import Platform
from ..common.settings import Settings, settings_as
from ..common.stores.sql import ping_sql
from .deps import Deps, build
from .loaders import loaders_for
from .schema import build_schema
from .service import UnverifiedAccount
from .settings import UserSettings
from .tokens import KeyRing

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("skill_circle.users")


def create_app(settings: Settings | None = None) -> FastAPI:
    own = settings_as(UserSettings, settings)
    keys = KeyRing.from_settings(own)
    return create_subgraph_app(
        own,
        build=partial(build, keys=keys),
        schema=build_schema,
        loaders=loaders_for,
        verifier=local_verifier(own, keys),
        migrations=MIGRATIONS,
        readiness=lambda deps: {"database": partial(ping_sql, deps.engine)},
        on_startup=start,
        on_shutdown=stop,
        routes=add_jwks_route,
        # A learner's own account changes only by users' mutations (the deletion saga
        # works on accounts whose sessions are already revoked): `me` from memory.
        private_answers=True,
    )


def local_verifier(settings: Settings, keys: KeyRing) -> TokenVerifier:
    """The users subgraph verifies with the same code as everyone else, from its own keys."""

    async def local_jwks() -> dict[str, Any]:
        return keys.jwks()

    return TokenVerifier(settings, KeySet(local_jwks, refetch_interval=0))


async def start(deps: Deps, platform: Platform) -> None:
    handlers = Handlers().on(AccountDataErased, deps.deletions.on_data_erased)
    platform.run_in_background(platform.consumer(handlers).run())
    platform.run_in_background(deps.deletions.run())
    try:
        await deps.service.ensure_admin(deps.settings.admin_email, deps.settings.admin_password)
    except UnverifiedAccount as refused:
        # Someone registered the admin address first: serve anyway, without that admin.
        log.error("no admin account: %s", refused.message)


async def stop(deps: Deps, _: Platform) -> None:
    deps.deletions.stop()
    await deps.engine.dispose()


def add_jwks_route(app: FastAPI, deps: Deps, _: Platform) -> None:
    @app.get("/.well-known/jwks.json")
    async def jwks() -> JSONResponse:
        return JSONResponse(deps.keys.jwks(), headers={"Cache-Control": "public, max-age=300"})
