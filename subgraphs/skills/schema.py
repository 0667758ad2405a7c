"""Queries and mutations of the skills subgraph (thin: permission, service, type)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from ..common.context import Context
from ..common.pagination import Connection
from ..common.permissions import require_role
from ..common.schema import federated_schema
from ..common.settings import Settings
from .entities import Category, Roadmap, Skill, SkillLevel, skill_connection
from .roadmaps import Milestone, RoadmapDraft
from .service import SkillDraft
from .service import SkillFilter as SkillFilterValues

if TYPE_CHECKING:
    from .app import SkillsDeps

EDITOR = "EDITOR"


@strawberry.input
class SkillFilter:
    category_slug: str | None = None
    level: SkillLevel | None = None
    tag: str | None = None
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive, in name, description and tags."
    )


@strawberry.input
class SkillInput:
    slug: str
    name: str
    description: str
    level: SkillLevel
    category_slug: str
    tags: list[str] | None = None

    def draft(self) -> SkillDraft:
        return SkillDraft(
            self.slug, self.name, self.description, self.level.value, self.category_slug, self.tags
        )


@strawberry.input
class CategoryInput:
    slug: str
    name: str
    parent_slug: str | None = None


@strawberry.input
class RoadmapMilestoneInput:
    skill_slug: str
    label: str


@strawberry.input
class RoadmapInput:
    slug: str
    title: str
    description: str
    skill_slugs: list[str]
    milestones: list[RoadmapMilestoneInput] | None = strawberry.field(
        default=None, description="Labels shown at some steps; each skill must be in skillSlugs."
    )

    def draft(self) -> RoadmapDraft:
        return RoadmapDraft(
            self.slug,
            self.title,
            self.description,
            list(self.skill_slugs),
            [Milestone(m.skill_slug, m.label) for m in self.milestones or []],
        )


def _deps(info: Info[Context, None]) -> SkillsDeps:
    return info.context.deps  # type: ignore[no-any-return]


@strawberry.type
class Query:
    @strawberry.field(description="By id or by slug (both: they must name the same skill).")
    async def skill(
        self, info: Info[Context, None], id: strawberry.ID | None = None, slug: str | None = None
    ) -> Skill | None:
        record = await _deps(info).service.skill(None if id is None else str(id), slug)
        return Skill.of(record) if record else None

    @strawberry.field
    async def skills(
        self,
        info: Info[Context, None],
        filter: SkillFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Skill]:
        given = filter or SkillFilter()
        values = SkillFilterValues(
            category_slug=given.category_slug,
            level=given.level.value if given.level else None,
            tag=given.tag,
            search=given.search,
        )
        return skill_connection(await _deps(info).service.skills_page(values, first, after))

    @strawberry.field(description="Top-level categories.")
    async def categories(self, info: Info[Context, None]) -> list[Category]:
        return [Category.of(c) for c in await _deps(info).service.top_level_categories()]

    @strawberry.field
    async def roadmap(self, info: Info[Context, None], slug: str) -> Roadmap | None:
        record = await _deps(info).roadmaps.by_slug(slug)
        return Roadmap.of(record) if record else None

    @strawberry.field
    async def roadmaps(self, info: Info[Context, None]) -> list[Roadmap]:
        return [Roadmap.of(r) for r in await _deps(info).roadmaps.all()]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="EDITOR.")
    async def create_skill(self, info: Info[Context, None], input: SkillInput) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await _deps(info).service.create_skill(input.draft()))

    @strawberry.mutation(description="EDITOR. Prerequisite edges survive a slug change.")
    async def update_skill(
        self, info: Info[Context, None], id: strawberry.ID, input: SkillInput
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await _deps(info).service.update_skill(str(id), input.draft()))

    @strawberry.mutation(
        description="EDITOR. Removes the skill and its edges; CONFLICT while a roadmap uses it."
    )
    async def delete_skill(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        require_role(await info.context.viewer(), EDITOR)
        return await _deps(info).service.delete_skill(str(id))

    @strawberry.mutation(description="EDITOR. PREREQUISITE_CYCLE when it would close a cycle.")
    async def add_prerequisite(
        self, info: Info[Context, None], skill_id: strawberry.ID, prerequisite_id: strawberry.ID
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = _deps(info).service
        return Skill.of(await service.add_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(description="EDITOR.")
    async def remove_prerequisite(
        self, info: Info[Context, None], skill_id: strawberry.ID, prerequisite_id: strawberry.ID
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = _deps(info).service
        return Skill.of(await service.remove_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(description="EDITOR.")
    async def create_category(self, info: Info[Context, None], input: CategoryInput) -> Category:
        require_role(await info.context.viewer(), EDITOR)
        service = _deps(info).service
        return Category.of(await service.create_category(input.slug, input.name, input.parent_slug))

    @strawberry.mutation(description="EDITOR. Steps ordered by prerequisites.")
    async def create_roadmap(self, info: Info[Context, None], input: RoadmapInput) -> Roadmap:
        require_role(await info.context.viewer(), EDITOR)
        return Roadmap.of(await _deps(info).roadmaps.create_roadmap(input.draft()))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings, query=Query, mutation=Mutation, types=[Skill, Category, Roadmap]
    )
