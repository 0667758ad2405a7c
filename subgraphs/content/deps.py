"""What the content resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.events.outbox import MongoOutbox
from ..common.gateway_client import GatewayClient
from ..common.known_skills import SkillChecker, SkillDirectory
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.mongo import MongoDatabase, mongo_database
from .events import ContentEvents
from .personal_data import ContentPersonalData
from .service import ContentService
from .skills import directory
from .store import ContentStore


@dataclass
class Deps:
    settings: Settings
    database: MongoDatabase
    store: ContentStore
    gateway: GatewayClient
    skills: SkillDirectory
    outbox: MongoOutbox
    service: ContentService
    personal_data: ContentPersonalData


def build(settings: Settings, platform: Platform) -> Deps:
    deps = assemble(settings, mongo_database(settings))
    platform.relay(deps.outbox)
    return deps


def assemble(
    settings: Settings, database: MongoDatabase, skill_checker: SkillChecker | None = None
) -> Deps:
    """The subgraph's parts on `database` (tests pass their own, relay the outbox, and pass a
    skill checker when there is no gateway; the directory still learns skill events)."""
    store = ContentStore(database)
    personal_data = ContentPersonalData(store, database, settings.service)
    outbox = MongoOutbox([store.courses.heads, store.articles.heads, personal_data.erasures])
    personal_data.outbox = outbox
    events = ContentEvents(settings.service, outbox)
    gateway = GatewayClient.from_settings(settings)
    skills = directory(database, gateway)
    service = ContentService(store, events, skill_checker or skills)
    return Deps(settings, database, store, gateway, skills, outbox, service, personal_data)
