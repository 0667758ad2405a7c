"""What the content resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.events.outbox import MongoOutbox
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
    outbox: MongoOutbox
    service: ContentService


def build(settings: Settings, platform: Platform) -> Deps:
    deps = assemble(settings, mongo_database(settings))
    platform.relay(deps.outbox)
    return deps


def assemble(settings: Settings, database: MongoDatabase) -> Deps:
    """The subgraph's parts on `database` (tests pass their own, and relay the outbox)."""
    store = ContentStore(database)
    outbox = MongoOutbox([store.courses.heads, store.articles.heads])
    events = ContentEvents(settings.service, outbox)
    return Deps(settings, database, store, outbox, ContentService(store, events))
