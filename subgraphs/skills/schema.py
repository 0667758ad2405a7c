"""Queries and mutations of the skills subgraph (thin: permission, service, type)."""

from __future__ import annotations

import strawberry

from ..common.pagination import Connection
from ..common.permissions import require_role
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import CategoryInput, RoadmapInput, SkillFilter, SkillInput
from .types import Category, Info, Roadmap, Skill, skill_connection

EDITOR = "EDITOR"


@strawberry.type
class Query:
    @strawberry.field(description="By id or by slug (both: they must name the same skill).")
    async def skill(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> Skill | None:
        record = await info.context.deps.service.skill(None if id is None else str(id), slug)
        return Skill.of(record) if record else None

    @strawberry.field
    async def skills(
        self,
        info: Info,
        filter: SkillFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Skill]:
        values = (filter or SkillFilter()).values()
        page = await info.context.deps.service.skills_page(values, first, after)
        return skill_connection(page, after)

    @strawberry.field(description="Top-level categories.")
    async def categories(self, info: Info) -> list[Category]:
        return [Category.of(c) for c in await info.context.deps.service.top_level_categories()]

    @strawberry.field
    async def roadmap(self, info: Info, slug: str) -> Roadmap | None:
        record = await info.context.deps.roadmaps.by_slug(slug)
        return Roadmap.of(record) if record else None

    @strawberry.field
    async def roadmaps(self, info: Info) -> list[Roadmap]:
        return [Roadmap.of(r) for r in await info.context.deps.roadmaps.all()]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="EDITOR.")
    async def create_skill(self, info: Info, input: SkillInput) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await info.context.deps.service.create_skill(input.draft()))

    @strawberry.mutation(description="EDITOR. Prerequisite edges survive a slug change.")
    async def update_skill(self, info: Info, id: strawberry.ID, input: SkillInput) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await info.context.deps.service.update_skill(str(id), input.draft()))

    @strawberry.mutation(
        description="EDITOR. Removes the skill and its edges; CONFLICT while a roadmap uses it."
    )
    async def delete_skill(self, info: Info, id: strawberry.ID) -> bool:
        require_role(await info.context.viewer(), EDITOR)
        return await info.context.deps.service.delete_skill(str(id))

    @strawberry.mutation(description="EDITOR. PREREQUISITE_CYCLE when it would close a cycle.")
    async def add_prerequisite(
        self, info: Info, skill_id: strawberry.ID, prerequisite_id: strawberry.ID
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Skill.of(await service.add_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(description="EDITOR.")
    async def remove_prerequisite(
        self, info: Info, skill_id: strawberry.ID, prerequisite_id: strawberry.ID
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Skill.of(await service.remove_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(description="EDITOR.")
    async def create_category(self, info: Info, input: CategoryInput) -> Category:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Category.of(await service.create_category(input.slug, input.name, input.parent_slug))

    @strawberry.mutation(description="EDITOR. Steps ordered by prerequisites.")
    async def create_roadmap(self, info: Info, input: RoadmapInput) -> Roadmap:
        require_role(await info.context.viewer(), EDITOR)
        return Roadmap.of(await info.context.deps.roadmaps.create_roadmap(input.draft()))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings, query=Query, mutation=Mutation, types=[Skill, Category, Roadmap]
    )
