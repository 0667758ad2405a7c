"""What the skills resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..common.events.outbox import MongoOutbox
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import MongoDatabase, mongo_database
from .category_store import CategoryStore
from .events import CatalogEvents
from .personal_data import SkillsPersonalData
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
    outbox: MongoOutbox
    events: CatalogEvents
    service: SkillService
    roadmaps: RoadmapService
    personal_data: SkillsPersonalData = field(default_factory=SkillsPersonalData)

    async def ensure_indexes(self) -> None:
        await self.skill_store.ensure_indexes()
        await self.category_store.ensure_indexes()
        await self.roadmap_store.ensure_indexes()
        await self.outbox.ensure_indexes()


def build(settings: Settings, platform: Platform) -> Deps:
    deps = assemble(settings, mongo_database(settings))
    platform.relay(deps.outbox)
    return deps


def assemble(settings: Settings, database: MongoDatabase) -> Deps:
    """The subgraph's parts on `database` (tests pass their own, and relay the outbox)."""
    skill_store = SkillStore(database)
    category_store = CategoryStore(database)
    catalog = CatalogReadModel(skill_store, category_store)
    roadmap_store = RoadmapStore(database)
    outbox = MongoOutbox(
        [
            skill_store.skills,
            category_store.categories,
            roadmap_store.roadmaps,
            skill_store.tombstones,
        ],
        finish={skill_store.tombstones.name: skill_store.finish_deletion},
    )
    events = CatalogEvents(settings.service, outbox)
    roadmaps = RoadmapService(roadmap_store, skill_store, events)
    service = SkillService(skill_store, category_store, catalog, roadmaps, events)
    return Deps(
        settings,
        database,
        skill_store,
        category_store,
        catalog,
        roadmap_store,
        outbox,
        events,
        service,
        roadmaps,
    )
