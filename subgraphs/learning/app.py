"""Wiring of the learning subgraph: stores, log, service, schema, event consumer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from ..common.app import create_app as create_subgraph_app
from ..common.auth import TokenVerifier
from ..common.clock import utcnow
from ..common.events import Event
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.sql import database_url, migrate, ping_sql, session_factory, sql_engine
from .events import Announcer
from .gateway import GatewayClient
from .journal import Clock, Journal
from .loaders import loaders_for
from .projections import Projector
from .roadmaps import RoadmapCatalog
from .schema import build_schema
from .service import LearningService
from .skills import SkillChecker, SkillDirectory
from .store import LearningStore

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Learning:
    """Everything the learning resolvers reach through `info.context.deps`."""

    settings: Settings
    engine: AsyncEngine
    store: LearningStore
    roadmaps: RoadmapCatalog
    skills: SkillDirectory
    service: LearningService
    clock: Clock


def build(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    clock: Clock = utcnow,
    skill_checker: SkillChecker | None = None,
) -> tuple[Platform, Learning]:
    """The platform and the subgraph's parts.

    Tests pass their own verifier and clock, and a skill checker when they run without a
    gateway (the directory still learns skill.created / skill.deleted events).
    """
    platform = Platform(settings, verifier=verifier)
    engine = sql_engine(database_url(settings))
    sessions = session_factory(engine)
    store = LearningStore(sessions)
    gateway = GatewayClient(settings.gateway_url)
    roadmaps = RoadmapCatalog(sessions, gateway)
    skills = SkillDirectory(sessions, gateway)
    service = LearningService(
        Journal(sessions, Projector(), clock),
        store,
        roadmaps,
        skill_checker or skills,
        Announcer(platform.events, platform.live),
        clock,
    )
    return platform, Learning(settings, engine, store, roadmaps, skills, service, clock)


async def on_skill_deleted(learning: Learning, event: Event) -> None:
    """skill.deleted: the skill is gone for good; learning paths through it skip it."""
    skill_id = str(event.payload["skillId"])
    await learning.skills.mark(skill_id, deleted=True)
    await learning.service.skill_deleted(skill_id)


def create_app(
    settings: Settings | None = None,
    *,
    verifier: TokenVerifier | None = None,
    clock: Clock = utcnow,
    skill_checker: SkillChecker | None = None,
) -> FastAPI:
    settings = settings or load_settings("learning")
    platform, learning = build(
        settings, verifier=verifier, clock=clock, skill_checker=skill_checker
    )

    platform.readiness["database"] = partial(ping_sql, learning.engine)

    async def forget_skill(event: Event) -> None:
        await on_skill_deleted(learning, event)

    async def start() -> None:
        if settings.auto_migrate:
            await migrate(database_url(settings), MIGRATIONS)
        remember = learning.roadmaps.on_roadmap_created
        consumer = platform.consumer(
            {
                "roadmap.created": remember,
                "roadmap.updated": remember,
                "skill.created": learning.skills.on_skill_created,
                "skill.deleted": forget_skill,
            }
        )
        platform.run_in_background(consumer.run())

    async def stop() -> None:
        await learning.engine.dispose()

    return create_subgraph_app(
        platform,
        build_schema(settings),
        deps=learning,
        make_loaders=loaders_for,
        on_startup=[start],
        on_shutdown=[stop],
    )
