"""What the learning resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ..common.clock import utcnow
from ..common.events.outbox import SqlOutbox
from ..common.gateway_client import GatewayClient
from ..common.platform import Platform
from ..common.settings import Settings
from ..common.stores.sql import database_url, read_session_factory, session_factory, sql_engine
from .courses import CourseCatalog
from .events import Announcer
from .journal import Clock, Journal, Projector
from .personal_data import LearningPersonalData
from .roadmaps import RoadmapCatalog
from .service import LearningService
from .skills import SkillChecker, SkillDirectory, directory
from .store import LearningStore
from .tables import OUTBOX


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    store: LearningStore
    gateway: GatewayClient
    roadmaps: RoadmapCatalog
    skills: SkillDirectory
    courses: CourseCatalog
    service: LearningService
    clock: Clock
    personal_data: LearningPersonalData


def build(
    settings: Settings,
    platform: Platform,
    *,
    clock: Clock = utcnow,
    skill_checker: SkillChecker | None = None,
) -> Deps:
    """The subgraph's parts. Tests pass their own clock, and a skill checker when they
    run without a gateway (the directory still learns skill.created / skill.deleted events).
    """
    engine = sql_engine(database_url(settings), settings)
    sessions = session_factory(engine)
    reads = read_session_factory(engine)
    store = LearningStore(sessions, reads)
    gateway = GatewayClient.from_settings(settings)
    roadmaps = RoadmapCatalog(sessions, gateway)
    skills = directory(sessions, gateway, reads)
    courses = CourseCatalog(sessions, gateway, reads)
    outbox = SqlOutbox(OUTBOX, sessions, settings.service)
    platform.relay(outbox)
    service = LearningService(
        Journal(sessions, Projector(), clock, outbox),
        store,
        roadmaps,
        skill_checker or skills,
        Announcer(outbox, platform.live),
        courses,
        clock,
    )
    personal_data = LearningPersonalData(sessions, outbox)
    return Deps(
        settings,
        engine,
        store,
        gateway,
        roadmaps,
        skills,
        courses,
        service,
        clock,
        personal_data,
    )
