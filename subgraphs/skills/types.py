"""GraphQL object types of the skills subgraph: Skill, Category, Roadmap (federated entities)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info as StrawberryInfo

from ..common.context import Context
from ..common.descriptions import (
    CATEGORY,
    CATEGORY_ID,
    CATEGORY_NAME,
    ROADMAP,
    ROADMAP_ID,
    ROADMAP_SLUG,
    SKILL,
    SKILL_CATEGORY,
    SKILL_ID,
    SKILL_LEVEL,
    SKILL_NAME,
)
from ..common.entities import SkillLevel
from ..common.errors import NotFound
from ..common.pagination import PAGE, Connection, Cursor, PageSize, connection
from .category_store import CategoryRecord
from .deps import Deps
from .loaders import Loaders
from .roadmap_store import RoadmapRecord
from .service import SkillPage, cursor_of
from .store import SkillRecord

Info = StrawberryInfo[Context[Deps, Loaders], None]


@strawberry.federation.type(keys=["id"], description=SKILL)
class Skill:
    id: strawberry.ID = strawberry.field(description=SKILL_ID)
    slug: str = strawberry.field(description="URL-friendly unique name, e.g. python-basics.")
    # Shareable: learning answers these from its event-fed projection (one hop less).
    name: str = strawberry.federation.field(shareable=True, description=SKILL_NAME)
    description: str = strawberry.field(description="What the skill covers.")
    level: SkillLevel = strawberry.federation.field(shareable=True, description=SKILL_LEVEL)
    tags: list[str] = strawberry.field(description="Lowercase keywords.")
    record: strawberry.Private[SkillRecord]

    @strawberry.federation.field(shareable=True, description=SKILL_CATEGORY)
    async def category(self, info: Info) -> Category:
        category = await info.context.loaders.category.load(self.record.category_id)
        if category is None:
            raise NotFound("category", self.record.category_id)
        return Category.of(category)

    @strawberry.field(description="Skills to learn first (direct prerequisites only).")
    async def prerequisites(self, info: Info) -> list[Skill]:
        found = await info.context.loaders.skill.load_many(list(self.record.prerequisite_ids))
        return [Skill.of(record) for record in found if record is not None]

    @strawberry.field(description="Skills that list this one as a prerequisite.")
    async def dependents(self, info: Info) -> list[Skill]:
        return [
            Skill.of(record)
            for record in await info.context.loaders.dependents.load(self.record.id)
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Skill | None:
        record = await info.context.loaders.skill.load(str(id))
        return cls.of(record) if record else None

    @classmethod
    def of(cls, record: SkillRecord) -> Skill:
        return cls(
            id=strawberry.ID(record.id),
            slug=record.slug,
            name=record.name,
            description=record.description,
            level=SkillLevel(record.level),
            tags=list(record.tags),
            record=record,
        )


def skill_connection(page: SkillPage, after: str | None) -> Connection[Skill]:
    return connection(
        [Skill.of(s) for s in page.skills],
        [cursor_of(s) for s in page.skills],
        page.total_count,
        page.has_next_page,
        after=after,
    )


@strawberry.federation.type(keys=["id"], description=CATEGORY)
class Category:
    id: strawberry.ID = strawberry.field(description=CATEGORY_ID)
    slug: str = strawberry.field(description="URL-friendly unique name.")
    name: str = strawberry.federation.field(shareable=True, description=CATEGORY_NAME)
    record: strawberry.Private[CategoryRecord]

    @strawberry.field(description="The enclosing category; null for a top-level one.")
    async def parent(self, info: Info) -> Category | None:
        if self.record.parent_id is None:
            return None
        parent = await info.context.loaders.category.load(self.record.parent_id)
        return Category.of(parent) if parent else None

    @strawberry.field(description="Direct children.")
    async def subcategories(self, info: Info) -> list[Category]:
        return [
            Category.of(c) for c in await info.context.loaders.subcategories.load(self.record.id)
        ]

    @strawberry.field(
        directives=[PAGE],
        description="Skills of this category and of all its subcategories, a page at a time. "
        "Errors: BAD_USER_INPUT (first, after).",
    )
    async def skills(
        self, info: Info, first: PageSize = None, after: Cursor = None
    ) -> Connection[Skill]:
        subtree = await info.context.loaders.category_subtree.load(self.record.id)
        page = await info.context.deps.service.category_skills_page(subtree, first, after)
        return skill_connection(page, after)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Category | None:
        record = await info.context.loaders.category.load(str(id))
        return cls.of(record) if record else None

    @classmethod
    def of(cls, record: CategoryRecord) -> Category:
        return cls(id=strawberry.ID(record.id), slug=record.slug, name=record.name, record=record)


@strawberry.type(description="One step of a roadmap.")
class RoadmapStep:
    position: int = strawberry.field(description="1 for the first step.")
    skill: Skill = strawberry.field(description="The skill to learn at this step.")
    milestone: str | None = strawberry.field(
        description="A label reached at this step, e.g. Junior ready; usually null."
    )


@strawberry.federation.type(keys=["id"], description=ROADMAP)
class Roadmap:
    id: strawberry.ID = strawberry.field(description=ROADMAP_ID)
    slug: str = strawberry.field(description=ROADMAP_SLUG)
    title: str = strawberry.field(description="Display title.")
    description: str = strawberry.field(description="Who the roadmap is for and what it covers.")
    record: strawberry.Private[RoadmapRecord]

    @strawberry.field(description="Ordered; every step's prerequisites come earlier.")
    async def steps(self, info: Info) -> list[RoadmapStep]:
        skills = await info.context.loaders.skill.load_many(self.record.skill_ids)
        present = [
            (step, skill)
            for step, skill in zip(self.record.steps, skills, strict=True)
            if skill is not None
        ]
        return [
            RoadmapStep(position=index, skill=Skill.of(skill), milestone=step.milestone)
            for index, (step, skill) in enumerate(present, start=1)
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Roadmap | None:
        record = await info.context.loaders.roadmap.load(str(id))
        return cls.of(record) if record else None

    @classmethod
    def of(cls, record: RoadmapRecord) -> Roadmap:
        return cls(
            id=strawberry.ID(record.id),
            slug=record.slug,
            title=record.title,
            description=record.description,
            record=record,
        )
