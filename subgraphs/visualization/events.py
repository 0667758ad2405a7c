"""The events this subgraph handles: each bumps the content version of what it changed."""

from __future__ import annotations

from ..common.events import Handlers, Received
from ..common.events.contracts import (
    AccountDeletionRequested,
    PrerequisiteAdded,
    PrerequisiteChanged,
    PrerequisiteRemoved,
    ProgressUpdated,
    RoadmapChanged,
    RoadmapCreated,
    RoadmapUpdated,
    SkillChanged,
    SkillCompleted,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from ..common.personal_data import PersonalData, erase_on_request
from .cache import SvgCache


def event_handlers(cache: SvgCache, personal_data: PersonalData | None = None) -> Handlers:
    """Per-entity invalidation: a skill, roadmap or user's progress changes only its renders."""

    async def skill_changed(event: Received[SkillChanged]) -> None:
        await cache.bump([f"skill:{event.payload.skill_id}"])

    async def prerequisite_changed(event: Received[PrerequisiteChanged]) -> None:
        # The dependent's prerequisite list changed; trees showing it must redraw.
        await cache.bump(
            [f"skill:{event.payload.skill_id}", f"skill:{event.payload.prerequisite_id}"]
        )

    async def roadmap_changed(event: Received[RoadmapChanged]) -> None:
        await cache.bump([f"roadmap:{event.payload.roadmap_id}"])

    async def progress_changed(event: Received[ProgressUpdated] | Received[SkillCompleted]) -> None:
        await cache.bump([f"user:{event.payload.user_id}"])

    handlers = (
        Handlers()
        .on(SkillCreated, skill_changed)
        .on(SkillUpdated, skill_changed)
        .on(SkillDeleted, skill_changed)
        .on(PrerequisiteAdded, prerequisite_changed)
        .on(PrerequisiteRemoved, prerequisite_changed)
        .on(RoadmapCreated, roadmap_changed)
        .on(RoadmapUpdated, roadmap_changed)
        .on(ProgressUpdated, progress_changed)
        .on(SkillCompleted, progress_changed)
    )
    if personal_data is not None:  # the subgraph's consumer (tests of the cache leave it out)
        handlers.on(AccountDeletionRequested, erase_on_request(personal_data))
    return handlers
