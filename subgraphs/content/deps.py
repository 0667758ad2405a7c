"""What the content resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.events import EventBus
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import MongoDatabase, mongo_database
from .events import ContentEvents
from .service import ContentService
from .store import ContentStore


@dataclass
class Deps:
    settings: Settings
    database: MongoDatabase
    store: ContentStore
    service: ContentService


def build(settings: Settings, platform: Platform) -> Deps:
    return assemble(settings, platform.events, mongo_database(settings))


def assemble(settings: Settings, bus: EventBus, database: MongoDatabase) -> Deps:
    """The subgraph's parts on `bus` and `database` (tests pass their own)."""
    store = ContentStore(database)
    return Deps(settings, database, store, ContentService(store, ContentEvents(bus)))
