"""Wiring of the learning subgraph: migrations, the event consumer, test overrides."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.auth import TokenVerifier
from ..common.clock import utcnow
from ..common.events import Handlers, Received
from ..common.events.contracts import (
    AccountDeletionRequested,
    ContentPublished,
    ContentWithdrawn,
    RoadmapCreated,
    RoadmapUpdated,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from ..common.personal_data import erase_on_request
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.sql import ping_sql
from .deps import Deps, build
from .journal import Clock
from .loaders import loaders_for
from .schema import build_schema
from .skills import SkillChecker

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: Settings | None = None,
    *,
    verifier: TokenVerifier | None = None,
    clock: Clock = utcnow,
    skill_checker: SkillChecker | None = None,
) -> FastAPI:
    """Tests pass their own verifier and clock, and a skill checker when there is no gateway."""
    return create_subgraph_app(
        settings or load_settings("learning"),
        build=partial(build, clock=clock, skill_checker=skill_checker),
        schema=build_schema,
        loaders=loaders_for,
        verifier=verifier,
        migrations=MIGRATIONS,
        readiness=lambda deps: {"database": partial(ping_sql, deps.engine)},
        on_startup=start,
        on_shutdown=stop,
        # Learners' answers change only by learning's own mutations (and the catalog
        # events, which clear them too): the dashboard is read far more than written.
        private_answers=True,
    )


async def start(deps: Deps, platform: Platform) -> None:
    handlers = (
        Handlers()
        .on(RoadmapCreated, deps.roadmaps.on_roadmap_changed)
        .on(RoadmapUpdated, deps.roadmaps.on_roadmap_changed)
        .on(SkillCreated, deps.skills.on_skill_changed)
        .on(SkillUpdated, deps.skills.on_skill_changed)
        .on(SkillDeleted, partial(on_skill_deleted, deps))
        .on(AccountDeletionRequested, erase_on_request(deps.personal_data))
        .on(ContentPublished, deps.courses.on_published)
        .on(ContentWithdrawn, deps.courses.on_withdrawn)
    )
    platform.run_in_background(platform.consumer(handlers).run())
    # Every replica hears skill renames for the skill names it serves from memory.
    tail = platform.tail(deps.skills.tail_handlers())
    platform.run_in_background(tail.run(await tail.position()))


async def stop(deps: Deps, _: Platform) -> None:
    await deps.gateway.close()
    await deps.engine.dispose()


async def on_skill_deleted(deps: Deps, event: Received[SkillDeleted]) -> None:
    """skill.deleted: the skill is gone for good; learning paths through it skip it."""
    skill_id = event.payload.skill_id
    await deps.skills.mark(skill_id, deleted=True, at=event.time)
    await deps.service.skill_deleted(skill_id)
