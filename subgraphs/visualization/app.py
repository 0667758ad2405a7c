"""Wiring of the visualization subgraph: gateway source, Redis cache, events, schema, routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.auth import TokenVerifier
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from .cache import SvgCache
from .events import event_handlers
from .gateway import GatewaySource
from .loaders import loaders_for
from .routes import add_image_routes
from .schema import build_schema
from .service import RenderCounts, VisualizationService
from .source import DataSource


@dataclass
class Visualization:
    """Everything the visualization resolvers reach through `info.context.deps`."""

    settings: Settings
    source: DataSource
    cache: SvgCache
    service: VisualizationService


def build(
    settings: Settings, source: DataSource | None = None, verifier: TokenVerifier | None = None
) -> tuple[Platform, Visualization]:
    """The wiring; `source` and `verifier` replace the gateway and the JWKS (samples, tests)."""
    platform = Platform(settings, verifier=verifier)
    source = source or GatewaySource(settings.gateway_url)
    cache = SvgCache(platform.redis)
    service = VisualizationService(source, cache, RenderCounts.on(platform.metrics.registry))
    return platform, Visualization(settings, source, cache, service)


def create_app(
    settings: Settings | None = None,
    source: DataSource | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or load_settings("visualization")
    platform, viz = build(settings, source, verifier)
    consumer = platform.consumer(event_handlers(viz.cache))

    async def start() -> None:
        # The embedded Redis stand-in lives in this process, so no other subgraph's events
        # can reach it (and a blocking read on it does not stop on cancel): consume only
        # from a real Redis.
        if settings.redis_url:
            platform.run_in_background(consumer.run())

    async def stop() -> None:
        if isinstance(viz.source, GatewaySource):
            await viz.source.close()

    app = create_subgraph_app(
        platform,
        build_schema(settings),
        deps=viz,
        make_loaders=loaders_for,
        on_startup=[start],
        on_shutdown=[stop],
    )
    add_image_routes(app, platform, viz.service)
    return app
