"""The domain events the skills subgraph emits (payload keys camelCase, ids strings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..common.events import EventBus
from .category_store import CategoryRecord
from .roadmap_store import RoadmapRecord
from .store import SkillRecord


class CategoryNames(Protocol):
    async def categories_by_ids(self, ids: Sequence[str]) -> list[CategoryRecord]: ...


class CatalogEvents:
    """skill.*, category.created and roadmap.created, published after the write.

    skill.created/updated/deleted carry what other subgraphs show of a skill
    (name, level, category id and name), so that their projections can answer
    those fields without asking the skills subgraph.
    """

    def __init__(self, bus: EventBus, categories: CategoryNames) -> None:
        self.bus = bus
        self.categories = categories

    async def skill_created(self, skill: SkillRecord) -> None:
        await self.bus.publish("skill.created", await self._skill(skill))

    async def skill_updated(self, skill: SkillRecord) -> None:
        await self.bus.publish("skill.updated", await self._skill(skill))

    async def skill_deleted(self, skill: SkillRecord) -> None:
        await self.bus.publish("skill.deleted", await self._skill(skill))

    async def _skill(self, skill: SkillRecord) -> dict[str, str]:
        found = await self.categories.categories_by_ids([skill.category_id])
        return {
            "skillId": skill.id,
            "slug": skill.slug,
            "name": skill.name,
            "level": skill.level,
            "categoryId": skill.category_id,
            "categoryName": found[0].name if found else "",
        }

    async def prerequisite_added(self, skill_id: str, prerequisite_id: str) -> None:
        await self.bus.publish(
            "skill.prerequisite_added", {"skillId": skill_id, "prerequisiteId": prerequisite_id}
        )

    async def prerequisite_removed(self, skill_id: str, prerequisite_id: str) -> None:
        await self.bus.publish(
            "skill.prerequisite_removed", {"skillId": skill_id, "prerequisiteId": prerequisite_id}
        )

    async def category_created(self, category: CategoryRecord) -> None:
        await self.bus.publish(
            "category.created",
            {"categoryId": category.id, "slug": category.slug, "name": category.name},
        )

    async def roadmap_created(self, roadmap: RoadmapRecord) -> None:
        await self.bus.publish("roadmap.created", _roadmap(roadmap))

    async def roadmap_reordered(self, roadmap: RoadmapRecord) -> None:
        """A new prerequisite moved steps; same payload as roadmap.created."""
        await self.bus.publish("roadmap.updated", _roadmap(roadmap))


def _roadmap(roadmap: RoadmapRecord) -> dict[str, object]:
    return {"roadmapId": roadmap.id, "slug": roadmap.slug, "skillIds": roadmap.skill_ids}
