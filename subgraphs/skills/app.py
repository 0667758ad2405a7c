"""Wiring of the skills subgraph: MongoDB, stores, services, schema, start-up."""

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
from .category_store import CategoryStore
from .demo import load_demo_catalog
from .events import CatalogEvents
from .loaders import loaders_for
from .roadmap_store import RoadmapStore
from .roadmaps import RoadmapService
from .schema import build_schema
from .service import SkillService
from .store import SkillStore

log = logging.getLogger("skill_circle.skills")


@dataclass
class SkillsDeps:
    """Everything the skills resolvers reach through `info.context.deps`."""

    settings: Settings
    database: MongoDatabase
    skill_store: SkillStore
    category_store: CategoryStore
    roadmap_store: RoadmapStore
    events: CatalogEvents
    service: SkillService
    roadmaps: RoadmapService

    async def ensure_indexes(self) -> None:
        await self.skill_store.ensure_indexes()
        await self.category_store.ensure_indexes()
        await self.roadmap_store.ensure_indexes()


def build(settings: Settings, bus: EventBus, database: MongoDatabase | None = None) -> SkillsDeps:
    """The subgraph's objects on `database` (default: the configured one)."""
    database = database if database is not None else mongo_database(settings)
    skill_store = SkillStore(database)
    category_store = CategoryStore(database)
    roadmap_store = RoadmapStore(database)
    events = CatalogEvents(bus)
    roadmaps = RoadmapService(roadmap_store, skill_store, events)
    service = SkillService(skill_store, category_store, roadmaps, events)
    return SkillsDeps(
        settings, database, skill_store, category_store, roadmap_store, events, service, roadmaps
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings("skills")
    platform = Platform(settings)
    deps = build(settings, platform.events)

    platform.readiness["mongodb"] = partial(ping_mongo, deps.database)

    async def start() -> None:
        await deps.ensure_indexes()
        if settings.is_development and await deps.skill_store.count_skills() == 0:
            loaded = await load_demo_catalog(deps)
            log.info("demo catalog loaded: %s", loaded)

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
