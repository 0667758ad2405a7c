"""Queries and mutations of the skills subgraph (thin: permission, service, type)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from ..common.descriptions import MUTATION, QUERY
from ..common.pagination import PAGE, Connection, Cursor, PageSize
from ..common.permissions import require_role
from ..common.personal_data import data_export_type
from ..common.schema import federated_schema
from ..common.settings import Settings
from .inputs import CategoryInput, RoadmapInput, SkillFilter, SkillInput
from .personal_data import INVENTORY
from .types import Category, Info, Roadmap, Skill, skill_connection

EDITOR = "EDITOR"
REQUIRING = "The skill that requires the other."
REQUIRED = "The skill it requires."


@strawberry.type(description=QUERY)
class Query:
    @strawberry.field(
        description="A skill by id or by slug (both: they must name the same skill); null if "
        "none. Anyone. Errors: BAD_USER_INPUT (neither id nor slug)."
    )
    async def skill(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Skill id.")] = None,
        slug: Annotated[str | None, strawberry.argument(description="Skill slug.")] = None,
    ) -> Skill | None:
        record = await info.context.deps.service.skill(None if id is None else str(id), slug)
        return Skill.of(record) if record else None

    @strawberry.field(
        directives=[PAGE],
        description="The catalog, one page at a time, in a stable order. Anyone. "
        "Errors: BAD_USER_INPUT (first, after, search).",
    )
    async def skills(
        self,
        info: Info,
        filter: Annotated[
            SkillFilter | None,
            strawberry.argument(description="Only skills matching all given criteria."),
        ] = None,
        first: PageSize = None,
        after: Cursor = None,
    ) -> Connection[Skill]:
        values = (filter or SkillFilter()).values()
        page = await info.context.deps.service.skills_page(values, first, after)
        return skill_connection(page, after)

    @strawberry.field(description="Top-level categories (those without a parent). Anyone.")
    async def categories(self, info: Info) -> list[Category]:
        return [Category.of(c) for c in await info.context.deps.service.top_level_categories()]

    @strawberry.field(description="A roadmap by slug; null if none. Anyone.")
    async def roadmap(
        self, info: Info, slug: Annotated[str, strawberry.argument(description="Roadmap slug.")]
    ) -> Roadmap | None:
        record = await info.context.deps.roadmaps.by_slug(slug)
        return Roadmap.of(record) if record else None

    @strawberry.field(description="Every roadmap. Anyone.")
    async def roadmaps(self, info: Info) -> list[Roadmap]:
        return [Roadmap.of(r) for r in await info.context.deps.roadmaps.all()]


@strawberry.type(description=MUTATION)
class Mutation:
    @strawberry.mutation(
        description="Adds a skill to the catalog. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, "
        "BAD_USER_INPUT (a field, unknown categorySlug), CONFLICT (slug taken)."
    )
    async def create_skill(
        self,
        info: Info,
        input: Annotated[SkillInput, strawberry.argument(description="The new skill.")],
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await info.context.deps.service.create_skill(input.draft()))

    @strawberry.mutation(
        description="Replaces a skill's fields; prerequisite edges survive a slug change. EDITOR. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT (slug taken)."
    )
    async def update_skill(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The skill to change.")],
        input: Annotated[SkillInput, strawberry.argument(description="Its new fields.")],
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        return Skill.of(await info.context.deps.service.update_skill(str(id), input.draft()))

    @strawberry.mutation(
        description="Removes a skill and its prerequisite edges. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (a roadmap step; extensions.roadmaps)."
    )
    async def delete_skill(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The skill to delete.")],
    ) -> bool:
        require_role(await info.context.viewer(), EDITOR)
        return await info.context.deps.service.delete_skill(str(id))

    @strawberry.mutation(
        description="Makes one skill require another; no-op if it already does. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, PREREQUISITE_CYCLE (extensions.cycle)."
    )
    async def add_prerequisite(
        self,
        info: Info,
        skill_id: Annotated[strawberry.ID, strawberry.argument(description=REQUIRING)],
        prerequisite_id: Annotated[strawberry.ID, strawberry.argument(description=REQUIRED)],
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Skill.of(await service.add_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(
        description="Drops a prerequisite edge; no-op if absent. EDITOR. "
        "Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND."
    )
    async def remove_prerequisite(
        self,
        info: Info,
        skill_id: Annotated[strawberry.ID, strawberry.argument(description=REQUIRING)],
        prerequisite_id: Annotated[strawberry.ID, strawberry.argument(description=REQUIRED)],
    ) -> Skill:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Skill.of(await service.remove_prerequisite(str(skill_id), str(prerequisite_id)))

    @strawberry.mutation(
        description="Adds a category. EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, "
        "BAD_USER_INPUT (a field, unknown parentSlug), CONFLICT (slug taken)."
    )
    async def create_category(
        self,
        info: Info,
        input: Annotated[CategoryInput, strawberry.argument(description="The new category.")],
    ) -> Category:
        require_role(await info.context.viewer(), EDITOR)
        service = info.context.deps.service
        return Category.of(await service.create_category(input.slug, input.name, input.parent_slug))

    @strawberry.mutation(
        description="Adds a roadmap; its steps are ordered by prerequisites. EDITOR. Errors: "
        "UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT (unknown skills, milestones), CONFLICT."
    )
    async def create_roadmap(
        self,
        info: Info,
        input: Annotated[RoadmapInput, strawberry.argument(description="The new roadmap.")],
    ) -> Roadmap:
        require_role(await info.context.viewer(), EDITOR)
        return Roadmap.of(await info.context.deps.roadmaps.create_roadmap(input.draft()))


def build_schema(settings: Settings) -> strawberry.federation.Schema:
    return federated_schema(
        settings,
        query=Query,
        mutation=Mutation,
        types=[Skill, Category, Roadmap, data_export_type(INVENTORY)],
    )
