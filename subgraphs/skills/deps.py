"""What the skills resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.events import EventBus
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import MongoDatabase, mongo_database
from .category_store import CategoryStore
from .events import CatalogEvents
from .read_model import CatalogReadModel
from .roadmap_store import RoadmapStore
from .roadmaps import RoadmapService
from .service import SkillService
from .store import SkillStore


@dataclass
class Deps:
    settings: Settings
    database: MongoDatabase
    skill_store: SkillStore
    category_store: CategoryStore
    catalog: CatalogReadModel
    roadmap_store: RoadmapStore
    events: CatalogEvents
    service: SkillService
    roadmaps: RoadmapService

    async def ensure_indexes(self) -> None:
        await self.skill_store.ensure_indexes()
        await self.category_store.ensure_indexes()
        await self.roadmap_store.ensure_indexes()


def build(settings: Settings, platform: Platform) -> Deps:
    return assemble(settings, platform.events, mongo_database(settings))


def assemble(settings: Settings, bus: EventBus, database: MongoDatabase) -> Deps:
    """The subgraph's parts on `bus` and `database` (tests pass their own)."""
    skill_store = SkillStore(database)
    category_store = CategoryStore(database)
    catalog = CatalogReadModel(skill_store, category_store)
    roadmap_store = RoadmapStore(database)
    events = CatalogEvents(bus, catalog)
    roadmaps = RoadmapService(roadmap_store, skill_store, events)
    service = SkillService(skill_store, category_store, catalog, roadmaps, events)
    return Deps(
        settings,
        database,
        skill_store,
        category_store,
        catalog,
        roadmap_store,
        events,
        service,
        roadmaps,
    )
