"""Wiring of the skills subgraph: MongoDB indexes, the demo catalog in development,
the in-process catalog read model and the event tail that keeps it current."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.mongo import close_mongo, ping_mongo
from .demo import load_demo_catalog
from .deps import Deps, build
from .loaders import loaders_for
from .schema import build_schema

log = logging.getLogger("skill_circle.skills")


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_subgraph_app(
        settings or load_settings("skills"),
        build=build,
        schema=build_schema,
        loaders=loaders_for,
        readiness=lambda deps: {"mongodb": partial(ping_mongo, deps.database)},
        on_startup=start,
        on_shutdown=stop,
    )


async def start(deps: Deps, platform: Platform) -> None:
    await deps.ensure_indexes()
    if deps.settings.is_development and await deps.skill_store.count_skills() == 0:
        loaded = await load_demo_catalog(deps)
        log.info("demo catalog loaded: %s", loaded)
    # Note the stream's position before loading: what other replicas write meanwhile
    # is then re-read from the tail (every replica hears every event).
    tail = platform.tail(deps.catalog.handlers())
    after = await tail.position()
    await deps.catalog.load()
    platform.run_in_background(tail.run(after))
    platform.run_in_background(deps.catalog.refresh_forever())


async def stop(deps: Deps, _: Platform) -> None:
    await close_mongo(deps.database)
