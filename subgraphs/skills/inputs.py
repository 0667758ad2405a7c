"""GraphQL inputs of the skills subgraph, turned into the service's drafts and filters."""

from __future__ import annotations

import strawberry

from ..common.entities import SkillLevel
from .roadmaps import Milestone, RoadmapDraft
from .service import SkillDraft
from .service import SkillFilter as SkillFilterValues


@strawberry.input(description="Criteria for skills; every given one must match.")
class SkillFilter:
    category_slug: str | None = strawberry.field(
        default=None, description="In this category or one below it (unknown: no skills)."
    )
    level: SkillLevel | None = strawberry.field(default=None, description="Of this level.")
    tag: str | None = strawberry.field(default=None, description="Carrying this tag.")
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive, in name, description and tags."
    )

    def values(self) -> SkillFilterValues:
        return SkillFilterValues(
            category_slug=self.category_slug,
            level=self.level.value if self.level else None,
            tag=self.tag,
            search=self.search,
        )


@strawberry.input(description="A skill's fields.")
class SkillInput:
    slug: str = strawberry.field(description="Unique, kebab-case (a-z, 0-9, single hyphens).")
    name: str = strawberry.field(description="Display name, at most 120 characters.")
    description: str = strawberry.field(description="What it covers, at most 5000 characters.")
    level: SkillLevel = strawberry.field(description="How advanced it is.")
    category_slug: str = strawberry.field(description="Slug of an existing category.")
    tags: list[str] | None = strawberry.field(
        default=None, description="At most 20 keywords of 1 to 40 characters (lowercased)."
    )

    def draft(self) -> SkillDraft:
        return SkillDraft(
            self.slug, self.name, self.description, self.level.value, self.category_slug, self.tags
        )


@strawberry.input(description="A new category.")
class CategoryInput:
    slug: str = strawberry.field(description="Unique, kebab-case (a-z, 0-9, single hyphens).")
    name: str = strawberry.field(description="Display name.")
    parent_slug: str | None = strawberry.field(
        default=None, description="Slug of the enclosing category; null for a top-level one."
    )


@strawberry.input(description="A label shown at one step of a roadmap.")
class RoadmapMilestoneInput:
    skill_slug: str = strawberry.field(description="The step's skill; must be in skillSlugs.")
    label: str = strawberry.field(description="Text, e.g. Junior ready; at most 200 characters.")


@strawberry.input(description="A new roadmap.")
class RoadmapInput:
    slug: str = strawberry.field(description="Unique, kebab-case (a-z, 0-9, single hyphens).")
    title: str = strawberry.field(description="Display title.")
    description: str = strawberry.field(description="Who it is for and what it covers.")
    skill_slugs: list[str] = strawberry.field(
        description="1 to 200 existing skills, each once; ordered by prerequisites on save."
    )
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
