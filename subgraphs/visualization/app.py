"""Wiring of the visualization subgraph: cache invalidation by events, the image routes."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.auth import TokenVerifier
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from .deps import Deps, build
from .events import event_handlers
from .loaders import loaders_for
from .routes import add_image_routes
from .schema import build_schema
from .source import DataSource
from .source.gateway import GatewaySource


def create_app(
    settings: Settings | None = None,
    source: DataSource | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """`source` and `verifier` replace the gateway and the JWKS (samples, tests)."""
    return create_subgraph_app(
        settings or load_settings("visualization"),
        build=partial(build, source=source),
        schema=build_schema,
        loaders=loaders_for,
        verifier=verifier,
        on_startup=start,
        on_shutdown=stop,
        routes=lambda app, deps, platform: add_image_routes(app, platform, deps.service),
        # A learner's charts are drawn from what the request carries (the progress the
        # gateway hands over) and from the catalog, whose events clear what is kept.
        private_answers=True,
    )


async def start(deps: Deps, platform: Platform) -> None:
    # The embedded Redis stand-in lives in this process, so no other subgraph's events
    # can reach it (and a blocking read on it does not stop on cancel): consume only
    # from a real Redis.
    if deps.settings.redis_url:
        platform.run_in_background(
            platform.consumer(event_handlers(deps.cache, deps.personal_data)).run()
        )


async def stop(deps: Deps, _: Platform) -> None:
    if isinstance(deps.source, GatewaySource):
        await deps.source.close()
