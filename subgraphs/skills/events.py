"""The domain events the skills subgraph emits."""

from __future__ import annotations

from ..common.events import EventBus
from ..common.events.contracts import (
    CategoryCreated,
    PrerequisiteAdded,
    PrerequisiteRemoved,
    RoadmapCreated,
    RoadmapUpdated,
    SkillCreated,
    SkillDeleted,
    SkillUpdated,
)
from .category_store import CategoryRecord
from .roadmap_store import RoadmapRecord
from .store import SkillRecord


class CatalogEvents:
    """skill.*, category.created and roadmap.created, published after the write."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def skill_created(self, skill: SkillRecord) -> None:
        await self.bus.publish(SkillCreated(skill_id=skill.id, slug=skill.slug, name=skill.name))

    async def skill_updated(self, skill: SkillRecord) -> None:
        await self.bus.publish(SkillUpdated(skill_id=skill.id, slug=skill.slug, name=skill.name))

    async def skill_deleted(self, skill: SkillRecord) -> None:
        await self.bus.publish(SkillDeleted(skill_id=skill.id, slug=skill.slug, name=skill.name))

    async def prerequisite_added(self, skill_id: str, prerequisite_id: str) -> None:
        await self.bus.publish(
            PrerequisiteAdded(skill_id=skill_id, prerequisite_id=prerequisite_id)
        )

    async def prerequisite_removed(self, skill_id: str, prerequisite_id: str) -> None:
        await self.bus.publish(
            PrerequisiteRemoved(skill_id=skill_id, prerequisite_id=prerequisite_id)
        )

    async def category_created(self, category: CategoryRecord) -> None:
        await self.bus.publish(CategoryCreated(category_id=category.id, slug=category.slug))

    async def roadmap_created(self, roadmap: RoadmapRecord) -> None:
        await self.bus.publish(
            RoadmapCreated(roadmap_id=roadmap.id, slug=roadmap.slug, skill_ids=roadmap.skill_ids)
        )

    async def roadmap_reordered(self, roadmap: RoadmapRecord) -> None:
        """A new prerequisite moved steps."""
        await self.bus.publish(
            RoadmapUpdated(roadmap_id=roadmap.id, slug=roadmap.slug, skill_ids=roadmap.skill_ids)
        )
