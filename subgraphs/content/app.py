"""Wiring of the content subgraph: MongoDB, store, service, schema, start-up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.events import EventBus
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.mongo import MongoDatabase, close_mongo, mongo_database, ping_mongo
from .demo import fetch_links, load_demo_content
from .events import ContentEvents
from .loaders import loaders_for
from .schema import build_schema
from .service import ContentService
from .store import ContentStore

log = logging.getLogger("skill_circle.content")


@dataclass
class ContentDeps:
    """Everything the content resolvers reach through `info.context.deps`."""

    settings: Settings
    database: MongoDatabase
    store: ContentStore
    service: ContentService


def build(settings: Settings, bus: EventBus, database: MongoDatabase | None = None) -> ContentDeps:
    """The subgraph's objects on `database` (default: the configured one)."""
    database = database if database is not None else mongo_database(settings)
    store = ContentStore(database)
    return ContentDeps(settings, database, store, ContentService(store, ContentEvents(bus)))


async def load_demo_when_empty(deps: ContentDeps) -> None:
    """Development start-up: the demo content, once, when the store is empty."""
    if not await deps.store.is_empty():
        return
    links = await fetch_links(deps.settings)
    loaded = await load_demo_content(deps, links)
    log.info("demo content loaded: %s", loaded)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings("content")
    platform = Platform(settings)
    deps = build(settings, platform.events)

    platform.readiness["mongodb"] = partial(ping_mongo, deps.database)

    async def start() -> None:
        await deps.store.create_indexes()
        if settings.is_development:
            # In the background: skill ids come through the gateway, which may start later.
            platform.run_in_background(load_demo_when_empty(deps))

    async def stop() -> None:
        await close_mongo(deps.database)

    return create_subgraph_app(
        platform,
        build_schema(settings),
        deps=deps,
        make_loaders=loaders_for,
        on_startup=[start],
        on_shutdown=[stop],
    )
