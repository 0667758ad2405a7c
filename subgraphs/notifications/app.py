"""Wiring of the notifications subgraph: the event consumer, the delivery worker and the
unsubscribe route."""

from __future__ import annotations

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.platform import Platform
from ..common.settings import Settings, settings_as
from .deps import Deps, build
from .loaders import loaders_for
from .routes import add_unsubscribe_routes
from .schema import build_schema
from .settings import NotificationSettings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_subgraph_app(
        settings_as(NotificationSettings, settings),
        build=build,
        schema=build_schema,
        loaders=loaders_for,
        on_startup=start,
        on_shutdown=stop,
        routes=add_unsubscribe_routes,
        # A learner's notifications change by this subgraph's mutations, the events its
        # consumer handles (each clears every learner's answers: see the docs for what
        # that costs under many events) and the unsubscribe link (which clears too).
        private_answers=True,
    )


async def start(deps: Deps, platform: Platform) -> None:
    platform.run_in_background(platform.consumer(deps.events.handlers()).run())
    platform.run_in_background(deps.worker.run())


async def stop(deps: Deps, platform: Platform) -> None:
    # Tasks first: they use the HTTP client closed below.
    await platform.stop_background()
    await deps.http.aclose()
