"""GraphQL inputs of the skills subgraph, turned into the service's drafts and filters."""

from __future__ import annotations

import strawberry

from ..common.entities import SkillLevel
from .roadmaps import Milestone, RoadmapDraft
from .service import SkillDraft
from .service import SkillFilter as SkillFilterValues


@strawberry.input
class SkillFilter:
    category_slug: str | None = None
    level: SkillLevel | None = None
    tag: str | None = None
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
