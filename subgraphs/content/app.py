"""Wiring of the content subgraph: MongoDB indexes, the demo content in development."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import FastAPI

from ..common.app import create_app as create_subgraph_app
from ..common.events import Handlers, Received
from ..common.events.contracts import AccountDeletionRequested, SkillCreated, SkillDeleted
from ..common.personal_data import erase_on_request
from ..common.platform import Platform
from ..common.settings import Settings, load_settings
from ..common.stores.mongo import close_mongo, ping_mongo
from .demo import fetch_links, load_demo_content
from .deps import Deps, build
from .loaders import loaders_for
from .schema import build_schema

log = logging.getLogger("skill_circle.content")


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_subgraph_app(
        settings or load_settings("content"),
        build=build,
        schema=build_schema,
        loaders=loaders_for,
        readiness=lambda deps: {"mongodb": partial(ping_mongo, deps.database)},
        on_startup=start,
        on_shutdown=stop,
    )


async def start(deps: Deps, platform: Platform) -> None:
    await deps.store.create_indexes()
    await deps.outbox.ensure_indexes()
    handlers = (
        Handlers()
        .on(SkillCreated, deps.skills.on_skill_created)
        .on(SkillDeleted, partial(on_skill_deleted, deps))
        .on(AccountDeletionRequested, erase_on_request(deps.personal_data))
    )
    platform.run_in_background(platform.consumer(handlers).run())
    if deps.settings.is_development:
        # In the background: skill ids come through the gateway, which may start later.
        platform.run_in_background(load_demo_when_empty(deps))


async def stop(deps: Deps, _: Platform) -> None:
    await deps.gateway.close()
    await close_mongo(deps.database)


async def on_skill_deleted(deps: Deps, event: Received[SkillDeleted]) -> None:
    """skill.deleted: no course, article or resource links to the skill any more."""
    skill_id = event.payload.skill_id
    await deps.skills.mark(skill_id, deleted=True)
    await deps.service.skill_deleted(skill_id)


async def load_demo_when_empty(deps: Deps) -> None:
    """Development start-up: the demo content, once, when the store is empty."""
    if not await deps.store.is_empty():
        return
    links = await fetch_links(deps.settings)
    loaded = await load_demo_content(deps, links)
    log.info("demo content loaded: %s", loaded)
