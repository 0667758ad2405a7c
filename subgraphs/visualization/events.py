"""The events this subgraph handles: each bumps the content version of what it changed."""

from __future__ import annotations

from ..common.events import Event, Handler
from .cache import SvgCache


def event_handlers(cache: SvgCache) -> dict[str, Handler]:
    """Per-entity invalidation: a skill, roadmap or user's progress changes only its renders."""

    async def skill_changed(event: Event) -> None:
        await cache.bump([f"skill:{event.payload['skillId']}"])

    async def prerequisite_changed(event: Event) -> None:
        # The dependent's prerequisite list changed; trees showing it must redraw.
        await cache.bump(
            [f"skill:{event.payload['skillId']}", f"skill:{event.payload['prerequisiteId']}"]
        )

    async def roadmap_changed(event: Event) -> None:
        await cache.bump([f"roadmap:{event.payload['roadmapId']}"])

    async def progress_changed(event: Event) -> None:
        await cache.bump([f"user:{event.payload['userId']}"])

    return {
        "skill.created": skill_changed,
        "skill.updated": skill_changed,
        "skill.deleted": skill_changed,
        "skill.prerequisite_added": prerequisite_changed,
        "skill.prerequisite_removed": prerequisite_changed,
        "roadmap.created": roadmap_changed,
        "roadmap.updated": roadmap_changed,
        "roadmap.deleted": roadmap_changed,
        "progress.updated": progress_changed,
        "skill.completed": progress_changed,
    }
